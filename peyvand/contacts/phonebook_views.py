"""دفترچه تلفن: public and personal numbers, and the staff's extensions."""

from operator import attrgetter

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peyvand.contacts import services
from peyvand.contacts.forms import PhoneBookEntryForm
from peyvand.contacts.lists import PHONEBOOK, STAFF_TAB
from peyvand.contacts.models import PhoneBookEntry
from peyvand.contacts.selectors import staff_directory
from peyvand.core.access import get_visible_or_404
from peyvand.core.exports import Column
from peyvand.core.history import snapshot
from peyvand.core.lists.views import list_context
from peyvand.core.pagination import paginate
from peyvand.core.services import record_delete
from peyvand.core.timeline import timeline_of
from peyvand.core.versions import StaleEdit

# The page's tabs: links to the list's ``tab`` choice, and the staff directory.
TABS = {"": "همه", "mine": "شماره‌های من", "public": "عمومی", STAFF_TAB: "داخلی همکاران"}


def staff_rows(user, params):
    """The staff directory (``?tab=staff``): colleagues' extensions and mobiles, searched
    by ``q`` — users, not entries, so not the phone-book list's rows."""
    return staff_directory(query=params.get("q", "").strip())


STAFF_COLUMNS = [
    Column("نام", lambda person: str(person)),
    Column("داخلی", attrgetter("extension")),
    Column("تلفن همراه", attrgetter("mobile")),
]


def phonebook_rows(user, params):
    """The phone book's export (``core.background_exports``): the list's rows
    (contacts.lists.PHONEBOOK), or colleagues' extensions on the staff tab."""
    if params.get("tab") == STAFF_TAB:
        return staff_rows(user, params), STAFF_COLUMNS
    return PHONEBOOK.rows(user, params), [
        Column("نام", attrgetter("name")),
        Column("شرکت / سازمان", attrgetter("company")),
        Column("سمت", attrgetter("job_title")),
        Column("تلفن همراه", attrgetter("mobile")),
        Column("تلفن ثابت", attrgetter("phone")),
        Column("داخلی", attrgetter("extension")),
        Column("ایمیل", attrgetter("email")),
        Column("عمومی", lambda entry: "بله" if entry.is_public else "خیر"),
        Column("ثبت‌کننده", lambda entry: str(entry.owner)),
    ]


@permission_required("contacts.view_phonebookentry", raise_exception=True)
def phonebook_list(request: HttpRequest) -> HttpResponse:
    """The phone book (contacts.lists.PHONEBOOK); ``?tab=staff`` the staff directory.
    Typing in the search box asks again for the results only (htmx, target
    ``phonebook-results``)."""
    if request.GET.get("tab") == STAFF_TAB:
        query = request.GET.get("q", "").strip()
        page = paginate(staff_rows(request.user, request.GET), request.GET.get("page"),
                        settings.PAGE_SIZE)  # fmt: skip
        context = {"page": page, "query": query, "tab": STAFF_TAB, "tabs": TABS}
        template = "contacts/phonebook_staff.html"
    else:
        context = list_context(request, PHONEBOOK)
        context.update(tab=context["reading"].values.get("tab", ""), tabs=TABS)
        template = "contacts/phonebook.html"
    if request.htmx and request.htmx.target == "phonebook-results":
        return render(request, f"{template}#results", context)
    return render(request, template, context)


@permission_required("contacts.view_phonebookentry", raise_exception=True)
def phonebook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_visible_or_404(PhoneBookEntry, request.user, pk)
    return render(
        request,
        "contacts/phonebook_detail.html",
        {
            "entry": entry,
            "record": entry,
            "timeline": timeline_of(entry),
            "can_edit": services.phonebook_can_edit(entry, request.user),
        },
    )


@permission_required("contacts.add_phonebookentry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def phonebook_create(request: HttpRequest) -> HttpResponse:
    form = PhoneBookEntryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        entry = services.phonebook_save(entry=form.save(commit=False), by=request.user)
        messages.success(request, _("«%(name)s» به دفترچه تلفن افزوده شد.") % {"name": entry})
        return redirect(entry)
    return render(request, "contacts/phonebook_form.html", {"form": form})


def _editable(request: HttpRequest, pk: int) -> PhoneBookEntry:
    entry = get_visible_or_404(PhoneBookEntry, request.user, pk)
    if not services.phonebook_can_edit(entry, request.user):
        raise PermissionDenied(_("این شماره عمومی را فقط ثبت‌کننده‌اش یا مدیر ویرایش می‌کند."))
    return entry


@permission_required("contacts.change_phonebookentry", raise_exception=True)
@require_http_methods(["GET", "POST"])
def phonebook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _editable(request, pk)
    before = snapshot(entry)
    form = PhoneBookEntryForm(request.POST or None, instance=entry, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.phonebook_save(
                entry=form.save(commit=False),
                by=request.user,
                before=before,
                version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            form.refuse_stale(stale)
        else:
            messages.success(request, _("«%(name)s» ذخیره شد.") % {"name": entry})
            return redirect(entry)
    return render(request, "contacts/phonebook_form.html", {"form": form, "entry": entry})


@permission_required("contacts.delete_phonebookentry", raise_exception=True)
@require_POST
def phonebook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _editable(request, pk)
    record_delete(record=entry, by=request.user)
    messages.success(request, _("«%(name)s» از دفترچه تلفن حذف شد.") % {"name": entry})
    return redirect("phonebook:list")
