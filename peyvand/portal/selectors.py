"""Reads of the customer portal. A signed-in customer is a contact; everything they see
is that contact's own, filtered here and nowhere else."""

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from peyvand.contacts.models import Contact, ContactPhone
from peyvand.finance.models import Entry
from peyvand.sales.models import Invoice, Quote
from peyvand.service.models import Complaint, Request
from peyvand.surveys.models import Project, Questionnaire

# Invoices and finished projects this recent are offered for a survey.
SURVEY_DAYS = 90


def login_contacts(mobile: str) -> list[Contact]:
    """The contacts whose portal this mobile (E.164) may enter: contacts with portal
    access that have this mobile, and organisations with access for their people when
    one of their people has it."""
    if not mobile:
        return []
    own = Contact.objects.filter(
        Q(mobile=mobile) | Q(phones__number=mobile, phones__kind=ContactPhone.Kind.MOBILE)
    )
    enabled = Contact.objects.filter(portal_access__enabled=True).select_related("portal_access")
    direct = enabled.filter(pk__in=own.values("pk"))
    via_people = enabled.filter(
        portal_access__include_people=True,
        kind=Contact.Kind.ORGANIZATION,
        people__in=own.values("pk"),
    )
    found = {contact.pk: contact for contact in [*direct, *via_people]}
    return sorted(found.values(), key=lambda contact: (contact.name, contact.pk))


def login_mobiles(contact: Contact, *, include_people: bool) -> list[str]:
    """Who may sign in to this contact's portal: its own mobiles and, for an
    organisation whose access includes its people, theirs (E.164, each once, in order)."""
    contacts = [contact]
    if include_people and contact.kind == Contact.Kind.ORGANIZATION:
        contacts += list(contact.people.all())
    numbers = ContactPhone.objects.filter(
        contact__in=contacts, kind=ContactPhone.Kind.MOBILE
    ).values_list("number", flat=True)
    ordered = [contact.mobile, *numbers] if contact.mobile else list(numbers)
    return list(dict.fromkeys(number for number in ordered if number))


def requests_of(contact: Contact) -> QuerySet[Request]:
    return Request.objects.filter(contact=contact).order_by("-created_at", "-id")


def complaints_of(contact: Contact) -> QuerySet[Complaint]:
    return Complaint.objects.filter(contact=contact).order_by("-date", "-id")


def quotes_of(contact: Contact) -> QuerySet[Quote]:
    """Proformas the customer was given: never drafts (still being written)."""
    return (
        Quote.objects.filter(contact=contact)
        .exclude(status=Quote.Status.DRAFT)
        .order_by("-date", "-id")
    )


def invoices_of(contact: Contact) -> QuerySet[Invoice]:
    return Invoice.objects.filter(contact=contact).order_by("-date", "-id")


def invoices_listed_of(contact: Contact) -> QuerySet[Invoice]:
    """The customer's invoices as their list shows them: each with its account lines in
    due order (``entries``: one per instalment of a plan), whose open ones can be paid
    one by one — in one more query whatever the number of invoices."""
    parts = Entry.objects.order_by("due_date", "id")
    return invoices_of(contact).prefetch_related(Prefetch("entries", queryset=parts))


def _since() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=SURVEY_DAYS)


def pending_surveys(contact: Contact) -> list[tuple[str, object]]:
    """What the customer is asked about: recent invoices and recently finished projects
    that have no survey yet, when an active questionnaire exists for them."""
    kinds = set(
        Questionnaire.objects.filter(is_active=True, questions__isnull=False)
        .values_list("subject", flat=True)
        .distinct()
    )
    pending: list[tuple[str, object]] = []
    if Questionnaire.Subject.INVOICE in kinds:
        invoices = invoices_of(contact).filter(date__gte=_since(), survey_responses__isnull=True)
        pending += [("invoice", invoice) for invoice in invoices[:20]]
    if Questionnaire.Subject.PROJECT in kinds:
        projects = Project.objects.filter(
            contact=contact,
            status=Project.Status.DONE,
            survey_responses__isnull=True,
        ).filter(Q(end__gte=_since()) | Q(end__isnull=True, updated_at__date__gte=_since()))
        pending += [("project", project) for project in projects.order_by("-end", "-id")[:20]]
    return pending


def pending_survey(contact: Contact, kind: str, pk: int):
    """One pending survey subject of this customer, or None."""
    for subject_kind, subject in pending_surveys(contact):
        if subject_kind == kind and subject.pk == pk:
            return subject
    return None


def questionnaire_for(kind: str) -> Questionnaire | None:
    return (
        Questionnaire.objects.filter(subject=kind, is_active=True, questions__isnull=False)
        .distinct()
        .order_by("name", "id")
        .first()
    )
