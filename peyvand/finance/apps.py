from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "peyvand.finance"
    label = "finance"
    verbose_name = "مالی"

    def ready(self) -> None:
        from peyvand.core import events
        from peyvand.core.lists import register_list
        from peyvand.finance.lists import CHEQUES, RECEIPTS

        # The receipt and cheque lists: their saved views and columns find them by key.
        register_list(RECEIPTS)
        register_list(CHEQUES)

        from peyvand.contacts.services import CONTACTS_MERGED, CONTACTS_MERGING
        from peyvand.core.background_exports import Exporter, register_exporter
        from peyvand.core.registry import (
            HomePanel,
            RecordPanel,
            register_annotated_model,
            register_credit_in_use,
            register_home_panel,
            register_record_panel,
        )
        from peyvand.finance import selectors, services
        from peyvand.finance.exports import cheque_rows, receipt_rows
        from peyvand.finance.views import (
            contact_panel_context,
            home_panel_context,
            invoice_panel_context,
        )
        from peyvand.sales.services import INVOICE_ISSUED

        # An issued invoice is owed on its customer's account.
        events.subscribe(INVOICE_ISSUED, services.invoice_issued)
        # A merged duplicate's money is the survivor's: one account, its totals kept.
        events.subscribe(CONTACTS_MERGING, services.contacts_merging)
        events.subscribe(CONTACTS_MERGED, services.contacts_merged)
        register_credit_in_use(selectors.credit_in_use)
        register_exporter(
            "receipts",
            Exporter(
                "دریافت‌ها و پرداخت‌ها", "finance.view_receipt", receipt_rows, "finance:receipt_list"
            ),
        )
        register_exporter(
            "cheques",
            Exporter("چک‌های دریافتی", "finance.view_cheque", cheque_rows, "finance:cheque_list"),
        )
        register_annotated_model("finance.receipt")
        # After the follow-ups: what customers owe this week, and the cheques due.
        register_home_panel(
            HomePanel("finance/_home_due.html", home_panel_context, "finance.view_account", order=2)
        )
        register_record_panel(
            RecordPanel(
                "contacts.contact",
                "finance/_contact_panel.html",
                contact_panel_context,
                permission="finance.view_account",
                order=2,
            )
        )
        register_record_panel(
            RecordPanel(
                "sales.invoice",
                "finance/_invoice_panel.html",
                invoice_panel_context,
                permission="finance.view_account",
                order=1,
            )
        )
