"""The API's 422 for input its schema refuses (issue 21, point 12): each of ``errors``
keeps pydantic's ``type`` and ``loc`` for programs, and its ``msg`` is Persian, like
every other message of the API, with limits in Persian digits."""

import pydantic
import pytest

from peyvand.api.messages import persian_errors
from tests.api.test_api import auth  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

JSON = "application/json"


def messages(response) -> dict[str, tuple[str, str]]:
    """(type, msg) of each error by its field."""
    assert response.status_code == 422, response.content
    return {error["loc"][-1]: (error["type"], error["msg"]) for error in response.json()["errors"]}


def test_a_missing_field_and_wrong_types_in_a_body_are_explained_in_persian(
    client,
    auth,  # noqa: F811
):
    missing = client.post("/api/v1/contacts", {}, content_type=JSON, headers=auth("owner"))
    assert messages(missing) == {"name": ("missing", "این فیلد لازم است.")}
    wrong = client.post(
        "/api/v1/contacts",
        {"name": 5, "phones": "x", "is_vip": "شاید", "credit_limit": "زیاد", "custom": [1]},
        content_type=JSON,
        headers=auth("owner"),
    )
    assert messages(wrong) == {
        "name": ("string_type", "باید متن باشد."),
        "phones": ("list_type", "باید فهرست (آرایهٔ JSON) باشد."),
        "is_vip": ("bool_parsing", "باید true یا false باشد."),
        "credit_limit": ("int_parsing", "باید عدد صحیح باشد."),
        "custom": ("dict_type", "باید یک شیء JSON باشد."),
    }


def test_query_parameters_are_explained_in_persian_with_limits_in_persian_digits(
    client,
    auth,  # noqa: F811
):
    owner = auth("owner")
    page = client.get("/api/v1/contacts", {"page": "دوم"}, headers=owner)
    assert messages(page) == {"page": ("int_parsing", "باید عدد صحیح باشد.")}
    dates = client.get(
        "/api/v1/events", {"start": "1404/01/01", "end": "2025-13-01"}, headers=owner
    )
    message = "باید تاریخ میلادی به شکل YYYY-MM-DD باشد (مثلاً 2025-03-21)."
    assert {field: msg for field, (_type, msg) in messages(dates).items()} == {
        "start": message,
        "end": message,
    }
    huge = client.post(f"/api/v1/notifications/seen?ids={10**30}", headers=owner)
    ((kind, text),) = messages(huge).values()
    assert kind == "less_than_equal"
    assert text == "باید حداکثر ۹۲۲۳۳۷۲۰۳۶۸۵۴۷۷۵۸۰۷ باشد."


def test_our_own_validators_keep_their_persian_message(client, personas, auth):  # noqa: F811
    answer = client.post(
        "/api/v1/leads",
        {"title": "خرید", "contact_id": True},
        content_type=JSON,
        headers=auth("owner"),
    )
    assert messages(answer)["contact_id"] == (
        "value_error",
        "contact_id باید عدد یا متن باشد، نه true یا false.",
    )


def test_lengths_and_unknown_types_read_in_persian():
    class Body(pydantic.BaseModel):
        code: str = pydantic.Field(max_length=30)
        tags: list[str] = pydantic.Field(min_length=2)
        url: pydantic.AnyUrl

    with pytest.raises(pydantic.ValidationError) as refused:
        Body(code="x" * 31, tags=["a"], url="نه")
    errors = {error["loc"][0]: error["msg"] for error in persian_errors(refused.value.errors())}
    assert errors == {
        "code": "حداکثر ۳۰ نویسه مجاز است.",
        "tags": "دست‌کم ۲ مورد لازم است.",
        "url": "مقدار معتبر نیست.",
    }
