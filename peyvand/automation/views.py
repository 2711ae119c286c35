"""The automation pages (settings › قانون‌های خودکار، وب‌هوک‌ها), for its managers."""

import logging

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.automation import rules, services, webhooks
from peyvand.automation.actions import ACTIONS
from peyvand.automation.defaults import ensure_default_rules
from peyvand.automation.forms import (
    FormFieldForm,
    FormSettingsForm,
    RuleForm,
    WebhookForm,
    action_forms,
    stored_actions,
)
from peyvand.automation.models import (
    Form,
    FormField,
    Rule,
    RuleRun,
    WebhookDelivery,
    WebhookSubscription,
)
from peyvand.automation.submissions import (
    CONTACT_KINDS,
    LIMIT,
    WINDOW_SECONDS,
    PublicForm,
    submit,
)
from peyvand.core import throttle
from peyvand.core.exports import Column as ExportColumn
from peyvand.core.exports import csv_response, download_name, xlsx_response
from peyvand.core.lists.views import filter_bar
from peyvand.core.pagination import paginate
from peyvand.core.throttle import client_address
from peyvand.lookups.models import FollowUpResult

logger = logging.getLogger("peyvand.forms")
User = get_user_model()
manage_permission = permission_required("automation.manage_automation", raise_exception=True)

# The session key of a secret just made: shown once, on the next page, to whoever made it.
NEW_SECRET = "automation_new_webhook_secret"  # noqa: S105 - a session key
DELIVERIES_PER_PAGE = 25


def _owners_for(user):
    """Whose view of the records a webhook may send: anyone's for a user who sees every
    record; otherwise only their own (a webhook must not widen what its maker sees)."""
    if user.has_perm("accounts.see_all"):
        return User.objects.filter(is_active=True)
    return User.objects.filter(pk=user.pk)


@manage_permission
def webhook_list(request: HttpRequest) -> HttpResponse:
    subscriptions = WebhookSubscription.objects.select_related("owner").defer("secret")
    return render(request, "automation/webhook_list.html", {"subscriptions": subscriptions})


@manage_permission
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    subscription = (
        get_object_or_404(WebhookSubscription, pk=pk)
        if pk
        else WebhookSubscription(owner=request.user)
    )
    form = WebhookForm(request.POST or None, instance=subscription, users=_owners_for(request.user))
    if request.method == "POST" and form.is_valid():
        subscription, secret = services.subscription_save(
            subscription=form.save(commit=False), by=request.user
        )
        if secret:
            request.session[NEW_SECRET] = {"pk": subscription.pk, "secret": secret}
        flash.success(request, _("وب‌هوک «%(name)s» ذخیره شد.") % {"name": subscription.name})
        return redirect("automation:webhook_detail", subscription.pk)
    return render(
        request, "automation/webhook_form.html", {"form": form, "subscription": subscription}
    )


@manage_permission
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(WebhookSubscription.objects.select_related("owner"), pk=pk)
    new_secret = request.session.pop(NEW_SECRET, None)
    if new_secret and new_secret["pk"] != subscription.pk:
        new_secret = None
    status = request.GET.get("status", "")
    deliveries = subscription.deliveries.select_related("content_type").order_by(
        "-created_at", "-id"
    )
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = paginate(deliveries, request.GET.get("page"), DELIVERIES_PER_PAGE)
    records = _records_seen_by(request.user, page.items)
    for delivery in page.items:
        delivery.event_label = webhooks.event_label(delivery.event)
        delivery.record_seen = records.get((delivery.content_type_id, delivery.object_id))
    context = {
        "subscription": subscription,
        "new_secret": new_secret["secret"] if new_secret else "",
        "page": page,
        "status": status,
        "statuses": WebhookDelivery.Status.choices,
        "chosen_events": [webhooks.event_label(event) for event in subscription.events],
    }
    return render(request, "automation/webhook_detail.html", context)


def _records_seen_by(user, deliveries) -> dict[tuple[int, int], object]:
    """The deliveries' records this reader may see (their name and link on the log),
    one query per record type on the page."""
    wanted: dict[int, set[int]] = {}
    types = {}
    for delivery in deliveries:
        if delivery.content_type_id:
            wanted.setdefault(delivery.content_type_id, set()).add(delivery.object_id)
            types[delivery.content_type_id] = delivery.content_type
    found = {}
    for type_id, ids in wanted.items():
        model = types[type_id].model_class()
        if model is None:
            continue
        for record in model.all_objects.visible_to(user).filter(pk__in=ids):
            found[(type_id, record.pk)] = record
    return found


