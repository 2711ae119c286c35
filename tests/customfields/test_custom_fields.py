"""Custom fields (اطلاعات تکمیلی) on contacts: defined by a manager, then on the form,
the detail page, the list filters, the exports and the API."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from peyvand.contacts.models import Contact
from peyvand.customfields.models import CustomField
from tests.contacts.test_views import form_data
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
TARGET = "contacts.contact"


@pytest.fixture
def fields():
    return {
        "branch": CustomField.objects.create(
            target=TARGET, section="قرارداد", label="شعبه", kind="text", order=1
        ),
        "staff": CustomField.objects.create(
            target=TARGET, section="قرارداد", label="تعداد کارکنان", kind="number", order=2
        ),
        "signed": CustomField.objects.create(
            target=TARGET, section="قرارداد", label="تاریخ قرارداد", kind="date", order=3
        ),
        "plan": CustomField.objects.create(
            target=TARGET, label="طرح", kind="choice", options="طلایی\nنقره‌ای\nبرنزی", order=4
        ),
        "agent": CustomField.objects.create(target=TARGET, label="نمایندگی دارد", kind="boolean"),
    }


def custom(fields, **values) -> dict:
    return {f"custom_{fields[name].pk}": value for name, value in values.items()}


def test_a_manager_defines_a_choice_field_and_it_needs_options(client, personas):
    client.force_login(personas.manager)
    data = {"target": TARGET, "section": "اطلاعات تکمیلی", "label": "طرح", "kind": "choice"}
    page = client.post(reverse("customfields:create"), data | {"order": 0}).content.decode()
    assert "دست‌کم یک گزینه بنویسید" in page
    assert 'value="طرح"' in page  # what was typed is kept
    response = client.post(
        reverse("customfields:create"), data | {"order": 0, "options": "طلایی\n\nنقره‌ای\n"}
    )
    assert response.status_code == 302
    field = CustomField.objects.get(label="طرح")
    assert field.option_list == ["طلایی", "نقره‌ای"]
    assert "طرح" in client.get(reverse("customfields:list")).content.decode()


def test_a_label_is_unique_per_record_type_and_the_kind_is_fixed_after_creation(
    client, personas, fields
):
    client.force_login(personas.manager)
    data = {"target": TARGET, "section": "x", "label": "شعبه", "kind": "text", "order": 0}
    page = client.post(reverse("customfields:create"), data).content.decode()
    assert "فیلدی با این عنوان" in page
    client.post(
        reverse("customfields:edit", args=[fields["branch"].pk]),
        data | {"kind": "number", "label": "شعبهٔ اصلی", "is_active": "on"},
    )
    fields["branch"].refresh_from_db()
    assert fields["branch"].label == "شعبهٔ اصلی" and fields["branch"].kind == "text"


def test_the_form_saves_every_kind_and_the_detail_page_shows_them_by_section(
    client, personas, fields
):
    client.force_login(personas.owner)
    values = custom(
        fields, branch="شعبه كرج", staff="۱٬۲۵۰", signed="۱۴۰۳/۱۲/۳۰", plan="طلایی", agent="0"
    )
    response = client.post(reverse("contacts:create"), form_data(**values))
    contact = Contact.objects.get(name="مریم حسینی")
    assert response.status_code == 302
    assert contact.custom == {
        fields["branch"].key: "شعبه کرج",  # Arabic ك stored as Persian ک
        fields["staff"].key: 1250,
        fields["signed"].key: "2025-03-20",
        fields["plan"].key: "طلایی",
        fields["agent"].key: False,
    }
    page = client.get(contact.get_absolute_url()).content.decode()
    assert "قرارداد" in page and "۱٬۲۵۰" in page and "۱۴۰۳/۱۲/۳۰" in page and ">خیر<" in page
    edit = client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()
    assert 'value="۱,۲۵۰"' in edit and 'value="۱۴۰۳/۱۲/۳۰"' in edit  # the reader's digits


def test_bad_values_get_persian_errors_and_keep_what_was_typed(client, personas, fields):
    fields["branch"].required = True
    fields["branch"].save()
    client.force_login(personas.owner)
    values = custom(fields, branch="", staff="دوازده", signed="۱۴۰۴/۱۲/۳۰", plan="الماسی")
    page = client.post(reverse("contacts:create"), form_data(**values)).content.decode()
    assert not Contact.objects.exists()
    assert "یک عدد وارد کنید" in page and 'value="دوازده"' in page
    assert "وجود ندارد" in page and "۱۴۰۴/۱۲/۳۰" in page
    assert "این فیلد لازم است" in page or "الزامی" in page
    assert "انتخاب معتبری" in page or "معتبر" in page


def test_a_deactivated_field_keeps_its_values_through_an_edit(client, personas, fields):
    contact = ContactFactory(owner=personas.owner, custom={fields["branch"].key: "تهران"})
    fields["branch"].is_active = False
    fields["branch"].save()
    client.force_login(personas.owner)
    data = form_data(name=contact.name, code=contact.code, version="")
    data |= custom(fields, plan="برنزی")
    assert client.post(reverse("contacts:edit", args=[contact.pk]), data).status_code == 302
    contact.refresh_from_db()
    assert contact.custom == {fields["branch"].key: "تهران", fields["plan"].key: "برنزی"}


def test_a_removed_option_stays_on_the_records_that_have_it(client, personas, fields):
    contact = ContactFactory(owner=personas.owner, custom={fields["plan"].key: "مسی"})
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()
    assert '<option value="مسی" selected>' in page


def test_the_list_filters_by_each_kind_of_custom_field(client, personas, fields):
    k = {name: field.key for name, field in fields.items()}
    gold = ContactFactory(
        owner=personas.owner,
        name="طلا",
        custom={k["plan"]: "طلایی", k["staff"]: 40, k["signed"]: "2025-03-20", k["agent"]: True},
    )
    silver = ContactFactory(
        owner=personas.owner,
        name="نقره",
        custom={k["plan"]: "نقره‌ای", k["staff"]: 5, k["branch"]: "شعبه کرج", k["agent"]: False},
    )
    ContactFactory(owner=personas.owner, name="بی‌اطلاعات")
    client.force_login(personas.owner)

    def found(**params) -> set[str]:
        response = client.get(reverse("contacts:list"), params)
        return {c.name for c in response.context["page"].items}

    assert found(**{f"cf{fields['plan'].pk}": "طلایی"}) == {gold.name}
    assert found(**{f"cf{fields['agent'].pk}": "0"}) == {silver.name}
    assert found(**{f"cf{fields['agent'].pk}": "1"}) == {gold.name}
    assert found(**{f"cf{fields['branch'].pk}": "كرج"}) == {silver.name}
    assert found(**{f"cf{fields['staff'].pk}_from": "۱۰"}) == {gold.name}
    assert found(**{f"cf{fields['staff'].pk}_to": "10"}) == {silver.name}
    assert found(**{f"cf{fields['signed'].pk}_from": "1403/12/01"}) == {gold.name}
    page = client.get(reverse("contacts:list"), {f"cf{fields['signed'].pk}_from": "۱۴۰۳/۱۳/۰۱"})
    assert "این فیلتر به کار نرفت" in page.content.decode()
    assert len(page.context["page"].items) == 3


def test_exports_carry_custom_columns_numbers_numeric_dates_real(client, personas, fields):
    k = {name: field.key for name, field in fields.items()}
    ContactFactory(
        owner=personas.owner, custom={k["staff"]: 1250, k["signed"]: "2025-03-20", k["agent"]: 1}
    )
    client.force_login(personas.owner)
    response = client.get(reverse("contacts:export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headers = [cell.value for cell in sheet[1]]
    row = dict(zip(headers, [cell.value for cell in sheet[2]], strict=True))
    assert row["تعداد کارکنان"] == 1250
    assert row["تاریخ قرارداد"] == "1403/12/30"
    assert row["تاریخ قرارداد (میلادی)"].date() == datetime.date(2025, 3, 20)
    assert row["نمایندگی دارد"] == "بله"


def test_the_api_reads_writes_and_filters_custom_values(client, personas, fields):
    from peyvand.accounts.models import ApiToken

    token = ApiToken.issue(user=personas.owner)[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    unknown = {"name": "سارا نوری", "custom": {"f999999": "x"}}
    response = client.post("/api/v1/contacts", unknown, content_type="application/json", **auth)
    assert response.status_code == 422 and "custom.f999999" in response.json()["errors"]
    payload = {"name": "سارا نوری", "custom": {fields["plan"].key: "نقره‌ای"}}
    response = client.post("/api/v1/contacts", payload, content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    assert response.json()["custom"] == {fields["plan"].key: "نقره‌ای"}
    bad = client.post(
        "/api/v1/contacts",
        {"name": "بد", "custom": {fields["staff"].key: "زیاد"}},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422
    assert f"custom.{fields['staff'].key}" in bad.json()["errors"]
    listed = client.get("/api/v1/contacts", {f"cf{fields['plan'].pk}": "نقره‌ای"}, **auth).json()
    assert [item["name"] for item in listed["items"]] == ["سارا نوری"]


def test_a_record_change_shows_custom_values_by_label_in_history(client, personas, fields):
    contact = ContactFactory(owner=personas.owner)
    client.force_login(personas.owner)
    data = form_data(name=contact.name, code=contact.code) | custom(fields, plan="طلایی")
    client.post(reverse("contacts:edit", args=[contact.pk]), data)
    page = client.get(contact.get_absolute_url()).content.decode()
    assert "طرح: طلایی" in page


# Custom fields as columns of the contact list (customfields.lists.CustomFieldColumns) --


def column(field) -> str:
    return f"custom:{field.key}"


def show(client, *keys) -> None:
    client.post(reverse("core:list_columns", args=["contacts"]), {"columns": list(keys)})


def test_each_custom_field_is_a_column_offered_hidden_in_the_columns_menu(client, personas, fields):
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:list"))
    offered = [c.key for c in page.context["hidden_columns"]]
    # After the declared ones, in the fields' order; none shown until chosen.
    order = ("agent", "branch", "staff", "signed", "plan")  # order 0, then 1–4
    assert offered[-5:] == [column(fields[name]) for name in order]
    assert not any(c.key.startswith("custom:") for c in page.context["columns"])
    menu = page.content.decode()
    assert f'value="{column(fields["signed"])}"' in menu and ">تاریخ قرارداد</label>" in menu


def test_a_user_shows_custom_columns_and_reads_each_kind_as_people_write_it(
    client, personas, fields
):
    k = {name: field.key for name, field in fields.items()}
    ContactFactory(
        owner=personas.owner,
        name="طلا",
        custom={
            k["signed"]: "2025-03-20",  # 30 Esfand 1403
            k["staff"]: 1250000,
            k["agent"]: True,
            k["plan"]: "طلایی",
            k["branch"]: "<b>کرج</b>",
        },
    )
    ContactFactory(owner=personas.owner, name="نقره", custom={k["staff"]: -3.5, k["agent"]: False})
    client.force_login(personas.owner)
    chosen = ["name", *(column(fields[n]) for n in ("signed", "staff", "agent", "plan", "branch"))]
    show(client, *chosen)
    page = client.get(reverse("contacts:list"), {"sort": "name"})
    assert [c.key for c in page.context["columns"]] == chosen
    html = page.content.decode()
    for label in ("تاریخ قرارداد", "تعداد کارکنان", "نمایندگی دارد", "طرح", "شعبه"):
        assert f"<th>{label}</th>" in html
    rows = {
        contact.name: cells[1:]
        for contact, (_class, cells) in zip(
            page.context["page"].items, page.context["cells"], strict=True
        )
    }
    assert rows["طلا"] == [
        '<span class="text-nowrap">۱۴۰۳/۱۲/۳۰</span>',
        '<span class="ltr text-nowrap">۱٬۲۵۰٬۰۰۰</span>',
        "بله",
        "طلایی",
        "&lt;b&gt;کرج&lt;/b&gt;",  # text as typed, never markup
    ]
    assert rows["نقره"] == ["", '<span class="ltr text-nowrap">-۳٫۵</span>', "خیر", "", ""]


def test_a_custom_column_moves_like_any_column(client, personas, fields):
    client.force_login(personas.owner)
    keys = ["name", column(fields["staff"]), column(fields["signed"])]
    url = reverse("core:list_columns", args=["contacts"])
    client.post(url, {"columns": keys, "move": f"{column(fields['signed'])}:up"})
    page = client.get(reverse("contacts:list"))
    assert [c.key for c in page.context["columns"]] == [keys[0], keys[2], keys[1]]


def test_a_custom_date_column_follows_the_reader_s_calendar_and_digits(client, personas, fields):
    ContactFactory(owner=personas.owner, custom={fields["signed"].key: "2025-03-20"})
    personas.owner.calendar, personas.owner.digits = "gregorian", "latin"
    personas.owner.save(update_fields=["calendar", "digits"])
    client.force_login(personas.owner)
    show(client, "name", column(fields["signed"]))
    cells = client.get(reverse("contacts:list")).context["cells"]
    assert cells[0][1][1] == '<span class="text-nowrap">2025/03/20</span>'


def test_a_deactivated_field_leaves_the_columns_and_the_saved_choice_skips_it(
    client, personas, fields
):
    client.force_login(personas.owner)
    show(client, "name", column(fields["plan"]), column(fields["staff"]))
    fields["plan"].is_active = False
    fields["plan"].save()
    page = client.get(reverse("contacts:list"))
    assert [c.key for c in page.context["columns"]] == ["name", column(fields["staff"])]
    assert column(fields["plan"]) not in [c.key for c in page.context["hidden_columns"]]
    fields["staff"].delete()
    page = client.get(reverse("contacts:list"))
    assert [c.key for c in page.context["columns"]] == ["name"]
    # A key that names no column of the list is not saved.
    show(client, "name", column(fields["plan"]), "custom:f999999")
    page = client.get(reverse("contacts:list"))
    assert [c.key for c in page.context["columns"]] == ["name"]


def test_a_custom_field_of_another_record_type_is_no_contact_column(client, personas, fields):
    CustomField.objects.create(target="sales.lead", label="بودجه", kind="number")
    client.force_login(personas.owner)
    page = client.get(reverse("contacts:list"))
    labels = [c.label for c in page.context["hidden_columns"]]
    assert "بودجه" not in labels and "شعبه" in labels


def test_a_saved_view_keeps_its_custom_columns(client, personas, fields):
    ContactFactory(owner=personas.owner, custom={fields["staff"].key: 40})
    client.force_login(personas.owner)
    show(client, "name", column(fields["staff"]))
    saving = reverse("core:list_view_save", args=["contacts"])
    client.post(saving, {"name": "کارکنان", "params": ""})
    show(client, "name")
    view = client.get(reverse("contacts:list")).context["views"][0]
    page = client.get(view.url)
    assert [c.key for c in page.context["columns"]] == ["name", column(fields["staff"])]
    assert "۴۰" in page.context["cells"][0][1][1]
