"""The automation pages (settings › قانون‌های خودکار، وب‌هوک‌ها), for its managers."""

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.automation import rules, services, webhooks
from peyvand.automation.actions import ACTIONS
from peyvand.automation.defaults import ensure_default_rules
from peyvand.automation.forms import RuleForm, WebhookForm, action_forms, stored_actions
from peyvand.automation.models import Rule, RuleRun, WebhookDelivery, WebhookSubscription
from peyvand.core.lists.views import filter_bar
from peyvand.core.pagination import paginate
from peyvand.lookups.models import FollowUpResult

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
            preview = rules.preview(draft)
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
            "preview": rules.preview(rule) if spec else [],
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
