"""Who may keep a copy of an answer: what carries a signed-in person's data, and every
file, is ``Cache-Control: private, no-store`` (no shared cache keeps it, and the browser
keeps no copy on a shared computer's disk); static files and public pages keep their
caching."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peyvand.activities.models import CalendarFeed
from peyvand.core.models import Attachment
from peyvand.messaging.models import Message
from peyvand.portal.models import PortalAccess
from peyvand.portal.views import SESSION_KEY
from peyvand.sales.models import Quote, QuoteLine
from peyvand.sales.services import quote_save, quote_share_token
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"


def test_a_signed_in_users_pages_and_partials_are_not_kept(client, personas, contact):
    client.force_login(personas.owner)
    for url in (reverse("core:home"), reverse("contacts:list"), contact.get_absolute_url()):
        assert client.get(url)["Cache-Control"] == PRIVATE, url
    partial = client.get(reverse("contacts:list"), {"q": "علی"}, HTTP_HX_REQUEST="true")
    assert partial["Cache-Control"] == PRIVATE
    # Even a page that is public for others (the tracking page) when seen signed in.
    assert client.get(reverse("service:track"))["Cache-Control"] == PRIVATE


def test_every_export_and_file_is_not_kept(client, personas, contact):
    client.force_login(personas.owner)
    for url in (
        reverse("contacts:export", args=["csv"]),
        reverse("contacts:export", args=["xlsx"]),
        reverse("core:list_export", args=["calls", "csv"]),
        reverse("core:list_export", args=["calls", "pdf"]),
    ):
        response = client.get(url)
        assert response["Cache-Control"] == PRIVATE, url
        if response.streaming:
            b"".join(response.streaming_content)  # read to its end: the file closes
    upload = reverse("core:attachment_upload", args=["contacts.contact", contact.pk])
    client.post(upload, {"file": SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)})
    image = client.get(reverse("core:attachment", args=[Attachment.objects.get().pk]))
    b"".join(image.streaming_content)
    assert image["Cache-Control"] == PRIVATE  # an image shown inline is a file too
    # Files behind a secret address, opened by someone not signed in: the calendar feed
    # (read by calendar apps) and a proforma's link in its SMS.
    CalendarFeed.objects.create(user=personas.owner, key="k" * 40)
    anonymous = Client()
    assert anonymous.get(reverse("activities:ics", args=["k" * 40]))["Cache-Control"] == PRIVATE
    quote = quote_save(
        quote=Quote(contact=contact),
        lines=[QuoteLine(description="نصب", unit_price=1_000_000)],
        by=personas.owner,
    )
    shared = anonymous.get(reverse("sales:quote_shared", args=[quote_share_token(quote)]))
    assert shared.status_code == 200 and shared["Cache-Control"] == PRIVATE


def test_api_answers_are_not_kept_but_its_public_description_is(client, personas):
    token = client.post(
        "/api/v1/auth/token",
        {"username": "owner", "password": "peyvand-demo"},
        content_type="application/json",
    )
    assert token.status_code == 200 and token["Cache-Control"] == PRIVATE
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    assert client.get("/api/v1/calls", headers=headers)["Cache-Control"] == PRIVATE
    assert client.get("/api/v1/calls")["Cache-Control"] == PRIVATE  # the 401 too
    assert "no-store" not in client.get("/api/v1/openapi.json").get("Cache-Control", "")


def test_a_signed_in_customers_portal_pages_are_not_kept(client, personas):
    customer = ContactFactory(owner=personas.owner, phones=["+989121234567"])
    PortalAccess.objects.create(contact=customer, enabled=True)
    assert "no-store" not in client.get(reverse("portal:login")).get("Cache-Control", "")
    session = client.session
    session[SESSION_KEY] = {
        "mobile": "+989121234567",
        "contact": customer.pk,
        "at": timezone.now().isoformat(),
    }
    session.save()
    for url in (reverse("portal:home"), reverse("portal:section", args=["requests"])):
        response = client.get(url)
        assert response.status_code == 200 and response["Cache-Control"] == PRIVATE, url


def test_public_pages_keep_their_caching(client):
    assert "Cache-Control" not in client.get(reverse("service:track"))
    assert "no-store" not in client.get(reverse("portal:login")).get("Cache-Control", "")


def test_static_files_keep_their_caching_for_signed_in_users(client, personas, settings, tmp_path):
    """WhiteNoise (production) answers static files before anything else runs."""
    settings.MIDDLEWARE = [
        settings.MIDDLEWARE[0],
        "whitenoise.middleware.WhiteNoiseMiddleware",
        *settings.MIDDLEWARE[1:],
    ]
    settings.WHITENOISE_USE_FINDERS = True
    settings.STATIC_ROOT = tmp_path  # nothing collected: the files come from the finders
    client.force_login(personas.owner)
    response = client.get("/static/peyvand/js/app.js")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert "public" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]


def test_half_signed_in_pages_are_not_kept(client, personas, settings):
    """The authenticator's setup page (its secret shown before the sign-in completes) and
    the portal's «choose» page answer inside a session that holds a pending step."""
    from tests.accounts.test_two_factor import password_step

    settings.TWO_FACTOR_REQUIRED_FOR_MANAGERS = True
    response = password_step(client, "boss")
    assert response.url == reverse("accounts:two_factor_setup")
    setup = client.get(reverse("accounts:two_factor_setup"))
    assert setup.status_code == 200 and setup["Cache-Control"] == PRIVATE
    company = ContactFactory(owner=personas.owner, name="صنایع مهرگان", kind="organization")
    PortalAccess.objects.create(contact=company, enabled=True, include_people=True)
    person = ContactFactory(owner=personas.owner, phones=["+989121234567"], organization=company)
    PortalAccess.objects.create(contact=person, enabled=True)
    portal = Client()
    portal.post(reverse("portal:login"), {"mobile": "09121234567"})
    code = re.search(r"\d{6}", Message.objects.latest("created_at").body).group()
    assert portal.post(reverse("portal:code"), {"code": code}).url == reverse("portal:choose")
    choose = portal.get(reverse("portal:choose"))
    assert choose.status_code == 200 and choose["Cache-Control"] == PRIVATE
