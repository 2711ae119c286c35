import datetime

from django.apps import AppConfig


def _anything_due() -> bool:
    from peyvand.tax.sending import due

    return due().exists()


def _anything_to_poll() -> bool:
    from peyvand.tax.models import TaxSubmission

    return TaxSubmission.objects.filter(status=TaxSubmission.Status.SENT).exists()


class TaxConfig(AppConfig):
    """مالیات / سامانه مودیان: tax IDs, the client of the tax organisation's e-invoice
    service (docs/moadian-research.md), its settings and the submissions the worker
    sends. Above sales and finance: it sends their invoices; nothing below imports it."""

    name = "peyvand.tax"
    label = "tax"
    verbose_name = "مالیات"

    def ready(self) -> None:
        from peyvand.core import events
        from peyvand.core.registry import (
            RecordPanel,
            register_document_facts,
            register_record_panel,
        )
        from peyvand.core.scheduler import PeriodicJob, register_periodic
        from peyvand.sales.services import INVOICE_ISSUED
        from peyvand.tax import selectors, services, tasks
        from peyvand.tax.views import invoice_panel_context

        # An issued invoice is queued for سامانه مودیان when sending is on.
        events.subscribe(INVOICE_ISSUED, services.invoice_issued)
        register_record_panel(
            RecordPanel(
                "sales.invoice",
                "tax/_invoice_panel.html",
                invoice_panel_context,
                permission="sales.view_invoice",
                order=2,
            )
        )
        # The official invoice prints its tax ID once accepted.
        register_document_facts(selectors.document_facts)
        minute = datetime.timedelta(minutes=1)
        register_periodic(
            PeriodicJob("tax.send", datetime.timedelta(seconds=15), tasks.send, _anything_due)
        )
        register_periodic(PeriodicJob("tax.poll", minute, tasks.poll, _anything_to_poll))
        register_periodic(PeriodicJob("tax.recover", minute, tasks.recover))
