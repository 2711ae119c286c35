from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "peyvand.surveys"
    label = "surveys"
    verbose_name = "نظرسنجی و پروژه"

    def ready(self) -> None:
        from peyvand.core.background_exports import Exporter, register_exporter
        from peyvand.core.lists import register_list
        from peyvand.core.registry import (
            HistorySource,
            RecordPanel,
            register_history_source,
            register_record_panel,
        )
        from peyvand.surveys.exports import project_rows
        from peyvand.surveys.lists import PROJECTS
        from peyvand.surveys.selectors import project_history

        # The project list: its saved views, columns and exports find it by key.
        register_list(PROJECTS)

        register_exporter(
            "projects",
            Exporter("پروژه‌ها", "surveys.view_project", project_rows, "surveys:project_list"),
        )
        from peyvand.surveys.views import contact_panel_context, invoice_panel_context

        register_record_panel(
            RecordPanel(
                "sales.invoice",
                "surveys/_surveys_card.html",
                invoice_panel_context,
                permission="surveys.view_surveyresponse",
            )
        )
        register_record_panel(
            RecordPanel(
                "contacts.contact",
                "surveys/_contact_surveys.html",
                contact_panel_context,
                permission="surveys.view_surveyresponse",
                order=3,
            )
        )
        register_history_source(
            HistorySource("پروژه‌ها", "kanban", "surveys.view_project", project_history, order=8)
        )
