from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "peyvand.service"
    label = "service"
    verbose_name = "خدمات مشتریان"

    def ready(self) -> None:
        from peyvand.core.registry import (
            HistorySource,
            HomePanel,
            RecordPanel,
            SearchSource,
            register_annotated_model,
            register_history_source,
            register_home_panel,
            register_record_panel,
            register_search_source,
        )
        from peyvand.customfields.registry import register_target
        from peyvand.service.selectors import (
            complaint_history,
            complaint_search,
            feedback_history,
            request_history,
            request_search,
        )
        from peyvand.service.views import contact_panel_context, home_panel_context

        register_target("service.request", "درخواست‌ها")
        register_target("service.complaint", "شکایات")
        from peyvand.core.background_exports import Exporter, register_exporter
        from peyvand.core.lists import register_list
        from peyvand.service.exports import complaint_rows, request_rows
        from peyvand.service.lists import COMPLAINTS, REQUESTS

        # The request and complaint lists: their saved views and columns find them by key.
        register_list(REQUESTS)
        register_list(COMPLAINTS)
        register_exporter(
            "requests",
            Exporter("درخواست‌ها", "service.view_request", request_rows, "service:request_all"),
        )
        register_exporter(
            "complaints",
            Exporter("شکایات", "service.view_complaint", complaint_rows, "service:complaint_list"),
        )
        register_annotated_model("service.request")
        from peyvand.core.registry import ConversationKind, register_conversation_kind
        from peyvand.service.selectors import complaint_with_code, request_with_code
        from peyvand.service.services import request_from_message, request_status_text

        # A customer's email carrying a tracking code joins that request or complaint;
        # a mailbox may open a request for an email that belongs to nothing yet.
        register_conversation_kind(
            ConversationKind(
                "service.request",
                "درخواست",
                request_with_code,
                request_from_message,
                request_status_text,
            )
        )
        register_conversation_kind(
            ConversationKind("service.complaint", "شکایت", complaint_with_code)
        )
        register_annotated_model("service.complaint")
        for source in (
            HistorySource("درخواست‌ها", "inbox", "service.view_request", request_history, order=4),
            HistorySource(
                "شکایات", "megaphone", "service.view_complaint", complaint_history, order=5
            ),
            HistorySource(
                "پیشنهادها، هدایا و تخفیف‌ها",
                "gift",
                "service.view_feedback",
                feedback_history,
                order=6,
            ),
        ):
            register_history_source(source)
        register_search_source(
            SearchSource(
                label="درخواست‌ها",
                search=request_search,
                row_template="service/_search_row.html",
                list_url_name="service:request_all",
                permission="service.view_request",
            )
        )
        register_search_source(
            SearchSource(
                label="شکایات",
                search=complaint_search,
                row_template="service/_complaint_search_row.html",
                list_url_name="service:complaint_list",
                permission="service.view_complaint",
            )
        )
        # A support agent's day: the requests waiting for them, after the follow-ups.
        register_home_panel(
            HomePanel(
                "service/_home_requests.html",
                home_panel_context,
                "service.view_request",
                order=2,
            )
        )
        register_record_panel(
            RecordPanel(
                "contacts.contact",
                "service/_contact_panel.html",
                contact_panel_context,
                permission="service.view_request",
                order=2,
            )
        )
