from urllib.parse import parse_qsl, urlencode

from django.db import migrations

# The complaint list's address (service:complaint_list), as it was when views were saved.
COMPLAINTS = "/service/complaints/"


def saved_view_param(apps, schema_editor):
    """A start page saved on a complaint view before the list opened views with
    ``saved_view`` (its own ``view`` is the complaint tab) reads ``?view=<id>``: the tab
    filter took the id as a tab and the view was not applied. Renamed to
    ``saved_view=<id>`` where the id is a complaint view's."""
    User = apps.get_model("accounts", "User")
    SavedView = apps.get_model("core", "SavedView")
    views = {
        str(pk)
        for pk in SavedView.objects.filter(list_key="complaints").values_list("pk", flat=True)
    }
    for user in User.objects.filter(start_page__startswith=f"{COMPLAINTS}?"):
        path, _, query = user.start_page.partition("?")
        pairs = parse_qsl(query, keep_blank_values=True)
        if not any(name == "view" and value in views for name, value in pairs):
            continue
        pairs = [
            ("saved_view" if name == "view" and value in views else name, value)
            for name, value in pairs
        ]
        user.start_page = f"{path}?{urlencode(pairs)}"
        user.save(update_fields=["start_page"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_start_page"),
        ("core", "0016_saved_view_columns"),
        ("service", "0011_customer_search_key"),
    ]

    operations = [migrations.RunPython(saved_view_param, migrations.RunPython.noop)]
