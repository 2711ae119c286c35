from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "peyvand.portal"
    label = "portal"
    verbose_name = "پرتال مشتریان"

    def ready(self) -> None:
        from peyvand.core.registry import RecordPanel, register_record_panel
        from peyvand.portal.views import contact_panel_context

        # The contact's page shows who may sign in to the portal and what they see.
        register_record_panel(
            RecordPanel(
                "contacts.contact",
                "portal/_contact_card.html",
                contact_panel_context,
                permission="contacts.view_contact",
                order=9,
            )
        )
