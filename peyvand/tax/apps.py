from django.apps import AppConfig


class TaxConfig(AppConfig):
    """مالیات / سامانه مودیان: tax IDs and the client of the tax organisation's
    e-invoice service (docs/moadian-research.md). Above sales and finance: it will send
    their invoices; nothing below it imports it."""

    name = "peyvand.tax"
    label = "tax"
    verbose_name = "مالیات"