@manage_permission
@require_POST
def webhook_secret(request: HttpRequest, pk: int) -> HttpResponse:
    """A new signing secret, shown once on the next page; the old one stops at once."""
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    secret = services.subscription_new_secret(subscription=subscription, by=request.user)
    request.session[NEW_SECRET] = {"pk": subscription.pk, "secret": secret}
    flash.success(request, _("کلید امضای تازه ساخته شد؛ کلید پیشین دیگر پذیرفته نیست."))
    return redirect("automation:webhook_detail", subscription.pk)


@manage_permission
@require_POST
def webhook_ping(request: HttpRequest, pk: int) -> HttpResponse:
    """A test delivery, sent now; the page says what the receiver answered."""
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    delivery = webhooks.ping(subscription)
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        flash.success(
            request,
            _("گیرنده پیام آزمایشی را پذیرفت (پاسخ %(status)s).")
            % {"status": delivery.response_status},
        )
    else:
        flash.error(request, _("آزمایش ناموفق: %(error)s") % {"error": delivery.last_error})
    return redirect("automation:webhook_detail", subscription.pk)


@manage_permission
@require_POST
def delivery_resend(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    if webhooks.resend(delivery):
        flash.success(request, _("ارسال دوباره در نوبت قرار گرفت."))
    else:
        flash.error(request, _("فقط ارسال ناموفق یا فرستاده‌نشده دوباره فرستاده می‌شود."))
    return redirect("automation:webhook_detail", delivery.subscription_id)


# Rules ----------------------------------------------------------------------------------

RUNS_PER_PAGE = 25


def _link_base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _spec_or_404(key: str):
    spec = rules.rule_lists().get(key)
    if spec is None:
        raise Http404
    return spec


@manage_permission
def rule_list(request: HttpRequest) -> HttpResponse:
    ensure_default_rules(request.user)
    items = list(Rule.objects.select_related("owner"))
    kinds = rules.rule_lists()
    for rule in items:
        spec = kinds.get(rule.list_key)
        rule.kind_label = spec.label if spec else rule.list_key
    return render(request, "automation/rule_list.html", {"rules": items})


@manage_permission
def rule_new(request: HttpRequest) -> HttpResponse:
    """First the record type (its filters are the rule's conditions), then the form."""
    kinds = sorted(rules.rule_lists().items(), key=lambda item: str(item[1].label))
    return render(request, "automation/rule_new.html", {"kinds": kinds})


@manage_permission
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int | None = None, kind: str = "") -> HttpResponse:
    if pk:
        rule = get_object_or_404(Rule, pk=pk)
        spec = _spec_or_404(rule.list_key)
    else:
        spec = _spec_or_404(kind)
        rule = Rule(list_key=kind, owner=request.user, trigger=Rule.Trigger.CREATED)
        # A new rule starts from every record of the type (a list's defaults — open
        # leads only — are a page's convenience, not a rule's intent).
        rule.conditions = spec.everything().urlencode()
    posted = request.POST if request.method == "POST" else None
    form = RuleForm(
        posted, instance=rule, spec=spec, users=_owners_for(request.user), prefix="rule"
    )
    actions = action_forms(rule, spec.model, posted)
    params = QueryDict(rule.conditions) if posted is None else posted
    reading = spec.read(params, request.user)
    preview = None
    if posted is not None:
        conditions = rules.conditions_from(spec, posted)
        # Every form checked (each shows its own errors), not just up to the first bad one.
        checked = [form.is_valid(), *(action.is_valid() for _key, action in actions)]
        valid = all(checked)
        chosen = stored_actions(actions) if valid else []
        if valid and not chosen:
            form.add_error(None, _("دست‌کم یک کار را روشن کنید."))
            valid = False
        if valid and "preview" in posted:
            draft = form.save(commit=False)
            draft.conditions, draft.actions = conditions, chosen
            preview = rules.preview(draft, request.user)
        elif valid:
            rule = form.save(commit=False)
            rule.conditions, rule.actions = conditions, chosen
            services.rule_save(rule=rule, by=request.user, link_base=_link_base(request))
            flash.success(request, _("قانون «%(name)s» ذخیره شد.") % {"name": rule.name})
            return redirect("automation:rule_detail", rule.pk)
    return render(
        request,
        "automation/rule_form.html",
        {
            "form": form,
            "rule": rule,
            "spec": spec,
            "actions": [(ACTIONS[key], action) for key, action in actions],
            "bar": filter_bar(spec, reading),
            "reading": reading,
            "preview": preview,
        },
    )


