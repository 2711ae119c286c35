import json

import pytest

from peyvand.contacts.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def token_for(client, username: str) -> str:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": "peyvand-demo"},
        content_type="application/json",
    )
    assert response.status_code == 200
    return response.json()["token"]


@pytest.fixture
def auth(client, personas):
    def headers(persona: str) -> dict:
        return {"Authorization": f"Bearer {token_for(client, getattr(personas, persona).username)}"}

    return headers


def test_a_wrong_password_gets_no_token_and_a_persian_message(client, personas):
    response = client.post(
        "/api/v1/auth/token",
        {"username": "owner", "password": "x"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "نام کاربری یا گذرواژه درست نیست."


def test_without_a_token_the_api_answers_401_as_json_in_persian(client, personas):
    response = client.get("/api/v1/contacts")
    assert response.status_code == 401
    assert "احراز هویت" in response.json()["detail"]


def test_a_bad_token_is_refused(client, personas):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401


def test_me_describes_the_token_owner(client, auth):
    body = client.get("/api/v1/me", headers=auth("owner")).json()
    assert body["username"] == "owner"
    assert "contacts.add_contact" in body["permissions"]


@pytest.mark.parametrize(
    ("persona", "status"), [("outsider", 404), ("owner", 200), ("teammate", 200), ("manager", 200)]
)
def test_a_contact_is_visible_only_to_those_who_may_see_it(client, auth, contact, persona, status):
    response = client.get(f"/api/v1/contacts/{contact.pk}", headers=auth(persona))
    assert response.status_code == status
    if status == 404:
        assert response.json()["detail"] == "پیدا نشد."
    else:
        assert response.json()["name"] == "علی کریمی"


def test_the_list_honours_visibility_and_search(client, auth, personas, contact):
    ContactFactory(owner=personas.outsider, name="علی کریمی‌پور")
    owner_sees = client.get("/api/v1/contacts", {"q": "علي"}, headers=auth("owner")).json()
    manager_sees = client.get("/api/v1/contacts", {"q": "علي"}, headers=auth("manager")).json()
    assert [item["name"] for item in owner_sees["items"]] == ["علی کریمی"]
    assert len(manager_sees["items"]) == 2
    assert owner_sees["has_next"] is False


def test_it_creates_a_contact_with_the_same_rules_as_the_form(client, auth, personas):
    response = client.post(
        "/api/v1/contacts",
        {"name": "رضا موسوی", "phones": [{"number": "۰۹۱۲۳۴۵۶۷۸۹"}], "birthday": "1370/05/12"},
        content_type="application/json",
        headers=auth("owner"),
    )
    assert response.status_code == 201, response.content
    contact = Contact.objects.get(name="رضا موسوی")
    assert contact.mobile == "+989123456789"
    assert contact.owner == personas.owner
    assert response.json()["code"] == contact.code
    assert response.json()["phones"] == [{"kind": "mobile", "number": "+989123456789", "note": ""}]


def test_invalid_data_is_explained_in_persian_per_field(client, auth):
    response = client.post(
        "/api/v1/contacts",
        {"name": "بد", "phones": [{"number": "12345"}], "birthday": "1404/12/30"},
        content_type="application/json",
        headers=auth("owner"),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "وجود ندارد" in errors["birthday"][0]["message"]
    assert set(errors) == {"phones.0.number", "birthday"}
    assert not Contact.objects.filter(name="بد").exists()


def test_a_malformed_body_is_a_persian_422(client, auth):
    response = client.post(
        "/api/v1/contacts", {"phones": "x"}, content_type="application/json", headers=auth("owner")
    )
    assert response.status_code == 422
    assert "معتبر نیست" in response.json()["detail"]


def test_a_user_without_permission_cannot_create(client, personas):
    from tests.factories import UserFactory

    UserFactory(username="norole")
    response = client.post(
        "/api/v1/contacts",
        {"name": "x"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token_for(client, 'norole')}"},
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "اجازه این کار را ندارید."


def test_lookup_lists_are_readable(client, auth):
    names = [
        row["name"] for row in client.get("/api/v1/lookups/channels", headers=auth("owner")).json()
    ]
    assert "تلفن" in names
    assert client.get("/api/v1/lookups/nope", headers=auth("owner")).status_code == 404


def test_the_openapi_schema_lists_the_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/auth/token", "/api/v1/contacts", "/api/v1/contacts/{contact_id}"} <= set(paths)


def test_every_api_endpoint_needs_authentication_except_the_token_and_schema(client, contact):
    from peyvand.api.api import api

    schema = api.get_openapi_schema()
    public = {"/api/v1/auth/token"}
    checked = 0
    for path, operations in schema["paths"].items():
        url = path.replace("{contact_id}", str(contact.pk)).replace("{slug}", "sources")
        for method in operations:
            response = getattr(client, method)(url, content_type="application/json")
            if path in public:
                assert response.status_code != 401
            else:
                assert response.status_code == 401, (method, path)
            checked += 1
    assert checked >= 6


def test_a_body_that_is_no_json_is_a_persian_400(client, auth):
    """Found by schemathesis: django-ninja's own refusal was in English."""
    response = client.post(
        "/api/v1/contacts", b"\xff{", content_type="application/json", headers=auth("owner")
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "بدنهٔ درخواست JSON یا فرم خوانا نیست."


def test_a_page_or_an_id_past_what_a_database_stores_is_refused_not_a_500(client, auth):
    """Found by schemathesis: a page of 10³⁰ (an offset no database takes) and, on SQLite,
    an id past 64 bits were server errors."""
    owner = auth("owner")
    page = client.get("/api/v1/contacts", {"page": 10**30}, headers=owner)
    assert page.status_code == 422
    assert page.json()["detail"] == "شمارهٔ صفحه (page) بیش از اندازه بزرگ است."
    assert client.get("/api/v1/contacts", {"page": 1_000_000}, headers=owner).status_code == 200
    # A list's filter reads an id past what a row's id can be as no id: it filters nothing.
    assert client.get("/api/v1/contacts", {"owner": 10**30}, headers=owner).status_code == 200
    assert client.get(f"/api/v1/contacts/{10**30}", headers=owner).status_code == 404


def test_a_persian_username_is_counted_toward_the_login_limits_without_a_warning(client, personas):
    """Found by schemathesis: a username with Persian letters or a space made a cache key
    memcached refuses (a CacheKeyWarning, an error under the test settings)."""
    for _attempt in range(10):
        response = client.post(
            "/api/v1/auth/token",
            {"username": "کاربر ناشناس\u200cای", "password": "x"},
            content_type="application/json",
        )
        assert response.status_code == 401
    locked = client.post(
        "/api/v1/auth/token",
        {"username": "کاربر ناشناس\u200cای", "password": "x"},
        content_type="application/json",
    )
    assert locked.status_code == 429


def test_the_openapi_schema_documents_the_persian_errors(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    detail = paths["/api/v1/contacts/{contact_id}"]["get"]["responses"]
    assert {"200", "401", "403", "404", "422"} <= set(detail)
    assert detail["404"]["description"] == "پیدا نشد."
    assert "400" in paths["/api/v1/contacts"]["post"]["responses"]
    # The token endpoint needs no token: no 403 for it.
    assert "403" not in paths["/api/v1/auth/token"]["post"]["responses"]


def test_the_openapi_document_has_no_key_twice(client):
    """Swagger UI (/api/v1/docs) parses the document as YAML and refuses a repeated key:
    ninja's declared 422 (an int) and the documented "422" were both written."""
    repeated = []

    def no_repeats(pairs):
        keys = [key for key, _value in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_repeats)
    assert repeated == []


def test_notification_ids_past_64_bits_are_a_persian_422(client, auth):
    """Found by schemathesis: an UPDATE … WHERE id IN (10³⁰) was a server error (and left
    the transaction unusable)."""
    response = client.post(f"/api/v1/notifications/seen?ids={10**30}", headers=auth("owner"))
    assert response.status_code == 422
    assert "ids" in response.json()["detail"]
    assert client.post("/api/v1/notifications/seen?ids=1", headers=auth("owner")).json() == {
        "marked": 0,
        "unseen": 0,
    }
