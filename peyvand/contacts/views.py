import datetime
from dataclasses import replace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.contacts import services
from peyvand.contacts.exports import contact_card, vcard_rows
from peyvand.contacts.forms import AddressForm, BankAccountForm, ContactForm, phone_formset
from peyvand.contacts.lists import CONTACTS
from peyvand.contacts.models import Contact
from peyvand.contacts.selectors import contact_duplicates, contact_search
from peyvand.core.access import back_or, get_visible_or_404
from peyvand.core.attachments import attachments_card, attachments_of, attachments_of_records
from peyvand.core.dialog import opens_in_dialog
from peyvand.core.display import localize_digits
from peyvand.core.export_views import list_export
from peyvand.core.exports import content_disposition, download_name
from peyvand.core.forms import AutocompleteSelect
from peyvand.core.history import snapshot
from peyvand.core.lists.views import list_context
from peyvand.core.params import int_param
from peyvand.core.registry import history_sources
from peyvand.core.services import record_delete
from peyvand.core.templatetags.peyvand import fa_date, fa_number
from peyvand.core.text import MIN_SEARCH_LENGTH, fa_search_key
from peyvand.core.timeline import timeline_of
from peyvand.core.vcard import write_card
from peyvand.core.versions import StaleEdit
from peyvand.customfields.lists import CustomFieldFilters, typed_values


def _unconfirmed_duplicates(request, form, phones, exclude_pk=None) -> list[dict]:
    """Contacts sharing the national ID or a phone, unless the user has confirmed the
    save anyway. Each says whether this user may open it (a link) or only learn that
    it exists (owned by someone whose records they cannot see)."""
    if request.POST.get("confirm_duplicates"):
        return []
    found = contact_duplicates(
        national_id=form.cleaned_data.get("national_id", ""),
        numbers=[row["number"] for row in phones.phones()],
        exclude_pk=exclude_pk,
    )
    visible = set(
        Contact.objects.visible_to(request.user)
        .filter(pk__in=[c.pk for c in found])
        .values_list("pk", flat=True)
    )
    return [{"contact": c, "visible": c.pk in visible} for c in found]


view_contacts = permission_required("contacts.view_contact", raise_exception=True)


@view_contacts
def contact_list(request: HttpRequest) -> HttpResponse:
    """The contact list (contacts.lists.CONTACTS). Typing in the search box asks again
    for the results only (htmx, target ``contact-results``)."""
    # Ticked rows are also exported (contacts/_bulk_extra.html).
    exports = request.user.has_perm("contacts.export_contact")
    context = list_context(request, CONTACTS, ticking=exports)
    context["bulk_extra"] = "contacts/_bulk_extra.html" if exports else ""
    query = context["reading"].values.get("q", "")
    if query:
        context["empty_filtered"] = _("مخاطبی با «%(query)s» پیدا نشد.") % {"query": query}
    context["short_query"] = 0 < len(fa_search_key(query)) < MIN_SEARCH_LENGTH
    context["owners"] = context["reading"].sources.get("owner", [])
    # The custom fields' inputs show what was typed (a date to correct too).
    for part in ("bar", "more"):
        context[part] = [
            replace(item, options=typed_values(request.GET, item.options))
            if isinstance(item.filter, CustomFieldFilters)
            else item
            for item in context[part]
        ]
    if request.htmx and request.htmx.target == "contact-results":
        return render(request, "contacts/list.html#results", context)
    return render(request, "contacts/list.html", context)


@opens_in_dialog
@permission_required("contacts.add_contact", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None, user=request.user)
    # ?phone=… (a caller's number, from the call log) prefills the first phone.
    phones = phone_formset(request.POST or None, number=request.GET.get("phone", ""))
    duplicates = []
    if request.method == "POST" and form.is_valid() & phones.is_valid():
        duplicates = _unconfirmed_duplicates(request, form, phones)
        if not duplicates:
            try:
                contact = services.contact_create(
                    contact=form.save(commit=False), phones=phones.phones(), by=request.user
                )
            except ValidationError as error:  # a typed code taken a moment ago
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("مخاطب «%(name)s» با کد %(code)s ثبت شد.")
                    % {"name": contact, "code": contact.code},
                )
                return redirect(back_or(request, contact))
    return render(
        request, "contacts/form.html", {"form": form, "phones": phones, "duplicates": duplicates}
    )