@manage_permission
def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule.objects.select_related("owner", "last_assignee"), pk=pk)
    spec = rules.spec_of(rule)
    runs = rule.runs.select_related("content_type")
    status = request.GET.get("status", "")
    if status in RuleRun.Status.values:
        runs = runs.filter(status=status)
    page = paginate(runs, request.GET.get("page"), RUNS_PER_PAGE)
    _name_records(page.items, request.user)
    return render(
        request,
        "automation/rule_detail.html",
        {
            "rule": rule,
            "spec": spec,
            "chips": rules.condition_chips(rule) if spec else [],
            "field_label": _trigger_field_label(rule, spec),
            "actions": [
                (ACTIONS[item["kind"]], item)
                for item in rule.actions
                if item.get("kind") in ACTIONS
            ],
            "preview": rules.preview(rule, request.user) if spec else [],
            "page": page,
            "status": status,
            "statuses": RuleRun.Status.choices,
        },
    )


def _name_records(runs: list[RuleRun], user) -> None:
    """Each run's record by name, one query per record type on the page; a record the
    reader may not see is named by its type and number only (its page answers 404)."""
    by_type: dict = {}
    for run in runs:
        by_type.setdefault(run.content_type, []).append(run)
    for content_type, group in by_type.items():
        model = content_type.model_class()
        names = (
            {record.pk: str(record) for record in
             model.all_objects.visible_to(user).filter(pk__in=[run.object_id for run in group])}
            if model else {}
        )  # fmt: skip
        for run in group:
            label = f"{model._meta.verbose_name} {run.object_id}" if model else ""
            run.record_label = names.get(run.object_id, label)
            # What was done to a record the reader may not see is not theirs to read.
            run.visible = run.object_id in names
            run.record_url = model(pk=run.object_id).get_absolute_url() if model else ""


def _trigger_field_label(rule: Rule, spec) -> str:
    if not rule.trigger_field or spec is None:
        return ""
    if rule.trigger == Rule.Trigger.FOLLOWUP:
        result = FollowUpResult.objects.filter(pk=rule.trigger_field).first()
        return _("با نتیجه‌ی %(name)s") % {"name": result} if result else ""
    try:
        return str(spec.model._meta.get_field(rule.trigger_field).verbose_name)
    except FieldDoesNotExist:
        return rule.trigger_field


@manage_permission
@require_POST
def rule_switch(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=pk)
    on = request.POST.get("on") == "1"
    services.rule_switch(rule=rule, on=on, by=request.user, link_base=_link_base(request))
    message = _("قانون «%(name)s» روشن شد.") if on else _("قانون «%(name)s» خاموش شد.")
    flash.success(request, message % {"name": rule.name})
    return redirect("automation:rule_detail", rule.pk)


# Forms ----------------------------------------------------------------------------------

SUBMISSIONS_PER_PAGE = 25


@manage_permission
def form_list(request: HttpRequest) -> HttpResponse:
    items = Form.objects.select_related("owner").annotate(count=Count("submissions"))
    return render(request, "automation/form_list.html", {"forms": items})


@manage_permission
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    form_obj = get_object_or_404(Form, pk=pk) if pk else Form(owner=request.user)
    settings_form = FormSettingsForm(
        request.POST or None, instance=form_obj, users=_owners_for(request.user)
    )
    if request.method == "POST" and settings_form.is_valid():
        saved = settings_form.save()
        flash.success(request, _("فرم «%(name)s» ذخیره شد.") % {"name": saved.name})
        return redirect("automation:form_detail", saved.pk)
    return render(
        request, "automation/form_edit.html", {"form": settings_form, "form_obj": form_obj}
    )


@manage_permission
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    form_obj = get_object_or_404(Form.objects.select_related("owner", "source"), pk=pk)
    public_url = request.build_absolute_uri(reverse("form_public", args=[form_obj.key]))
    return render(
        request,
        "automation/form_detail.html",
        {
            "form_obj": form_obj,
            "fields": list(form_obj.fields.select_related("show_if")),
            "public_url": public_url,
            "snippet": (
                f'<iframe src="{escape(public_url)}?embed=1" title="{escape(form_obj.title)}" '
                'width="100%" height="720" loading="lazy"></iframe>'
            ),
            "no_contact_field": form_obj.creates == Form.Creates.LEAD
            and not any(
                field.kind in CONTACT_KINDS and field.required and field.show_if_id is None
                for field in form_obj.fields.all()
            ),
            "count": form_obj.submissions.count(),
        },
    )


