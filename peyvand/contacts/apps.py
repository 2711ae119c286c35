from django.apps import AppConfig


def _my_recent_contacts(request) -> dict:
    from peyvand.contacts.models import Contact

    contacts = Contact.objects.visible_to(request.user).filter(owner=request.user)
    return {"contacts": contacts.order_by("-created_at", "-id")[:6]}


class ContactsConfig(AppConfig):
    name = "peyvand.contacts"
    label = "contacts"
    verbose_name = "مخاطبین"

    def ready(self) -> None:
        from peyvand.contacts.lists import CONTACTS, PHONEBOOK
        from peyvand.core.lists import register_list

        # The contact list and the phone book: their saved views, columns and exports
        # find them by key.
        register_list(CONTACTS)
        register_list(PHONEBOOK)

        from peyvand.contacts.selectors import contact_search, phonebook_search
        from peyvand.core.registry import (
            HomePanel,
            SearchSource,
            register_annotated_model,
            register_home_panel,
            register_search_source,
        )
        from peyvand.customfields.registry import register_target

        register_target("contacts.contact", "مخاطبین")
        register_annotated_model("contacts.contact")
        register_target("contacts.phonebookentry", "دفترچه تلفن")

        from peyvand.contacts.importer import ContactImporter
        from peyvand.core.imports import register_importer

        register_importer(ContactImporter())

        from peyvand.contacts.exports import export_rows
        from peyvand.contacts.phonebook_views import phonebook_rows
        from peyvand.core.background_exports import Exporter, register_exporter

        register_exporter(
            "phonebook",
            Exporter(
                "دفترچه تلفن", "contacts.view_phonebookentry", phonebook_rows, "phonebook:list"
            ),
        )
        register_exporter(
            "contacts",
            Exporter("مخاطبین", "contacts.export_contact", export_rows, "contacts:list"),
        )

        register_search_source(
            SearchSource(
                label="مخاطبین",
                search=contact_search,
                row_template="contacts/_search_row.html",
                list_url_name="contacts:list",
                permission="contacts.view_contact",
            )
        )
        register_search_source(
            SearchSource(
                label="دفترچه تلفن",
                search=phonebook_search,
                row_template="contacts/_phonebook_search_row.html",
                list_url_name="phonebook:list",
                permission="contacts.view_phonebookentry",
            )
        )
        register_home_panel(
            HomePanel(
                "contacts/_home_panel.html",
                _my_recent_contacts,
                permission="contacts.view_contact",
                order=50,
            )
        )
