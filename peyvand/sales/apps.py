from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "peyvand.sales"
    label = "sales"
    verbose_name = "فروش"

    def ready(self) -> None:
        from peyvand.core.lists import register_list
        from peyvand.sales.lists import INVOICES, LEADS, QUOTES, lead_search

        # The lead, proforma and invoice lists: their saved views find them by key.
        register_list(LEADS)
        register_list(QUOTES)
        register_list(INVOICES)

        from peyvand.core.registry import (
            ConversationKind,
            HistorySource,
            HomePanel,
            RecordPanel,
            SearchSource,
            register_annotated_model,
            register_conversation_kind,
            register_history_source,
            register_home_panel,
            register_record_panel,
            register_search_source,
        )
        from peyvand.customfields.registry import register_target
        from peyvand.sales.selectors import (
            invoice_history,
            lead_history,
            quote_history,
        )
        from peyvand.sales.views import contact_panel_context, home_panel_context

        register_target("sales.lead", "سرنخ‌ها")
        from peyvand.core.background_exports import Exporter, register_exporter
        from peyvand.sales.exports import (
            invoice_rows,
            lead_rows,
            quote_rows,
            service_customer_rows,
        )

        for kind, exporter in (
            ("leads", Exporter("سرنخ‌ها", "sales.view_lead", lead_rows, "sales:lead_list")),
            (
                "quotes",
                Exporter("پیش فاکتورها", "sales.view_quote", quote_rows, "sales:quote_list"),
            ),
            (
                "invoices",
                Exporter("فاکتورها", "sales.view_invoice", invoice_rows, "sales:invoice_list"),
            ),
            (
                "service_customers",
                Exporter(
                    "مشتریان خدمات",
                    "contacts.export_contact",
                    service_customer_rows,
                    "sales:service_customers",
                ),
            ),
        ):
            register_exporter(kind, exporter)
        for source in (
            HistorySource("سرنخ‌ها", "funnel", "sales.view_lead", lead_history, order=1),
            HistorySource(
                "پیش فاکتورها", "file-earmark-text", "sales.view_quote", quote_history, order=2
            ),
            HistorySource("فاکتورها", "receipt", "sales.view_invoice", invoice_history, order=3),
        ):
            register_history_source(source)
        register_annotated_model("sales.lead")
        register_search_source(
            SearchSource(
                label="سرنخ‌ها",
                search=lead_search,
                row_template="sales/_search_row.html",
                list_url_name="sales:lead_list",
                permission="sales.view_lead",
            )
        )
        # A sales rep's day starts with their due follow-ups: first on the home page.
        register_home_panel(
            HomePanel(
                "sales/_home_followups.html", home_panel_context, "sales.view_followup", order=1
            )
        )
        # A lead's customer is written to from its page, and answers come back to it.
        register_conversation_kind(ConversationKind("sales.lead", "سرنخ"))
        register_record_panel(
            RecordPanel(
                "contacts.contact",
                "sales/_contact_panel.html",
                contact_panel_context,
                permission="sales.view_lead",
                order=1,
            )
        )
