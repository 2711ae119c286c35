from django.apps import apps
from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.accounts.models import User
from peyvand.contacts.lists import CONTACTS
from peyvand.contacts.models import Contact
from peyvand.core.access import get_visible_or_404, own_url
from peyvand.core.attachments import attachments_of
from peyvand.core.history import snapshot
from peyvand.core.lists.views import list_context
from peyvand.core.models import SiteSettings
from peyvand.core.pagination import paginate
from peyvand.core.params import id_list_param, int_param
from peyvand.core.registry import conversation_kinds
from peyvand.core.services import record_delete
from peyvand.core.versions import StaleEdit
from peyvand.messaging import bale, mail_in, services, smtp
from peyvand.messaging.forms import (
    OCCASION_PRESETS,
    BaleSettingsForm,
    BroadcastForm,
    ContactGroupForm,
    MailboxForm,
    MessageTemplateForm,
    MessagingSettingsForm,
    OccasionForm,
    RecordMessageForm,
    ReplyForm,
    SmsSettingsForm,
    SmtpSettingsForm,
)
from peyvand.messaging.gateways import (
    GatewayError,
    backend_label,
    get_sms_gateway,
    provider_reference,
    sms_backend,
    sms_config,
)
from peyvand.messaging.lists import MESSAGES
from peyvand.messaging.models import (
    BaleSettings,
    Broadcast,
    Channel,
    ContactGroup,
    Mailbox,
    Message,
    MessageAttachment,
    MessageTemplate,
    MessagingSettings,
    Occasion,
    SmsSettings,
    SmtpSettings,
)
from peyvand.messaging.selectors import broadcast_progress, capped_count, opted_out_channels
from peyvand.messaging.text import PLACEHOLDERS, contact_values, placeholder_values, sms_length
from peyvand.messaging.text import render as fill

send_permission = permission_required("messaging.send_message", raise_exception=True)
broadcast_permission = permission_required("messaging.send_broadcast", raise_exception=True)
manage_permission = permission_required("messaging.manage_messaging", raise_exception=True)


def _templates_json() -> list[dict]:
    return [
        {"id": t.pk, "channel": t.channel, "subject": t.subject, "body": t.body}
        for t in MessageTemplate.objects.filter(is_active=True)
    ]


def _compose_context(form, **extra) -> dict:
    return {
        "form": form,
        "placeholders": PLACEHOLDERS,
        "templates_json": _templates_json(),
        **extra,
    }


# One message -------------------------------------------------------------------------


@send_permission
@require_http_methods(["GET", "POST"])
def message_send(request: HttpRequest, contact_pk: int) -> HttpResponse:
    """SMS, email or Bale to one contact, from its page; an email may carry files."""
    contact = get_visible_or_404(Contact, request.user, contact_pk)
    context = {"opted_out_channels": opted_out_channels(contact)}
    return _message_page(request, contact, None, "messaging/send.html", context)


