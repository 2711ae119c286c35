from django.db.models import QuerySet

from peyvand.sales.models import Invoice
from peyvand.tax.models import TaxSubmission


def open_submissions(user) -> QuerySet[TaxSubmission]:
    """Submissions not accepted (queued, sent, rejected, failed) of the invoices ``user``
    sees, newest first. A replaced invoice's refusal asks nothing more: its correction is
    what goes to the system."""
    return (
        TaxSubmission.objects.filter(
            status__in=TaxSubmission.NOT_ACCEPTED,
            invoice__in=Invoice.objects.visible_to(user).filter(superseded=False).values("pk"),
        )
        .select_related("invoice__contact")
        .order_by("-id")
    )


def rejected_count(user) -> int:
    return open_submissions(user).filter(status=TaxSubmission.Status.REJECTED).count()


def submissions_of_invoice(invoice) -> list[TaxSubmission]:
    return list(TaxSubmission.objects.filter(invoice=invoice).order_by("-id"))


def document_facts(document) -> list[tuple[str, str]]:
    """The official layout's head line for an invoice سامانه مودیان accepted: its tax ID
    (an ID not yet accepted may still be refused, so it is not printed)."""
    if not isinstance(document, Invoice) or document.pk is None:
        return []
    accepted = (
        TaxSubmission.objects.filter(invoice=document, status=TaxSubmission.Status.ACCEPTED)
        .values_list("tax_id", "reference_tax_id")
        .first()
    )
    if accepted is None:
        return []
    tax_id, reference_tax_id = accepted
    facts = [("شماره مالیاتی", tax_id)]
    if reference_tax_id:
        facts.append(("شماره مالیاتی مرجع", reference_tax_id))
    return facts
