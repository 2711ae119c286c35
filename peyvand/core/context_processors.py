"""What every page's shell needs: the site name and the side menu."""

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from peyvand import __version__
from peyvand.core.dialog import in_dialog
from peyvand.core.display import site_settings_for


@dataclass
class MenuItem:
    label: str
    url_name: str
    icon: str
    namespace: str
    permission: str | None = None
    args: tuple = ()
    url: str = ""
    active: bool = False


@dataclass
class MenuSection:
    title: str
    items: list[MenuItem] = field(default_factory=list)


def _menu() -> list[MenuSection]:
    # Each module adds its entries here when it lands.
    return [
        MenuSection(
            "",
            [
                MenuItem(_("کارتابل"), "core:home", "speedometer2", "core:home"),
                MenuItem(
                    _("وظایف"),
                    "activities:task_list",
                    "check2-square",
                    "activities:task",
                    "activities.view_task",
                ),
                MenuItem(
                    _("تقویم"),
                    "activities:calendar",
                    "calendar3",
                    "activities:calendar",
                    "activities.view_event",
                ),
                MenuItem(
                    _("تماس‌ها"),
                    "activities:call_list",
                    "telephone-inbound",
                    "activities:call",
                    "activities.view_call",
                ),
                MenuItem(_("مخاطبین"), "contacts:list", "people", "contacts"),
                MenuItem(
                    _("پیگیری‌های من"),
                    "sales:followup_due",
                    "telephone-forward",
                    "sales:followup",
                    "sales.view_followup",
                ),
                MenuItem(_("سرنخ‌ها"), "sales:lead_list", "funnel", "sales:lead", "sales.view_lead"),
                MenuItem(
                    _("دفترچه تلفن"),
                    "phonebook:list",
                    "telephone",
                    "phonebook",
                    "contacts.view_phonebookentry",
                ),
            ],
        ),
        MenuSection(
            _("خدمات مشتریان"),
            [
                MenuItem(
                    _("درخواست‌ها"),
                    "service:request_inbox",
                    "inbox",
                    "service:request",
                    "service.view_request",
                ),
                MenuItem(
                    _("شکایات"),
                    "service:complaint_list",
                    "megaphone",
                    "service:complaint",
                    "service.view_complaint",
                ),
            ],
        ),
        MenuSection(
            _("گزارش‌ها"),
            [
                # The page lists the reports the user's role reads (each has its own
                # permission); everyone who works with contacts reads some.
                MenuItem(
                    _("داشبورد"),
                    "reports:dashboard",
                    "speedometer2",
                    "reports:dashboard",
                    "contacts.view_contact",
                ),
                MenuItem(
                    _("گزارش‌ها"),
                    "reports:index",
                    "bar-chart-line",
                    "reports:",
                    "contacts.view_contact",
                ),
            ],
        ),
        MenuSection(
            _("فروش"),
            [
                MenuItem(
                    _("پیش فاکتورها"),
                    "sales:quote_list",
                    "file-earmark-text",
                    "sales:quote",
                    "sales.view_quote",
                ),
                MenuItem(
                    _("پروژه‌ها"),
                    "surveys:project_list",
                    "kanban",
                    "surveys:project",
                    "surveys.view_project",
                ),
                MenuItem(
                    _("فاکتورها"),
                    "sales:invoice_list",
                    "receipt",
                    "sales:invoice",
                    "sales.view_invoice",
                ),
                MenuItem(
                    _("مشتریان خدمات"),
                    "sales:service_customers",
                    "person-workspace",
                    "sales:service_customers",
                    "sales.view_invoice",
                ),
                MenuItem(
                    _("سامانه مودیان"),
                    "tax:submission_list",
                    "send-check",
                    "tax:submission",
                    "sales.view_invoice",
                ),
                MenuItem(
                    _("کالاها و خدمات"),
                    "sales:product_list",
                    "box-seam",
                    "sales:product",
                    "sales.view_product",
                ),
            ],
        ),
        MenuSection(
            _("مالی"),
            [
                MenuItem(
                    _("دریافت و پرداخت"),
                    "finance:receipt_list",
                    "cash-coin",
                    "finance:receipt",
                    "finance.view_receipt",
                ),
                MenuItem(
                    _("چک‌ها"),
                    "finance:cheque_list",
                    "credit-card-2-front",
                    "finance:cheque",
                    "finance.view_cheque",
                ),
            ],
        ),
        MenuSection(
            _("پیامک و ایمیل"),
            [
                MenuItem(
                    _("پیام‌ها"),
                    "messaging:list",
                    "chat-dots",
                    "messaging:list",
                    "messaging.view_message",
                ),
                MenuItem(
                    _("ارسال‌های گروهی"),
                    "messaging:broadcast_list",
                    "megaphone",
                    "messaging:broadcast",
                    "messaging.view_broadcast",
                ),
                MenuItem(
                    _("گروه‌های ارسال"),
                    "messaging:group_list",
                    "collection",
                    "messaging:group",
                    "messaging.view_contactgroup",
                ),
                MenuItem(
                    _("مناسبت‌ها"),
                    "messaging:occasion_list",
                    "balloon-heart",
                    "messaging:occasion",
                    "messaging.view_occasion",
                ),
            ],
        ),
        MenuSection(
            _("مدیریت"),
            [
                MenuItem(
                    _("کاربران"),
                    "accounts:user_list",
                    "person-gear",
                    "accounts:user",
                    "accounts.manage_users",
                ),
                MenuItem(
                    _("گروه‌های کاربران"),
                    "accounts:team_list",
                    "diagram-3",
                    "accounts:team",
                    "accounts.manage_users",
                ),
                MenuItem(
                    _("کدینگ عمومی"),
                    "lookups:index",
                    "list-ul",
                    "lookups",
                    "accounts.manage_settings",
                ),
                MenuItem(
                    _("اطلاعات تکمیلی"),
                    "customfields:list",
                    "ui-checks",
                    "customfields",
                    "accounts.manage_settings",
                ),
                MenuItem(
                    _("الگوهای پیام"),
                    "messaging:template_list",
                    "card-text",
                    "messaging:template",
                    "messaging.manage_messaging",
                ),
                MenuItem(
                    _("تنظیمات پیامک و ایمیل"),
                    "messaging:settings",
                    "sliders2",
                    "messaging:settings",
                    "messaging.manage_messaging",
                ),
                MenuItem(
                    _("فرم‌ها"),
                    "automation:form_list",
                    "ui-checks",
                    "automation:form",
                    "automation.manage_automation",
                ),
                MenuItem(
                    _("قانون‌های خودکار"),
                    "automation:rule_list",
                    "robot",
                    "automation:rule",
                    "automation.manage_automation",
                ),
                MenuItem(
                    _("وب‌هوک‌ها"),
                    "automation:webhook_list",
                    "broadcast-pin",
                    "automation:webhook",
                    "automation.manage_automation",
                ),
                MenuItem(
                    _("تقویم کاری"),
                    "core:holidays",
                    "calendar-week",
                    "core:holidays",
                    "accounts.manage_settings",
                ),
                MenuItem(
                    _("تنظیمات درخواست و شکایت"),
                    "service:settings",
                    "inbox",
                    "service:settings",
                    "accounts.manage_settings",
                ),
                MenuItem(
                    _("پرسشنامه‌های نظرسنجی"),
                    "surveys:questionnaire_list",
                    "clipboard-check",
                    "surveys:questionnaire",
                    "accounts.manage_settings",
                ),
                MenuItem(
                    _("سال مالی"),
                    "sales:fiscal_years",
                    "calendar2-range",
                    "sales:fiscal",
                    "sales.add_fiscalyear",
                ),
                MenuItem(
                    _("فهرست‌های قیمت"),
                    "sales:price_list_list",
                    "tags",
                    "sales:price_list",
                    "sales.change_pricelist",
                ),
                MenuItem(
                    _("نرخ مالیات بر ارزش افزوده"),
                    "sales:vat_rates",
                    "percent",
                    "sales:vat_rate",
                    "sales.change_vatrate",
                ),
                MenuItem(
                    _("تنظیمات مالی"),
                    "finance:settings",
                    "bank",
                    "finance:settings",
                    "accounts.manage_settings",
                ),
                MenuItem(
                    _("تنظیمات سامانه مودیان"),
                    "tax:settings",
                    "shield-lock",
                    "tax:settings",
                    "accounts.manage_settings",
                ),
                MenuItem(
                    _("سری‌های شماره"),
                    "core:sequence_list",
                    "123",
                    "core:sequence",
                    "accounts.manage_settings",
                ),
                MenuItem(
                    _("تنظیمات سامانه"),
                    "core:site_settings",
                    "gear",
                    "core:site_settings",
                    "accounts.manage_settings",
                ),
                MenuItem(
                    _("سطل بازیافت"), "core:trash", "trash3", "core:trash", "accounts.manage_trash"
                ),
            ],
        ),
    ]


