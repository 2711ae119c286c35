from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "peyvand.service"
    label = "service"
    verbose_name = "خدمات مشتریان"

    def ready(self) -> None:
        from peyvand.core.registry import RecordPanel, register_record_panel
        from peyvand.service.views import contact_panel_context

        register_record_panel(
            RecordPanel(
                "contacts.contact",
                "service/_contact_panel.html",
                contact_panel_context,
                permission="service.view_request",
                order=2,
            )
        )