@manage_permission
@require_http_methods(["GET", "POST"])
def field_edit(request: HttpRequest, pk: int | None = None, form_pk: int | None = None):
    if pk:
        field = get_object_or_404(FormField.objects.select_related("form"), pk=pk)
    else:
        form_obj = get_object_or_404(Form, pk=form_pk)
        last = form_obj.fields.order_by("-order").values_list("order", flat=True).first()
        field = FormField(form=form_obj, order=(last or 0) + 1, kind=FormField.Kind.TEXT)
    field_form = FormFieldForm(request.POST or None, instance=field)
    if request.method == "POST" and field_form.is_valid():
        field_form.save()
        flash.success(request, _("فیلد «%(label)s» ذخیره شد.") % {"label": field.label})
        return redirect("automation:form_detail", field.form_id)
    return render(
        request,
        "automation/field_edit.html",
        {"form": field_form, "field": field, "form_obj": field.form},
    )


@manage_permission
@require_POST
def field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(FormField, pk=pk)
    # Its answers stay on the submissions already made (kept as text).
    field.delete()
    flash.success(request, _("فیلد «%(label)s» حذف شد.") % {"label": field.label})
    return redirect("automation:form_detail", field.form_id)


@manage_permission
@require_POST
def field_move(request: HttpRequest, pk: int) -> HttpResponse:
    field = get_object_or_404(FormField, pk=pk)
    services.field_move(field=field, up=request.POST.get("to") == "up")
    return redirect("automation:form_detail", field.form_id)


def _submission_rows(form_obj: Form):
    return form_obj.submissions.select_related("contact", "content_type")


def _submission_columns(form_obj: Form) -> list[ExportColumn]:
    labels = [field.label for field in form_obj.fields.exclude(kind=FormField.Kind.SECTION)]

    def answer(label):
        return lambda row: next(
            (item["value"] for item in row.answers if item["label"] == label), ""
        )

    return [
        ExportColumn(_("زمان ارسال"), lambda row: row.created_at, "date"),
        ExportColumn(_("مخاطب"), lambda row: str(row.contact) if row.contact else ""),
        *(ExportColumn(label, answer(label)) for label in labels),
    ]


@manage_permission
def submission_list(request: HttpRequest, pk: int) -> HttpResponse:
    form_obj = get_object_or_404(Form, pk=pk)
    page = paginate(_submission_rows(form_obj), request.GET.get("page"), SUBMISSIONS_PER_PAGE)
    _name_records([item for item in page.items if item.content_type_id], request.user)
    return render(request, "automation/submission_list.html", {"form_obj": form_obj, "page": page})


@manage_permission
def submission_export(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    if file_format not in ("csv", "xlsx"):
        raise Http404
    form_obj = get_object_or_404(Form, pk=pk)
    rows = _submission_rows(form_obj).iterator()
    columns = _submission_columns(form_obj)
    name = download_name(_("ارسال‌های فرم %(name)s") % {"name": form_obj.name}, file_format)
    if file_format == "csv":
        return csv_response(rows, columns, name)
    return xlsx_response(rows, columns, name, str(form_obj.name)[:31])


@login_not_required
@csrf_exempt  # a visitor's form, embedded in other sites: spam is kept out otherwise
@require_http_methods(["GET", "POST"])
def form_public(request: HttpRequest, key: str) -> HttpResponse:
    """A published form, for anyone (the visitor) or a user filling it inside Peyvand."""
    form_obj = get_object_or_404(Form.objects.select_related("owner", "source"), key=key)
    staff = request.user.is_authenticated and request.user.has_perm("automation.manage_automation")
    if not form_obj.is_published and not staff:
        raise Http404
    embed = request.GET.get("embed") == "1"
    public_form = PublicForm(request.POST or None, request.FILES or None, form=form_obj)
    context = {"form_obj": form_obj, "form": public_form, "embed": embed}
    status = 200
    if request.method == "POST":
        if not public_form.is_valid():
            status = 400
        elif public_form.is_spam():
            context["sent"] = True  # thanked, so a program learns nothing; nothing kept
        elif not request.user.is_authenticated and not throttle.allow(
            f"form:{form_obj.pk}:{client_address(request)}",
            limit=LIMIT,
            window_seconds=WINDOW_SECONDS,
        ):
            # Only what would be kept counts: a visitor's typos cost them nothing.
            public_form.add_error(
                None, _("ارسال‌های زیادی از این نشانی رسیده است؛ یک ساعت دیگر دوباره بفرستید.")
            )
            status = 429
        else:
            by = request.user if request.user.is_authenticated else None
            submission = submit(form_obj, public_form, by=by)
            logger.info("Form %s sent: submission %s", form_obj.pk, submission.pk)
            context["sent"] = True
    response = render(request, "automation/form_public.html", context, status=status)
    origins = form_obj.embed_origins()
    if embed and origins:
        response._csp_replace = {"frame-ancestors": ["'self'", *origins]}
        response.xframe_options_exempt = True
    return response
