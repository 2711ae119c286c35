"""A request the server refuses whole (issue 21): a body past DATA_UPLOAD_MAX_MEMORY_SIZE,
too many fields. The answer is Persian, says the limit and the way back to what was typed;
the API answers JSON; the pages say the limit to the script that stops such a form first."""

import json

from django.urls import reverse

from peyvand.accounts.models import ApiToken
from peyvand.core.text import to_persian_digits as fa


def test_a_form_body_past_the_limit_gets_a_persian_page_with_the_limit(client, personas, settings):
    settings.DEBUG = False
    client.force_login(personas.owner)
    too_long = "ی" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2 + 10)  # two bytes a letter
    response = client.post(reverse("contacts:create"), {"name": "علی", "notes": too_long})
    assert response.status_code == 400
    page = response.content.decode()
    limit = fa(str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)))
    assert 'lang="fa"' in page and f"{limit} مگابایت" in page
    assert "بازگشت" in page and "Bad Request" not in page


def test_too_many_fields_get_the_same_persian_page(client, personas, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    client.force_login(personas.owner)
    response = client.post(reverse("contacts:create"), {f"f{n}": "x" for n in range(20)})
    assert response.status_code == 400 and "مگابایت" in response.content.decode()


def test_the_api_answers_a_body_past_the_limit_in_persian_json(client, personas, settings):
    key = ApiToken.issue(personas.owner)[1]
    body = json.dumps({"name": "ی" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = client.post(
        "/api/v1/contacts",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code in (400, 413)
    assert response["Content-Type"].startswith("application/json")
    assert "مگابایت" in response.json()["detail"]


def test_pages_tell_the_script_the_limit(client, personas, settings):
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:create")).content.decode()
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
    assert f'data-max-form-mb="{limit}"' in page
    assert f"بیش از {fa(str(limit))} مگابایت" in page


def test_a_query_string_loses_its_control_characters_before_any_view_reads_it(
    client, personas, contact
):
    """PostgreSQL refuses a NUL in a text parameter: «?q=%00» was a 500 on every list
    with a search box. Filters lose what typed text loses (core.query_strings)."""
    client.force_login(personas.owner)
    response = client.get(reverse("contacts:list"), {"q": "کریمی\x00\u202e", "page": "1\r\n"})
    assert response.status_code == 200
    assert contact.name in response.content.decode()
    key = ApiToken.issue(personas.owner)[1]
    api = client.get("/api/v1/contacts", {"q": "\x00کریمی"}, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.status_code == 200 and [item["name"] for item in api.json()["items"]] == [
        contact.name
    ]


def test_api_bodies_lose_control_characters_before_a_service_takes_them(client, personas):
    """Text an operation hands straight to a service (a message's body) is cleaned as a
    form's is: PostgreSQL refused the NUL with a 500."""
    key = ApiToken.issue(personas.owner)[1]
    response = client.post(
        "/api/v1/messages",
        {"channel": "sms", "to": "09121234567", "body": "سلام\x00\u202e\nخداحافظ"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 201, response.content
    from peyvand.messaging.models import Message

    assert Message.objects.get().body == "سلام\nخداحافظ"


def test_upload_forms_say_their_limit_and_tell_the_script(client, personas, contact, settings):
    client.force_login(personas.owner)
    page = client.get(reverse("core:import_start", args=["contacts.contact"])).content.decode()
    assert "حداکثر ۲۰ مگابایت" in page and 'data-max-mb="20"' in page
    page = client.get(contact.get_absolute_url()).content.decode()
    assert f'data-max-mb="{settings.ATTACHMENT_MAX_MB}"' in page and "مگابایت" in page
