"""Contact and product codes (issue 21, points 7 and 12): the contact series steps over
codes typed by hand — on the page, over the API and in the same import file — and typed
codes hold only letters, digits and - / _, with a Persian error otherwise."""

import pytest
from django.urls import reverse

from peyvand.contacts.models import Contact
from peyvand.sales.models import Product
from tests.api.test_api import auth  # noqa: F401 - a fixture
from tests.contacts.test_import import start, upload, worker_test, xlsx
from tests.contacts.test_views import form_data

pytestmark = pytest.mark.django_db

JSON = "application/json"
CODE_RULE = "کد فقط می‌تواند حرف، رقم و نشانه‌های - و / و _ داشته باشد"


def test_a_code_typed_over_the_api_is_stepped_over_by_pages_and_the_api(
    client,
    personas,
    auth,  # noqa: F811
):
    owner = auth("owner")
    typed = client.post(
        "/api/v1/contacts", {"name": "دستی", "code": "C000001"}, content_type=JSON, headers=owner
    )
    assert typed.status_code == 201, typed.content
    client.force_login(personas.owner)
    for number in range(2):
        page = client.post(reverse("contacts:create"), form_data(name=f"صفحه {number}"))
        assert page.status_code == 302
    for number in range(2):
        answer = client.post(
            "/api/v1/contacts", {"name": f"واسط {number}"}, content_type=JSON, headers=owner
        )
        assert answer.status_code == 201, answer.content
    codes = list(Contact.objects.order_by("pk").values_list("code", flat=True))
    assert codes == [f"C{number:06d}" for number in range(1, 6)]


@worker_test
def test_an_import_gives_no_automatic_code_that_a_row_of_the_same_file_types(client, personas):
    """The codes for the rows without one were reserved before the typed ones were saved:
    the first row got C000001 too, and the whole import failed."""
    client.force_login(personas.owner)
    rows = [["بی‌کد", ""], ["با کد", "C000001"], ["بی‌کد دوم", ""]]
    job = start(client, upload(client, xlsx(rows, headers=["نام", "کد"])))
    assert (job.status, job.created_count) == ("done", 3), job.failure
    codes = dict(Contact.objects.values_list("name", "code"))
    assert codes == {"بی‌کد": "C000002", "با کد": "C000001", "بی‌کد دوم": "C000003"}


@worker_test
def test_an_imported_code_with_a_space_is_a_row_error_in_persian(client, personas):
    client.force_login(personas.owner)
    rows = [["درست", "A-۱۲"], ["نادرست", "A 12"], ["بلند", "A" * 31]]
    job = start(client, upload(client, xlsx(rows, headers=["نام", "کد"])))
    assert (job.created_count, job.error_count) == (1, 2)
    assert Contact.objects.get().code == "A-12"
    errors = dict(job.issues.values_list("line", "message"))
    assert CODE_RULE in errors[3]
    assert "کد: بیش از ۳۰ نویسه است." in errors[4]


@pytest.mark.parametrize("code", ["C 12", "C\u200c12", "C#12"])
def test_a_contact_code_with_other_characters_is_refused_on_the_page_and_the_api(
    client,
    personas,
    auth,  # noqa: F811
    code,
):
    client.force_login(personas.owner)
    page = client.post(reverse("contacts:create"), form_data(name="مریم حسینی", code=code))
    assert page.status_code == 200
    assert CODE_RULE in page.context["form"].errors["code"][0]
    assert page.context["form"]["name"].value() == "مریم حسینی"  # kept
    answer = client.post(
        "/api/v1/contacts", {"name": "x", "code": code}, content_type=JSON, headers=auth("owner")
    )
    assert answer.status_code == 422
    assert CODE_RULE in answer.json()["errors"]["code"][0]["message"]
    assert not Contact.objects.exists()


def test_a_product_code_follows_the_same_rule(client, personas, auth):  # noqa: F811
    client.force_login(personas.manager)
    data = {"name": "کابل", "kind": "goods", "unit": "متر", "price": "۱۰۰۰"}
    bad = client.post(reverse("sales:product_create"), data | {"code": "P 9"})
    assert bad.status_code == 200
    assert CODE_RULE in bad.context["form"].errors["code"][0]
    answer = client.post(
        "/api/v1/products",
        {"code": "P;9", "name": "کابل", "price": "1000"},
        content_type=JSON,
        headers=auth("manager"),
    )
    assert answer.status_code == 422
    assert CODE_RULE in answer.json()["errors"]["code"][0]["message"]
    good = client.post(reverse("sales:product_create"), data | {"code": "P-۹/ب"})
    assert good.status_code == 302
    assert Product.objects.get().code == "P-9/ب"


def test_a_typed_code_taken_after_the_form_checked_it_is_a_persian_error(personas):
    """Created or edited, a contact whose typed code a record took in between is refused
    by the service in Persian (the form checked the code when it was sent)."""
    from django.core.exceptions import ValidationError

    from peyvand.contacts import services
    from peyvand.core.history import snapshot

    first = services.contact_create(contact=Contact(name="اولی"), phones=[], by=personas.owner)
    with pytest.raises(ValidationError, match="همین حالا به پرونده دیگری داده شد"):
        services.contact_create(
            contact=Contact(name="دومی", code=first.code), phones=[], by=personas.owner
        )
    second = services.contact_create(contact=Contact(name="دومی"), phones=[], by=personas.owner)
    before = snapshot(second)
    second.code = first.code
    with pytest.raises(ValidationError, match="همین حالا به پرونده دیگری داده شد"):
        services.contact_update(contact=second, phones=None, before=before, by=personas.owner)
    assert Contact.objects.count() == 2
