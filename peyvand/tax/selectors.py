from django.db.models import QuerySet

from peyvand.sales.models import Invoice
from peyvand.tax.models import TaxSubmission


def open_submissions(user) -> QuerySet[TaxSubmission]:
    """Submissions not accepted (queued, sent, rejected, failed) of the invoices ``user``
    sees, newest first."""
    return (
        TaxSubmission.objects.filter(
            status__in=TaxSubmission.NOT_ACCEPTED,
            invoice__in=Invoice.objects.visible_to(user).values("pk"),
        )
        .select_related("invoice__contact")
        .order_by("-id")
    )


def rejected_count(user) -> int:
    return open_submissions(user).filter(status=TaxSubmission.Status.REJECTED).count()


def submissions_of_invoice(invoice) -> list[TaxSubmission]:
    return list(TaxSubmission.objects.filter(invoice=invoice).order_by("-id"))
