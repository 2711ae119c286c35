"""The reviewed list of what the role editor offers: every permission of the project's
models is either *described* here — under a module, in plain Persian saying what it lets a
person do — or explicitly *internal* (no one manages it through a role). A test fails when
a model gains a permission that is neither, so the editor can never show a model name.

The codenames are plain strings, as in ``roles.py``: the accounts app names permissions of
the apps above it without importing them.

A permission is described only where the code checks it (``has_perm``, a view's
``permission_required``, a list's or report's ``permission``, ``perms.`` in a template); the
default add/change/delete/view permissions nothing checks are internal, because ticking them
would change nothing. A test scans the code for checked permissions hidden here.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    key: str
    label: str
    # Shown under the module's name in the editor, where the permissions need a word more.
    help: str = ""


GENERAL = Module("general", _("عمومی"))
CONTACTS = Module("contacts", _("مخاطبین"))
SALES = Module("sales", _("فروش"))
FINANCE = Module("finance", _("مالی"))
SERVICE = Module("service", _("پشتیبانی"))
ACTIVITIES = Module("activities", _("فعالیت‌ها"))
MESSAGING = Module("messaging", _("پیام‌ها"))
SURVEYS = Module("surveys", _("نظرسنجی"))
SETTINGS = Module("settings", _("مدیریت و تنظیمات"))

MODULES: tuple[Module, ...] = (
    GENERAL,
    CONTACTS,
    SALES,
    FINANCE,
    SERVICE,
    ACTIVITIES,
    MESSAGING,
    SURVEYS,
    SETTINGS,
)

# "app_label.codename" → (module, what it lets a person do), in the order the editor shows.
DESCRIBED: dict[str, tuple[Module, str]] = {
    "accounts.see_all": (
        GENERAL,
        _("دیدن پرونده‌های همه‌ی کاربران (نه فقط پرونده‌های خود و گروه خود)"),
    ),
    "core.share_savedview": (GENERAL, _("به اشتراک گذاشتن نمای ذخیره‌شده‌ی فهرست‌ها با گروه")),
    # Contacts and the phone book
    "contacts.view_contact": (CONTACTS, _("دیدن مخاطبین")),
    "contacts.add_contact": (CONTACTS, _("ثبت مخاطب تازه")),
    "contacts.change_contact": (CONTACTS, _("ویرایش مخاطبین، یادداشت‌ها و پیوست‌هایشان")),
    "contacts.delete_contact": (CONTACTS, _("حذف مخاطبین")),
    "contacts.merge_contact": (CONTACTS, _("ادغام مخاطبین تکراری")),
    "contacts.export_contact": (CONTACTS, _("خروجی گرفتن از فهرست مخاطبین")),
    "contacts.view_phonebookentry": (CONTACTS, _("دیدن دفترچه‌ی تلفن")),
    "contacts.add_phonebookentry": (CONTACTS, _("ثبت شماره در دفترچه‌ی تلفن")),
    "contacts.change_phonebookentry": (CONTACTS, _("ویرایش شماره‌های دفترچه‌ی تلفن")),
    "contacts.delete_phonebookentry": (CONTACTS, _("حذف شماره از دفترچه‌ی تلفن")),
    "contacts.manage_public_phonebook": (
        CONTACTS,
        _("ویرایش و حذف شماره‌های عمومی که دیگران ثبت کرده‌اند"),
    ),
    # Sales
    "sales.view_lead": (SALES, _("دیدن سرنخ‌ها")),
    "sales.add_lead": (SALES, _("ثبت سرنخ")),
    "sales.change_lead": (SALES, _("ویرایش سرنخ‌ها و تغییر مرحله‌ی آن‌ها")),
    "sales.delete_lead": (SALES, _("حذف سرنخ‌ها")),
    "sales.view_followup": (SALES, _("دیدن پیگیری‌ها")),
    "sales.add_followup": (SALES, _("ثبت پیگیری")),
    "sales.view_quote": (SALES, _("دیدن پیش‌فاکتورها")),
    "sales.add_quote": (SALES, _("ثبت پیش‌فاکتور")),
    "sales.change_quote": (SALES, _("ویرایش پیش‌فاکتورها")),
    "sales.sell_over_credit_limit": (SALES, _("فروش بیش از سقف اعتبار مشتری (با هشدار)")),
    "sales.view_invoice": (SALES, _("دیدن فاکتورها")),
    "sales.add_invoice": (SALES, _("صدور فاکتور")),
    "sales.view_product": (SALES, _("دیدن کالاها و خدمات")),
    "sales.add_product": (SALES, _("ثبت کالا یا خدمت")),
    "sales.change_product": (SALES, _("ویرایش کالاها و خدمات")),
    "sales.view_pricelist": (SALES, _("دیدن فهرست‌های قیمت")),
    "sales.add_pricelist": (SALES, _("ساختن فهرست قیمت")),
    "sales.change_pricelist": (SALES, _("ویرایش فهرست‌های قیمت")),
    # Money
    "finance.view_account": (FINANCE, _("دیدن حساب و مانده‌ی مشتریان")),
    "finance.change_account": (FINANCE, _("ثبت مانده‌ی اول دوره‌ی حساب مشتری")),
    "finance.view_receipt": (FINANCE, _("دیدن دریافت‌ها و پرداخت‌ها")),
    "finance.add_receipt": (FINANCE, _("ثبت دریافت و پرداخت")),
    "finance.change_receipt": (FINANCE, _("ویرایش دریافت‌ها و تسویه‌ی آن‌ها با بدهی‌ها")),
    "finance.delete_receipt": (FINANCE, _("حذف دریافت‌ها و پرداخت‌ها")),
    "finance.view_cheque": (FINANCE, _("دیدن چک‌ها")),
    "finance.manage_cheque": (FINANCE, _("تغییر وضعیت چک‌ها (وصول، برگشت، …)")),
    "finance.receive_cheque_alerts": (FINANCE, _("دریافت هشدار سررسید و برگشت چک‌ها")),
    "sales.view_vatrate": (FINANCE, _("دیدن نرخ‌های مالیات بر ارزش افزوده")),
    "sales.add_vatrate": (FINANCE, _("ثبت نرخ تازه‌ی مالیات بر ارزش افزوده")),
    "sales.change_vatrate": (FINANCE, _("ویرایش نرخ‌های مالیات بر ارزش افزوده")),
    "sales.add_fiscalyear": (FINANCE, _("افتتاح سال مالی تازه")),
    # Customer service
    "service.view_request": (SERVICE, _("دیدن درخواست‌ها")),
    "service.add_request": (SERVICE, _("ثبت درخواست")),
    "service.change_request": (SERVICE, _("رسیدگی به درخواست‌ها و ویرایش آن‌ها")),
    "service.delete_request": (SERVICE, _("حذف درخواست‌ها")),
    "service.view_complaint": (SERVICE, _("دیدن شکایت‌ها")),
    "service.add_complaint": (SERVICE, _("ثبت شکایت")),
    "service.change_complaint": (SERVICE, _("رسیدگی به شکایت‌ها و ویرایش آن‌ها")),
    "service.delete_complaint": (SERVICE, _("حذف شکایت‌ها")),
    "service.view_feedback": (SERVICE, _("دیدن پیشنهادها، هدیه‌ها و تخفیف‌ها")),
    "service.add_feedback": (SERVICE, _("ثبت پیشنهاد، هدیه یا تخفیف")),
    "service.delete_feedback": (SERVICE, _("حذف پیشنهادها، هدیه‌ها و تخفیف‌ها")),
    # Tasks, calendar, calls
    "activities.view_task": (ACTIVITIES, _("دیدن وظیفه‌ها")),
    "activities.add_task": (ACTIVITIES, _("ثبت وظیفه")),
    "activities.change_task": (ACTIVITIES, _("ویرایش وظیفه‌ها و انجام‌شده زدن آن‌ها")),
    "activities.assign_task": (ACTIVITIES, _("واگذاری وظیفه به دیگران")),
    "activities.view_event": (ACTIVITIES, _("دیدن تقویم و رویدادها")),
    "activities.add_event": (ACTIVITIES, _("ثبت رویداد در تقویم")),
    "activities.change_event": (ACTIVITIES, _("ویرایش رویدادها")),
    "activities.delete_event": (ACTIVITIES, _("حذف رویدادها")),
    "activities.view_call": (ACTIVITIES, _("دیدن تماس‌ها")),
    "activities.add_call": (ACTIVITIES, _("ثبت تماس")),
    "activities.change_call": (ACTIVITIES, _("ویرایش تماس‌ها")),
    # SMS and email
    "messaging.view_message": (MESSAGING, _("دیدن پیامک‌ها و ایمیل‌های فرستاده‌شده")),
    "messaging.send_message": (MESSAGING, _("فرستادن پیامک و ایمیل")),
    "messaging.view_broadcast": (MESSAGING, _("دیدن ارسال‌های گروهی")),
    "messaging.send_broadcast": (MESSAGING, _("فرستادن پیامک و ایمیل گروهی")),
    "messaging.view_contactgroup": (MESSAGING, _("دیدن گروه‌های ارسال")),
    "messaging.add_contactgroup": (MESSAGING, _("ساختن گروه ارسال")),
    "messaging.change_contactgroup": (MESSAGING, _("ویرایش گروه‌های ارسال و اعضایشان")),
    "messaging.delete_contactgroup": (MESSAGING, _("حذف گروه‌های ارسال")),
    "messaging.view_occasion": (MESSAGING, _("دیدن مناسبت‌ها")),
    "messaging.add_occasion": (MESSAGING, _("ثبت مناسبت")),
    "messaging.change_occasion": (MESSAGING, _("ویرایش مناسبت‌ها")),
    "messaging.delete_occasion": (MESSAGING, _("حذف مناسبت‌ها")),
    "messaging.manage_messaging": (
        MESSAGING,
        _("مدیریت الگوهای پیام و تنظیمات پیامک و ایمیل"),
    ),
    # Surveys
    "surveys.view_project": (SURVEYS, _("دیدن پروژه‌های نظرسنجی")),
    "surveys.add_project": (SURVEYS, _("ساختن پروژه‌ی نظرسنجی")),
    "surveys.change_project": (SURVEYS, _("ویرایش پروژه‌های نظرسنجی")),
    "surveys.delete_project": (SURVEYS, _("حذف پروژه‌های نظرسنجی")),
    "surveys.view_surveyresponse": (SURVEYS, _("دیدن پاسخ‌های نظرسنجی")),
    "surveys.add_surveyresponse": (SURVEYS, _("ثبت پاسخ نظرسنجی")),
    # Running the system
    "accounts.manage_users": (SETTINGS, _("مدیریت کاربران، گروه‌های کاربران و نقش‌ها")),
    "accounts.manage_settings": (
        SETTINGS,
        _("تغییر تنظیمات سامانه، کدینگ عمومی، اطلاعات تکمیلی و تقویم کاری"),
    ),
    "automation.manage_automation": (
        SETTINGS,
        _("مدیریت خودکارسازی: فرم‌ها و ارسال‌هایشان، قانون‌های خودکار و وب‌هوک‌ها"),
    ),
    "accounts.manage_trash": (SETTINGS, _("دیدن سطل بازیافت و بازگرداندن پرونده‌های حذف‌شده")),
}

# Models no one manages through a role: every permission of theirs is internal. Their pages,
# if any, are guarded by another permission (named in the comment).
INTERNAL_MODELS: frozenset[str] = frozenset({
    # Machinery: history, undo, numbering, locks, jobs, per-user list settings.
    "core.changerecord", "core.deletionundo", "core.schedulelease", "core.workerheartbeat",
    "core.importjob", "core.importissue", "core.exportjob", "core.listpreference",
    # Settings pages: accounts.manage_settings.
    "core.sequence", "core.holidayoverride", "core.sitesettings",
    # Notes and attachments follow their record's change permission.
    "core.attachment", "core.note",
    # Teams: accounts.manage_users; API tokens: each user's own.
    "accounts.team", "accounts.apitoken",
    # Lookup lists, custom fields, contact categories and regions: accounts.manage_settings.
    "lookups.acquaintancesource", "lookups.position", "lookups.channel",
    "lookups.followupresult", "lookups.urgency", "lookups.requesttype", "lookups.grade",
    "customfields.customfield", "contacts.category", "contacts.region",
    # Parts of a contact, edited with it.
    "contacts.contactphone", "contacts.contactbankaccount", "contacts.contactaddress",
    # Messaging: templates and settings are messaging.manage_messaging; members, opt-outs
    # and attachments are parts of groups and messages.
    "messaging.messagetemplate", "messaging.messagingsettings", "messaging.contactgroupmember",
    "messaging.optout", "messaging.messageattachment",
    # Mailboxes, the Bale bot, the SMS provider and the mail server are messaging
    # settings (messaging.manage_messaging); a customer's chat link is made by the bot.
    "messaging.mailbox", "messaging.balesettings", "messaging.messengerlink",
    "messaging.smssettings", "messaging.smtpsettings",
    # Each user's own notifications, reminders and calendar link.
    "activities.notification", "activities.reminder", "activities.calendarfeed",
    # Lines and instalments are parts of their price list, quote or invoice.
    "sales.pricelistitem", "sales.quoteline", "sales.invoiceline", "sales.quoteinstalment",
    "sales.invoiceinstalment",
    # The ledger, allocations and cheque history are written by the receipt and cheque
    # services; bank accounts, settings and the tax system are accounts.manage_settings;
    # online payments are the customer's.
    "finance.entry", "finance.allocation", "finance.chequeevent", "finance.bankaccount",
    "finance.onlinepayment", "tax.moadiansettings", "tax.taxsubmission",
    # Settings: accounts.manage_settings (questionnaires too); answers are parts of a response.
    "service.servicesettings", "surveys.questionnaire", "surveys.question", "surveys.answer",
    # The customer portal's own sign-in.
    "portal.portalaccess", "portal.portalcode",
    # A webhook's deliveries, a rule's runs, a form's fields and submissions:
    # automation.manage_automation, like them.
    "automation.webhookdelivery", "automation.rulerun", "automation.formfield",
    "automation.formsubmission",
    # The API's idempotency keys: each caller's own, kept by the API.
    "api.idempotentrequest",
})  # fmt: skip

# Permissions of described models that nothing checks: ticking them would change nothing.
UNCHECKED: frozenset[str] = frozenset({
    "core.add_savedview", "core.change_savedview", "core.delete_savedview",
    "core.view_savedview",
    "accounts.add_user", "accounts.change_user", "accounts.delete_user", "accounts.view_user",
    "messaging.add_broadcast", "messaging.change_broadcast", "messaging.delete_broadcast",
    "messaging.add_message", "messaging.change_message", "messaging.delete_message",
    "activities.delete_task", "activities.delete_call",
    "sales.change_followup", "sales.delete_followup", "sales.delete_product",
    "sales.delete_pricelist", "sales.delete_vatrate", "sales.delete_quote",
    "sales.change_invoice", "sales.delete_invoice",
    "sales.change_fiscalyear", "sales.delete_fiscalyear", "sales.view_fiscalyear",
    "finance.add_cheque", "finance.change_cheque", "finance.delete_cheque",
    "finance.add_account", "finance.delete_account",
    "finance.add_financesettings", "finance.change_financesettings",
    "finance.delete_financesettings", "finance.view_financesettings",
    "service.change_feedback",
    "surveys.change_surveyresponse", "surveys.delete_surveyresponse",
    # Webhooks, rules and forms: automation.manage_automation.
    "automation.add_webhooksubscription", "automation.change_webhooksubscription",
    "automation.delete_webhooksubscription", "automation.view_webhooksubscription",
    "automation.add_rule", "automation.change_rule", "automation.delete_rule",
    "automation.view_rule", "automation.add_form", "automation.change_form",
    "automation.delete_form", "automation.view_form",
})  # fmt: skip


def permission_key(permission: Permission) -> str:
    return f"{permission.content_type.app_label}.{permission.codename}"


def is_internal(app_label: str, model_name: str, codename: str) -> bool:
    """Whether the registry marks this permission as no one's to manage through a role."""
    return f"{app_label}.{model_name}" in INTERNAL_MODELS or f"{app_label}.{codename}" in UNCHECKED


def described_permissions() -> QuerySet[Permission]:
    """The permissions the role editor offers (unordered; ``grouped`` orders them)."""
    wanted = Q(pk__in=[])
    for key in DESCRIBED:
        app_label, codename = key.split(".", 1)
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(wanted).select_related("content_type")


def label(permission: Permission) -> str:
    return str(DESCRIBED[permission_key(permission)][1])


def grouped(permissions) -> list[tuple[Module, list[Permission]]]:
    """The described ones among ``permissions``, per module in the registry's order; the
    modules without any are left out."""
    order = {key: position for position, key in enumerate(DESCRIBED)}
    by_module: dict[str, list[Permission]] = {}
    for permission in permissions:
        key = permission_key(permission)
        if key in DESCRIBED:
            by_module.setdefault(DESCRIBED[key][0].key, []).append(permission)
    return [
        (module, sorted(by_module[module.key], key=lambda p: order[permission_key(p)]))
        for module in MODULES
        if module.key in by_module
    ]