def upload_limit() -> dict:
    """The largest form body (files aside) the server reads, in megabytes: pages say it,
    and app.js stops a larger form before sending, with what was typed still in it."""
    return {"max_form_mb": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)}


def shell(request) -> dict:
    if request.resolver_match is None:  # an error page before the address was resolved
        return {"site_name": _("پیوند"), **upload_limit()}
    if not request.user.is_authenticated:
        # The sign-in, the portal, tracking and payment pages: the company's name, as the
        # signed-in pages show it (the portal's pages read the same row anyway).
        return {"site_name": site_settings_for(request).company_name, **upload_limit()}
    # Once per request: a record's page renders each module's panel as a template of its
    # own with the request (core.registry), and the menu is the same for all of them —
    # built seven times, it was a tenth of a contact's page under load.
    if not hasattr(request, "_shell_context"):
        request._shell_context = _shell(request)
    return request._shell_context


def _shell(request) -> dict:
    match = request.resolver_match
    current = f"{match.namespace}:{match.url_name}"
    sections = []
    for section in _menu():
        items = []
        for item in section.items:
            if item.permission and not request.user.has_perm(item.permission):
                continue
            item.url = reverse(item.url_name, args=item.args)
            item.active = current.startswith(item.namespace)
            items.append(item)
        if items:
            sections.append(MenuSection(section.title, items))
    # Where two items match the page (گزارش‌ها and داشبورد), the more specific one is lit.
    lit = [item for section in sections for item in section.items if item.active]
    for item in lit:
        item.active = len(item.namespace) == max(len(other.namespace) for other in lit)
    return {
        "site_name": site_settings_for(request).company_name,
        "app_version": __version__,
        "menu": sections,
        # Shown in the quick-create dialog's frame: the page without its shell.
        "in_dialog": in_dialog(request),
        # A string: an int would be rendered localised ("15,000"), which the script's
        # parseInt reads as 15 ms — a poll as fast as the server answers.
        "notification_poll_ms": str(int(settings.NOTIFICATION_POLL_SECONDS * 1000)),
        **upload_limit(),
    }