def _message_page(request, contact, record, template: str, context: dict) -> HttpResponse:
    """The page that writes to a customer, from their card (``record`` None) or about
    one of their records, whose conversation the message joins (an email's answer comes
    back to it: threading, the code in the subject, the support mailbox as its From).
    An email may carry uploaded files and the files kept on the card or record."""
    initial = {"channel": request.GET.get("channel", Channel.EMAIL if record else Channel.SMS)}
    if record is not None:
        initial["subject"] = str(record)
    form = RecordMessageForm(
        request.POST or None,
        request.FILES or None,
        record_files=attachments_of(record or contact),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        files = [(upload.name, upload.read(), kind.mime_type) for upload, kind in data["files"]]
        for kept in data.get("record_files") or []:
            with kept.file.open("rb") as handle:
                files.append((kept.original_name, handle.read(), kept.mime_type))
        try:
            message = services.message_to_contact(
                contact=contact,
                channel=data["channel"],
                subject=data["subject"],
                body=data["body"],
                scheduled_at=data["scheduled_at"],
                by=request.user,
                related=record,
                attachments=files,
            )
        except services.NotSendable as error:
            form.add_error(None, str(error))
        else:
            flash.success(
                request,
                _("پیام برای ارسال در صف قرار گرفت؛ وضعیتش را در گفتگو با مشتری ببینید.")
                if message.scheduled_at <= message.created_at
                else _("پیام برای ارسال در زمان تعیین‌شده در صف قرار گرفت."),
            )
            return redirect(record or contact)
    context = _compose_context(form, record=record, contact=contact, **context)
    return render(request, template, context)


@send_permission
@require_POST
def message_preview(request: HttpRequest) -> HttpResponse:
    """The live preview under the editor: the text as the (first) recipient will read
    it, and for SMS the characters and parts it takes."""
    contact = None
    if contact_pk := int_param(request.POST, "contact"):
        contact = Contact.objects.visible_to(request.user).filter(pk=contact_pk).first()
    values = placeholder_values(
        contact=contact, sender=request.user, company_name=SiteSettings.load().company_name
    )
    if contact is None:  # a broadcast: show how a sample recipient reads it
        values |= contact_values(_("علی رضایی"), _("شرکت نمونه"), "C000123")
    body = fill(request.POST.get("body", ""), values)
    context = {
        "body": body,
        "subject": fill(request.POST.get("subject", ""), values),
        "channel": request.POST.get("channel", Channel.SMS),
        "length": sms_length(body),
    }
    return render(request, "messaging/_preview.html", context)


@permission_required("messaging.view_message", raise_exception=True)
def message_list(request: HttpRequest) -> HttpResponse:
    """The outbox as the user may see it (messaging.lists.MESSAGES): text, status,
    channel, time of registration, sender, contact, gateway, broadcast."""
    context = list_context(request, MESSAGES)
    gateway = sms_backend()
    context["gateway_label"] = _(gateway.label)
    context["gateway_description"] = _(gateway.description)
    return render(request, "messaging/list.html", context)


@permission_required("messaging.view_message", raise_exception=True)
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_visible_or_404(
        Message, request.user, pk, Message.objects.select_related("owner", "contact")
    )
    if message.unseen and message.owner_id == request.user.pk:
        # Opened by whom it is for: no longer «تازه» (a teammate's look leaves it so).
        message.seen_at = timezone.now()
        Message.objects.filter(pk=message.pk, seen_at__isnull=True).update(seen_at=message.seen_at)
    # A secret text's length is no one's business either.
    length = None if message.is_secret else sms_length(message.body)
    context = {
        "message": message,
        "length": length,
        "backend": backend_label(message.backend),
        "provider_reference": provider_reference(message.backend, message.provider_id),
        "html": message.html,
        "showing_images": False,
    }
    # «نمایش تصاویر»: the reader asked for the remote images (the sender may learn the
    # email was read); the page's policy lets images from the web in for this answer.
    if request.GET.get("images") == "1" and message.remote_images and message.raw:
        context["html"] = mail_in.html_with_images(message)
        context["showing_images"] = True
    response = render(request, "messaging/detail.html", context)
    if context["showing_images"]:
        response._csp_update = {"img-src": ["https:", "http:"]}
    return response


@send_permission
@require_http_methods(["GET", "POST"])
def message_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """An SMS back to the customer who wrote (a received message the user may see)."""
    received = get_visible_or_404(
        Message, request.user, pk, Message.objects.filter(direction=Message.Direction.IN)
    )
    form = ReplyForm(
        request.POST or None,
        channel=received.channel,
        subject=services.reply_subject(received),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.message_reply(
                received=received,
                body=data["body"],
                subject=data.get("subject", ""),
                scheduled_at=data["scheduled_at"],
                by=request.user,
            )
        except services.NotSendable as error:
            form.add_error(None, str(error))
        else:
            flash.success(request, _("پاسخ برای ارسال در صف قرار گرفت."))
            return redirect(received.related or received.contact or received)
    return render(request, "messaging/reply.html", _compose_context(form, received=received))


@send_permission
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_visible_or_404(Message, request.user, pk)
    try:
        services.message_retry(message=message, by=request.user)
    except services.NotSendable as error:
        flash.error(request, str(error))
    else:
        flash.success(request, _("پیام دوباره در صف ارسال قرار گرفت."))
    return redirect(own_url(request, request.POST.get("next", "")) or message.get_absolute_url())


@send_permission
@require_POST
def message_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_visible_or_404(Message, request.user, pk)
    if services.message_cancel(message=message, by=request.user):
        flash.success(request, _("ارسال پیام لغو شد."))
    else:
        flash.error(request, _("پیام دیگر در صف نیست و لغو نمی‌شود."))
    return redirect(message)


@send_permission
@require_POST
def opt_out_toggle(request: HttpRequest, contact_pk: int) -> HttpResponse:
    """Records (or withdraws) a contact's wish not to receive SMS or email."""
    contact = get_visible_or_404(Contact, request.user, contact_pk)
    channel = request.POST.get("channel")
    address = services.contact_address(contact, channel) if channel in Channel.values else ""
    if not address:
        flash.error(request, _("این مخاطب برای این نوع پیام نشانی یا شماره‌ای ندارد."))
    elif request.POST.get("action") == "clear":
        services.opt_out_clear(address=address)
        flash.success(request, _("مخاطب دوباره پیام دریافت می‌کند."))
    else:
        try:
            services.opt_out_set(
                address=address, channel=channel, contact=contact, by=request.user, reason=""
            )
        except ValidationError as error:
            flash.error(request, error.messages[0])
        else:
            flash.success(request, _("انصراف ثبت شد؛ دیگر پیامی به این نشانی فرستاده نمی‌شود."))
    return redirect(contact)


# Broadcasts --------------------------------------------------------------------------


@broadcast_permission
@require_http_methods(["GET", "POST"])
def broadcast_create(request: HttpRequest) -> HttpResponse:
    """To the contact list as filtered (its query string comes along) or to a group."""
    params = request.POST if request.method == "POST" else request.GET
    target = params.get("target", Broadcast.Target.LIST)
    group = None
    if target == Broadcast.Target.GROUP:
        group = get_visible_or_404(ContactGroup, request.user, int_param(params, "group"))
        recipients = services.broadcast_recipients(
            Broadcast(target=target, group=group, owner=request.user)
        )
        filters_text = ""
    else:
        target = Broadcast.Target.LIST
        if request.method == "POST":
            filters_text = request.POST.get("filters", "")
        else:
            filters_text = list_filters(request.GET)
        recipients = CONTACTS.rows(request.user, QueryDict(filters_text))
    form = BroadcastForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        broadcast = Broadcast(
            channel=data["channel"],
            title=data["title"],
            target=target,
            group=group,
            filters=filters_text,
            subject=data["subject"],
            body=data["body"],
        )
        if data["scheduled_at"]:
            broadcast.scheduled_at = data["scheduled_at"]
        services.broadcast_create(broadcast=broadcast, by=request.user)
        flash.success(request, _("ارسال گروهی ثبت شد و پیام‌ها در حال آماده شدن است."))
        return redirect(broadcast)
    count, more = capped_count(recipients)
    context = _compose_context(
        form,
        target=target,
        group=group,
        filters_text=filters_text,
        recipient_count=count,
        more_recipients=more,
        back_url=reverse("contacts:list") + (f"?{filters_text}" if filters_text else ""),
    )
    return render(request, "messaging/broadcast_form.html", context)


@broadcast_permission
@require_POST
def broadcast_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = get_visible_or_404(Broadcast, request.user, pk)
    count = services.broadcast_cancel(broadcast=broadcast, by=request.user)
    flash.success(
        request,
        _("ارسال گروهی لغو شد؛ %(count)s پیام در صف لغو شد.") % {"count": f"{count:,}"},
    )
    return redirect(broadcast)


@broadcast_permission
@require_POST
def broadcast_retry(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = get_visible_or_404(Broadcast, request.user, pk)
    count = services.broadcast_retry(broadcast=broadcast, by=request.user)
    if count:
        flash.success(
            request,
            _("%(count)s پیام دوباره در صف ارسال قرار گرفت.") % {"count": f"{count:,}"},
        )
    else:
        flash.error(request, _("پیام ناموفق یا در انتظار تلاش دوباره‌ای در این ارسال نیست."))
    return redirect(broadcast)


@permission_required("messaging.view_broadcast", raise_exception=True)
def broadcast_list(request: HttpRequest) -> HttpResponse:
    broadcasts = Broadcast.objects.visible_to(request.user).select_related("owner", "group")
    page = paginate(broadcasts, request.GET.get("page"), settings.PAGE_SIZE)
    return render(request, "messaging/broadcast_list.html", {"page": page})


@permission_required("messaging.view_broadcast", raise_exception=True)
def broadcast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    broadcast = get_visible_or_404(
        Broadcast, request.user, pk, Broadcast.objects.select_related("owner", "group", "occasion")
    )
    progress = broadcast_progress(broadcast)
    rows = [(value, label, progress.get(value, 0)) for value, label in Message.Status.choices]
    context = {"broadcast": broadcast, "rows": rows, "finished": not progress.get("queued")}
    if request.htmx:
        return render(request, "messaging/broadcast_detail.html#progress", context)
    return render(request, "messaging/broadcast_detail.html", context)


# Occasions ---------------------------------------------------------------------------


@permission_required("messaging.view_occasion", raise_exception=True)
def occasion_list(request: HttpRequest) -> HttpResponse:
    latest = Broadcast.objects.filter(occasion=OuterRef("pk")).order_by("-created_at", "-id")
    occasions = (
        Occasion.objects.visible_to(request.user)
        .select_related("group", "owner")
        .annotate(last_broadcast_id=Subquery(latest.values("pk")[:1]))
    )
    today = timezone.localdate()
    rows = [(occasion, occasion.next_date(today)) for occasion in occasions]
    context = {"rows": rows, "presets": OCCASION_PRESETS}
    return render(request, "messaging/occasion_list.html", context)


@require_http_methods(["GET", "POST"])
def occasion_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new occasion (from a preset: ?preset=nowruz) or an existing one."""
    permission = "messaging.change_occasion" if pk else "messaging.add_occasion"
    if not request.user.has_perm(permission):
        raise PermissionDenied
    occasion = get_visible_or_404(Occasion, request.user, pk) if pk else None
    before = snapshot(occasion) if occasion else None
    initial = {}
    if occasion is None and (preset := OCCASION_PRESETS.get(request.GET.get("preset", ""))):
        title, month, day, hour, body = preset
        initial = {"title": title, "month": month, "day": day, "hour": hour, "body": body}
    form = OccasionForm(request.POST or None, instance=occasion, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.occasion_save(
                occasion=form.save(commit=False),
                by=request.user,
                before=before,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            flash.success(
                request, _("مناسبت ذخیره شد؛ هر سال در روز و ساعت آن به گروه فرستاده می‌شود.")
            )
            return redirect("messaging:occasion_list")
    context = {"form": form, "occasion": occasion, "placeholders": PLACEHOLDERS}
    return render(request, "messaging/occasion_form.html", context)


@permission_required("messaging.delete_occasion", raise_exception=True)
@require_POST
def occasion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    occasion = get_visible_or_404(Occasion, request.user, pk)
    record_delete(record=occasion, by=request.user)
    flash.success(request, _("مناسبت به سطل بازیافت رفت."))
    return redirect("messaging:occasion_list")


# Groups ------------------------------------------------------------------------------


@permission_required("messaging.view_contactgroup", raise_exception=True)
def group_list(request: HttpRequest) -> HttpResponse:
    groups = ContactGroup.objects.visible_to(request.user).select_related("owner")
    return render(request, "messaging/group_list.html", {"groups": groups})


@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A new group, or an existing one renamed or described anew."""
    permission = "messaging.change_contactgroup" if pk else "messaging.add_contactgroup"
    if not request.user.has_perm(permission):
        raise PermissionDenied
    group = get_visible_or_404(ContactGroup, request.user, pk) if pk else None
    before = snapshot(group) if group else None
    form = ContactGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.group_save(
                group=form.save(commit=False),
                by=request.user,
                before=before,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            if group is None:
                flash.success(request, _("گروه ساخته شد؛ از فهرست مخاطبین عضو به آن بیفزایید."))
            else:
                flash.success(request, _("گروه ذخیره شد."))
            return redirect(saved)
    return render(request, "messaging/group_form.html", {"form": form, "group": group})


@permission_required("messaging.delete_contactgroup", raise_exception=True)
@require_POST
def group_delete(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_visible_or_404(ContactGroup, request.user, pk)
    record_delete(record=group, by=request.user)
    flash.success(
        request,
        _("گروه «%(group)s» به سطل بازیافت رفت؛ مناسبت‌های آن تا بازگرداندن گروه فرستاده نمی‌شوند.")
        % {"group": group},
    )
    return redirect("messaging:group_list")


@permission_required("messaging.view_contactgroup", raise_exception=True)
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_visible_or_404(ContactGroup, request.user, pk)
    members = (
        Contact.objects.visible_to(request.user)
        .filter(pk__in=group.memberships.values("contact_id"))
        .only("id", "code", "name", "mobile", "email")
        .order_by("name", "id")
    )
    page = paginate(members, request.GET.get("page"), settings.PAGE_SIZE)
    return render(request, "messaging/group_detail.html", {"group": group, "page": page})


# Query-string keys the contact list's forms carry that are not its filters (the bulk
# form's, core/lists/_bulk.html: the new owner and «همه نتایج فیلتر» among them).
NOT_FILTERS = ("csrfmiddlewaretoken", "next", "page", "target", "owner-person", "all", "params")


def list_filters(params: QueryDict) -> str:
    """What the contact list sent: its ticked rows (the bulk form, whose other fields
    belong to other actions), or else its search and filters (the bulk form carries
    them in ``params``, the filter bar's link as they are); as a query string that
    contacts.lists.CONTACTS reads, as the list does."""
    query = QueryDict(mutable=True)
    if ids := id_list_param(params, "id"):
        query.setlist("id", ids)
        return query.urlencode()
    if "params" in params:
        params = QueryDict(params["params"][:4000])
    query = params.copy()
    for key in NOT_FILTERS:
        query.pop(key, None)
    return query.urlencode()


@permission_required("messaging.change_contactgroup", raise_exception=True)
@require_http_methods(["GET", "POST"])
def group_add(request: HttpRequest) -> HttpResponse:
    """Adds the ticked contacts of the list, or all it shows, or one contact (from its
    page), to a group: GET asks which group, POST adds."""
    if request.method == "GET":
        filters_text = list_filters(request.GET)
    else:
        filters_text = request.POST.get("filters", "")
        if ids := id_list_param(request.POST, "id"):
            params = QueryDict(mutable=True)
            params.setlist("id", ids)
            filters_text = params.urlencode()
    contacts = CONTACTS.rows(request.user, QueryDict(filters_text))
    groups = ContactGroup.objects.visible_to(request.user).only("id", "name")
    if request.method == "POST":
        group = get_visible_or_404(ContactGroup, request.user, int_param(request.POST, "group"))
        added = services.group_add_contacts(group=group, contacts=contacts)
        flash.success(
            request,
            _("%(count)s مخاطب به گروه «%(group)s» افزوده شد.") % {"count": added, "group": group},
        )
        return redirect(own_url(request, request.POST.get("next", "")) or group.get_absolute_url())
    count, more = capped_count(contacts)
    context = {"groups": groups, "filters_text": filters_text, "count": count, "more": more}
    return render(request, "messaging/group_add.html", context)


@permission_required("messaging.change_contactgroup", raise_exception=True)
@require_POST
def group_remove(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    group = get_visible_or_404(ContactGroup, request.user, pk)
    services.group_remove_contact(group=group, contact_id=contact_pk)
    flash.success(request, _("مخاطب از گروه برداشته شد."))
    return redirect(group)


# Managers' settings ------------------------------------------------------------------


@manage_permission
def template_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "messaging/template_list.html", {"templates": MessageTemplate.objects.all()}
    )


@manage_permission
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    template = get_object_or_404(MessageTemplate, pk=pk) if pk else None
    form = MessageTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if template is None:
            saved.created_by = request.user
        saved.save()
        flash.success(request, _("الگو ذخیره شد."))
        return redirect("messaging:template_list")
    context = {"form": form, "template_obj": template, "placeholders": PLACEHOLDERS}
    return render(request, "messaging/template_form.html", context)


@manage_permission
@require_http_methods(["GET", "POST"])
def messaging_settings(request: HttpRequest) -> HttpResponse:
    form = MessagingSettingsForm(request.POST or None, instance=MessagingSettings.load())
    for name in ("birthday_sender", "inbound_owner"):
        form.fields[name].queryset = User.objects.filter(is_active=True)
    if request.method == "POST" and form.is_valid():
        form.save()
        flash.success(request, _("تنظیمات ارسال ذخیره شد."))
        return redirect("messaging:settings")
    gateway = sms_backend()
    context = {
        "form": form,
        "gateway_label": _(gateway.label),
        "gateway_description": _(gateway.description),
        "gateway_receives": gateway.receives,
    }
    return render(request, "messaging/settings.html", context)


@manage_permission
@require_http_methods(["GET", "POST"])
def sms_settings(request: HttpRequest) -> HttpResponse:
    """The company's SMS provider; «آزمایش اتصال» asks it about our account. Set by the
    environment (SMS_BACKEND), the page only shows it and tests it."""
    config = sms_config()
    form = SmsSettingsForm(
        request.POST or None,
        instance=SmsSettings.load(),
        from_environment=config.from_environment,
    )
    if request.method == "POST" and (config.from_environment or form.is_valid()):
        if not config.from_environment:
            form.save()
            flash.success(request, _("تنظیمات سامانه پیامک ذخیره شد."))
        if request.POST.get("action") == "test":
            try:
                with get_sms_gateway() as gateway:
                    flash.success(request, gateway.check())
            except GatewayError as error:
                flash.error(request, _("آزمایش اتصال ناموفق: %(error)s") % {"error": error.message})
            except ImproperlyConfigured:  # the environment names a provider without a key
                flash.error(
                    request, _("آزمایش اتصال ناموفق: کلید API سامانه پیامک تنظیم نشده است.")
                )
        return redirect("messaging:sms_settings")
    gateway = sms_backend(config)
    context = {"form": form, "config": config, "gateway_label": _(gateway.label)}
    return render(request, "messaging/sms_settings.html", context)


@manage_permission
@require_http_methods(["GET", "POST"])
def smtp_settings(request: HttpRequest) -> HttpResponse:
    """The outgoing mail server; «آزمایش اتصال» signs in and sends a short email to the
    manager. Set by the environment (EMAIL_HOST), the page only shows it."""
    from_environment = smtp.from_environment()
    form = SmtpSettingsForm(
        request.POST or None, instance=SmtpSettings.load(), from_environment=from_environment
    )
    if request.method == "POST" and not from_environment and form.is_valid():
        saved = form.save()
        flash.success(request, _("تنظیمات سرور ایمیل ذخیره شد."))
        if request.POST.get("action") == "test":
            if not saved.host:
                flash.error(request, _("آزمایش اتصال ناموفق: سرور SMTP وارد نشده است."))
            else:
                try:
                    flash.success(request, smtp.check_server(saved, send_to=request.user.email))
                except smtp.SmtpUnavailable as error:
                    flash.error(request, _("آزمایش اتصال ناموفق: %(error)s") % {"error": error})
        return redirect("messaging:smtp_settings")
    context = {
        "form": form,
        "from_environment": from_environment,
        "environment_server": f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}",
    }
    return render(request, "messaging/smtp_settings.html", context)


@manage_permission
def mailbox_list(request: HttpRequest) -> HttpResponse:
    mailboxes = Mailbox.objects.select_related("owner").order_by("name", "id")
    return render(request, "messaging/mailbox_list.html", {"mailboxes": mailboxes})


@manage_permission
@require_http_methods(["GET", "POST"])
def mailbox_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A company mailbox the worker reads; «ذخیره و آزمایش اتصال» signs in with what
    was saved and says in Persian what the folder holds, or what failed."""
    mailbox = get_object_or_404(Mailbox, pk=pk) if pk else Mailbox(owner=request.user)
    form = MailboxForm(
        request.POST or None, instance=mailbox, users=User.objects.filter(is_active=True)
    )
    if request.method == "POST" and form.is_valid():
        mailbox = form.save()
        flash.success(request, _("صندوق «%(name)s» ذخیره شد.") % {"name": mailbox.name})
        if request.POST.get("action") == "test":
            try:
                flash.success(request, mail_in.check_mailbox(mailbox))
            except mail_in.MailboxUnavailable as error:
                flash.error(request, _("آزمایش اتصال ناموفق: %(error)s") % {"error": error})
            return redirect("messaging:mailbox_edit", mailbox.pk)
        return redirect("messaging:mailbox_list")
    return render(request, "messaging/mailbox_form.html", {"form": form, "mailbox": mailbox})


@permission_required("messaging.view_message", raise_exception=True)
def message_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    """A file a message carries (an email's attachment), to whom may see the message;
    checked by content when it was kept (core.attachments), sent as a download."""
    message = get_visible_or_404(Message, request.user, pk)
    attachment = get_object_or_404(MessageAttachment, pk=file_pk, message=message)
    return _download(attachment.file, attachment.name, attachment.mime_type)


@permission_required("messaging.view_message", raise_exception=True)
def message_original(request: HttpRequest, pk: int) -> FileResponse:
    """A received email exactly as it came (.eml), for a mail program to open."""
    message = get_visible_or_404(Message, request.user, pk)
    if not message.raw:
        raise Http404
    return _download(message.raw, f"email-{message.pk}.eml", "message/rfc822")


def _download(file, name: str, mime_type: str) -> FileResponse:
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=name, content_type=mime_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@manage_permission
@require_http_methods(["GET", "POST"])
def bale_settings(request: HttpRequest) -> HttpResponse:
    """The company's Bale bot; «ذخیره و آزمایش اتصال» asks Bale who the bot is."""
    config = BaleSettings.load()
    from_environment = bool(str(getattr(settings, "BALE_BOT_TOKEN", "") or "").strip())
    form = BaleSettingsForm(
        request.POST or None,
        instance=config,
        users=User.objects.filter(is_active=True),
        environment_token=from_environment,
    )
    if request.method == "POST" and form.is_valid():
        config = form.save()
        flash.success(request, _("تنظیمات بله ذخیره شد."))
        if request.POST.get("action") == "test":
            token = bale.bale_token(config) or config.token
            try:
                name = bale.check_bot(token) if token else ""
            except bale.GatewayError as error:
                flash.error(request, _("آزمایش اتصال ناموفق: %(error)s") % {"error": error.message})
            else:
                if name:
                    BaleSettings.objects.filter(pk=config.pk).update(bot_username=name)
                    flash.success(request, _("ربات @%(name)s پاسخ داد.") % {"name": name})
                else:
                    flash.error(request, _("آزمایش اتصال ناموفق: توکنی وارد نشده است."))
        return redirect("messaging:bale_settings")
    return render(request, "messaging/bale_settings.html", {"form": form, "config": config})


@send_permission
@require_http_methods(["GET", "POST"])
def message_about(request: HttpRequest, label: str, pk: int) -> HttpResponse:
    """A message to the customer about one of their records (a request, a complaint),
    from its page: it joins the record's conversation, and an email's answer comes back
    to it (threading, the code in the subject, the support mailbox as its From)."""
    if label not in conversation_kinds:
        raise Http404
    model = apps.get_model(label)
    meta = model._meta
    if not request.user.has_perm(f"{meta.app_label}.view_{meta.model_name}"):
        raise PermissionDenied
    record = get_visible_or_404(model, request.user, pk)
    contact = getattr(record, "contact", None)
    if contact is None:
        flash.error(request, _("این پرونده مشتری ندارد؛ پیام به کسی نمی‌رسد."))
        return redirect(record)
    return _message_page(request, contact, record, "messaging/about.html", {})
