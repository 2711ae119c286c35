"""The webhook pages (settings › وب‌هوک‌ها), for managers of automation."""

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.automation import services, webhooks
from peyvand.automation.forms import WebhookForm
from peyvand.automation.models import WebhookDelivery, WebhookSubscription
from peyvand.core.pagination import paginate

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
