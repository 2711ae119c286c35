"""The form dialog (core.dialog): the quick-create menu's forms in a frame over the page
the user is on, saved without leaving it."""

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from peyvand.contacts.models import Contact
from tests.contacts.test_views import form_data
from tests.factories import LeadFactory


def frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if "frame-ancestors" in part)


def test_a_form_may_be_framed_by_this_site_only_when_asked_for_in_the_dialog(client, personas):
    client.force_login(personas.owner)
    for name in (
        "contacts:create",
        "sales:lead_create",
        "sales:followup_quick",
        "activities:task_create",
        "activities:call_create",
        "service:request_create",
    ):
        page = client.get(reverse(name))
        assert page["X-Frame-Options"] == "DENY", name
        assert frame_ancestors(page) == "frame-ancestors 'none'", name
        framed = client.get(reverse(name), {"dialog": "1"})
        assert framed.status_code == 200, name
        assert framed["X-Frame-Options"] == "SAMEORIGIN", name
        assert frame_ancestors(framed) == "frame-ancestors 'self'", name
        html = framed.content.decode()
        # The page without its shell: no top bar, menu or second dialog inside the frame.
        assert '<body class="in-dialog"' in html, name
        assert 'id="sidebar"' not in html and 'id="quick-create"' not in html, name
        assert 'id="form-dialog"' not in html, name
    # Any other page keeps refusing, whatever it is asked.
    home = client.get(reverse("core:home"), {"dialog": "1"})
    assert home["X-Frame-Options"] == "DENY"
    assert frame_ancestors(home) == "frame-ancestors 'none'"


def test_a_form_saved_in_the_dialog_lands_on_the_page_that_closes_it(client, personas):
    client.force_login(personas.owner)
    url = reverse("contacts:create") + "?dialog=1"
    data = form_data(name="", phones=[("mobile", "۰۹۱۲۳۴۵۶۷۸۹")])
    refused = client.post(url, data)
    # Refused: the form again, still in the dialog, with what was typed.
    assert refused.status_code == 200
    assert refused["X-Frame-Options"] == "SAMEORIGIN"
    assert "in-dialog" in refused.content.decode()
    assert "۰۹۱۲۳۴۵۶۷۸۹" in refused.content.decode()
    saved = client.post(url, {**data, "name": "مهسا نیک‌نام", "next": "/sales/leads/"})
    contact = Contact.objects.get(name="مهسا نیک‌نام")
    assert saved.status_code == 302
    target = urlsplit(saved.url)
    assert target.path == reverse("core:dialog_saved")
    assert parse_qs(target.query) == {"to": [contact.get_absolute_url()], "dialog": ["1"]}
    last = client.get(saved.url)
    assert last["X-Frame-Options"] == "SAMEORIGIN"
    html = last.content.decode()
    assert f'data-to="{contact.get_absolute_url()}"' in html
    assert "مهسا نیک‌نام" in html  # the message the page beneath shows


def test_the_closing_page_links_only_to_this_site(client, personas):
    client.force_login(personas.owner)
    page = client.get(reverse("core:dialog_saved"), {"to": "https://evil.example/x", "dialog": "1"})
    assert 'data-to=""' in page.content.decode()
    lead = LeadFactory(owner=personas.owner)
    mine = client.get(reverse("core:dialog_saved"), {"to": lead.get_absolute_url()})
    assert f'data-to="{lead.get_absolute_url()}"' in mine.content.decode()