def _detail(request: HttpRequest, contact: Contact, **forms_) -> HttpResponse:
    people = branches = []
    if contact.kind == Contact.Kind.ORGANIZATION:
        # Only those this user may see; each list capped.
        visible = Contact.objects.visible_to(request.user).select_related("position")
        people = list(visible.filter(organization=contact).order_by("name", "id")[:50])
        branches = list(visible.filter(parent=contact).order_by("name", "id")[:50])
    files = attachments_card(request.user, contact)
    can_annotate = files["can_annotate"]
    context = {
        "contact": contact,
        "record": contact,
        "timeline": timeline_of(contact),
        **files,
        "logo_url": reverse("contacts:logo", args=[contact.pk]),
        "people": people,
        "branches": branches,
    }
    if can_annotate:
        context |= {kind: row[0](prefix=kind) for kind, row in ROWS.items()}
        context |= forms_
    return render(request, "contacts/detail.html", context)


def _visible_contact(request: HttpRequest, pk: int) -> Contact:
    return get_visible_or_404(
        Contact,
        request.user,
        pk,
        Contact.objects.select_related(
            "owner", "source", "category", "region", "grade", "position", "organization", "parent"
        ).prefetch_related("phones", "bank_accounts", "addresses"),
    )


@view_contacts
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible_contact(request, pk))


# Each kind's newest items on the history page; a customer with more has them in the
# kind's own list.
HISTORY_LIMIT = 100


@view_contacts
def contact_history(request: HttpRequest, pk: int) -> HttpResponse:
    """سابقه طرف حساب: everything about this customer the user may see, of every kind
    the modules register, open items apart from archived ones, and all their files
    (the contact's and its records')."""
    contact = get_visible_or_404(Contact, request.user, pk)
    open_groups, closed_groups = [], []
    records = [contact]
    for source in history_sources:
        if not request.user.has_perm(source.permission):
            continue
        items = source.items(request.user, contact, HISTORY_LIMIT)
        records += [item.record for item in items]
        if still_open := [item for item in items if item.is_open]:
            open_groups.append((source, still_open))
        if archived := [item for item in items if not item.is_open]:
            closed_groups.append((source, archived))
    context = {
        "contact": contact,
        "open_groups": open_groups,
        "closed_groups": closed_groups,
        "open_count": sum(len(items) for _source, items in open_groups),
        "closed_count": sum(len(items) for _source, items in closed_groups),
        "files": attachments_of_records(records),
    }
    return render(request, "contacts/history.html", context)


# Rows added and removed on the contact's page: bank accounts and other addresses.
ROWS = {
    "bank": (BankAccountForm, "حساب بانکی", "bank_accounts"),
    "address": (AddressForm, "نشانی دیگر", "addresses"),
}


@permission_required("contacts.change_contact", raise_exception=True)
@require_POST
def contact_row_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in ROWS:
        raise Http404
    contact = _visible_contact(request, pk)
    form_class, label, _related = ROWS[kind]
    form = form_class(request.POST, prefix=kind)
    if not form.is_valid():
        # The page again, with the form as typed and its errors beside the fields.
        return _detail(request, contact, **{kind: form, f"{kind}_open": True})
    services.contact_row_add(
        contact=contact, row=form.save(commit=False), label=label, by=request.user
    )
    messages.success(request, _("%(label)s افزوده شد.") % {"label": label})
    return redirect(contact)


@permission_required("contacts.change_contact", raise_exception=True)
@require_POST
def contact_row_remove(request: HttpRequest, pk: int, kind: str, row_pk: int) -> HttpResponse:
    if kind not in ROWS:
        raise Http404
    contact = _visible_contact(request, pk)
    _form, label, related = ROWS[kind]
    row = getattr(contact, related).filter(pk=row_pk).first()
    if row is None:
        raise Http404
    services.contact_row_remove(contact=contact, row=row, label=label, by=request.user)
    messages.success(request, _("%(label)s برداشته شد.") % {"label": label})
    return redirect(contact)


@permission_required("contacts.change_contact", raise_exception=True)
@require_POST
def contact_logo(request: HttpRequest, pk: int) -> HttpResponse:
    """Makes one of the contact's image attachments its logo (or photo)."""
    contact = get_visible_or_404(Contact, request.user, pk)
    image = attachments_of(contact).filter(pk=int_param(request.POST, "attachment")).first()
    if image is None or not image.is_image:
        messages.error(request, _("فقط یکی از تصویرهای پیوست این مخاطب می‌تواند لوگو شود."))
    else:
        services.contact_set_logo(contact=contact, logo=image, by=request.user)
        messages.success(request, _("لوگو تغییر کرد."))
    return redirect(contact)


