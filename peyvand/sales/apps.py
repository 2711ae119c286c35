from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "peyvand.sales"
    label = "sales"
    verbose_name = "فروش"

    def ready(self) -> None:
        from peyvand.core.registry import (
            HomePanel,
            RecordPanel,
            SearchSource,
            register_annotated_model,
            register_home_panel,
            register_record_panel,
            register_search_source,
        )
        from peyvand.customfields.registry import register_target
        from peyvand.sales.selectors import lead_search
        from peyvand.sales.views import contact_panel_context, home_panel_context

        register_target("sales.lead", "سرنخ‌ها")
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
        register_record_panel(
            RecordPanel(
                "contacts.contact",
                "sales/_contact_panel.html",
                contact_panel_context,
                permission="sales.view_lead",
                order=1,
            )
        )