@permission_required("contacts.change_contact", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_visible_or_404(Contact, request.user, pk)
    before = snapshot(contact)
    form = ContactForm(request.POST or None, instance=contact, user=request.user)
    phones = phone_formset(request.POST or None, contact)
    duplicates = []
    if request.method == "POST" and form.is_valid() & phones.is_valid():
        duplicates = _unconfirmed_duplicates(request, form, phones, exclude_pk=contact.pk)
        if not duplicates:
            try:
                services.contact_update(
                    contact=form.save(commit=False),
                    phones=phones.phones(),
                    before=before,
                    by=request.user,
                    version=form.cleaned_data["version"],
                )
            except StaleEdit as stale:
                form.refuse_stale(stale)
            except ValidationError as error:  # a typed code taken a moment ago
                form.add_error(None, error)
            else:
                messages.success(request, _("تغییرات «%(name)s» ذخیره شد.") % {"name": contact})
                return redirect(contact)
    return render(
        request,
        "contacts/form.html",
        {"form": form, "phones": phones, "contact": contact, "duplicates": duplicates},
    )


@permission_required("contacts.delete_contact", raise_exception=True)
@require_POST
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_visible_or_404(Contact, request.user, pk)
    record_delete(record=contact, by=request.user)
    messages.success(
        request,
        _("«%(name)s» به سطل بازیافت رفت و مدیر می‌تواند آن را بازیابی کند.") % {"name": contact},
    )
    return redirect("contacts:list")


@view_contacts
def contact_autocomplete(request: HttpRequest) -> JsonResponse:
    """Suggestions for record pickers: visible contacts matching ?q=, of ?kind= if given."""
    contacts = contact_search(user=request.user, query=request.GET.get("q", ""))
    kind = request.GET.get("kind")
    if kind in Contact.Kind.values:
        contacts = contacts.filter(kind=kind)
    results = [
        {"id": contact.pk, "text": f"{contact.name} ({localize_digits(contact.code)})"}
        for contact in contacts.select_related(None)
        .order_by("-created_at", "-id")
        .only("pk", "name", "code")[:20]
    ]
    return JsonResponse({"results": results})


@permission_required("contacts.export_contact", raise_exception=True)
def contact_export(request: HttpRequest, file_format: str) -> HttpResponse:
    """The current filtered list (or its ticked rows), only what the user may see,
    streamed: Excel and CSV as every list exports them (core:list_export), or vCard
    cards for a phone's address book."""
    if file_format in ("csv", "xlsx"):
        return list_export(request, CONTACTS.key, file_format)
    if file_format != "vcf":
        raise Http404
    cards = (
        write_card(contact_card(contact))
        for contact in vcard_rows(request.user, request.GET).iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(cards, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = content_disposition(download_name("مخاطبین", "vcf"))
    return response


def _display(contact: Contact, name: str) -> str:
    field = Contact._meta.get_field(name)
    value = getattr(contact, name)
    if value in (None, ""):
        return ""
    if field.choices:
        return str(getattr(contact, f"get_{name}_display")())
    if isinstance(value, bool):
        return "بله" if value else "خیر"
    if isinstance(value, datetime.date):
        return fa_date(value)  # in the user's calendar and digits
    if isinstance(value, int):
        return fa_number(value)
    if isinstance(field, models.EmailField | models.URLField):
        return value  # addresses keep their Latin digits
    return str(value)


@permission_required("contacts.merge_contact", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager merges a duplicate into this contact: picks the duplicate, sees both
    side by side, ticks the values to take from it, and confirms."""
    survivor = get_visible_or_404(Contact, request.user, pk)
    other_id = (
        int_param(request.POST, "other")
        if request.method == "POST"
        else int_param(request.GET, "other")
    )
    duplicate = None
    if other_id and other_id != survivor.pk:
        duplicate = get_visible_or_404(Contact, request.user, other_id)
    if request.method == "POST" and duplicate is not None:
        take = set(request.POST.getlist("take"))
        services.contacts_merge(survivor=survivor, duplicate=duplicate, take=take, by=request.user)
        messages.success(
            request,
            _("«%(duplicate)s» در «%(survivor)s» ادغام شد و به سطل بازیافت رفت.")
            % {"duplicate": duplicate, "survivor": survivor},
        )
        return redirect(survivor)
    rows = []
    if duplicate is not None:
        for name in services.MERGE_FIELDS:
            ours, theirs = _display(survivor, name), _display(duplicate, name)
            if ours or theirs:
                rows.append(
                    {
                        "name": name,
                        "label": Contact._meta.get_field(name).verbose_name,
                        "ours": ours,
                        "theirs": theirs,
                        "take": not ours and bool(theirs),
                        "same": ours == theirs,
                    }
                )
    picker = forms.Form()
    picker.fields["other"] = forms.ModelChoiceField(
        Contact.objects.visible_to(request.user).exclude(pk=survivor.pk),
        label=_("مخاطب تکراری"),
        widget=AutocompleteSelect(reverse("contacts:autocomplete")),
        initial=duplicate,
    )
    picker.fields["other"].widget.choices = picker.fields["other"].choices
    return render(
        request,
        "contacts/merge.html",
        {"contact": survivor, "duplicate": duplicate, "rows": rows, "picker": picker},
    )
