"""The receipt and cheque lists on core.lists (finance.lists): each filter, the date
presets, Persian warnings for what cannot be read, no filter widening what a user sees,
sorts both ways, the cheques «در دست وصول» by default, the same rows on the page, in the
API and in the export, and capped totals (money in and out apart)."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from peyvand.core.dates import format_date
from peyvand.core.lists import spec as spec_module
from peyvand.finance import services
from peyvand.finance.lists import CHEQUES, RECEIPTS
from peyvand.finance.models import BankAccount, Cheque, Method, Receipt
from tests.api.test_api import auth  # noqa: F401 - a fixture
from tests.factories import ContactFactory
from tests.finance.money import pay_back, receive, receive_cheque
from tests.lists import query

TODAY = datetime.date.today()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def persian(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


@pytest.fixture
def money(personas):
    """The owner's customer's money, recorded by the manager (finance's hand): a card
    receipt last year, a transfer into a bank account this month, a payment back, and
    three cheques (one overdue, one due soon, one cleared); and the money of a customer
    of the other team, which the owner never sees."""
    mine = ContactFactory(owner=personas.owner, name="فروشگاه نور", phones=["+989121110000"])
    other = ContactFactory(owner=personas.outsider, name="بازرگانی نور")
    by = personas.manager
    bank = BankAccount.objects.create(name="جاری ملت", bank="ملت")
    transfer = Receipt(
        contact=mine,
        amount=4_000_000,
        method=Method.PAYA,
        date=TODAY,
        reference="778899",
        bank_account=bank,
    )
    made = {
        "mine": mine,
        "other": other,
        "bank": bank,
        "card": receive(mine, by, 1_000_000, date=days(-400)),
        "transfer": services.receipt_record(receipt=transfer, by=by),
        "back": pay_back(mine, by, 2_000_000),
        "late": receive_cheque(
            mine, by, 3_000_000, date=days(-40), due_date=days(-5), sayad_id="1111000011110000"
        ),
        "soon": receive_cheque(mine, by, 5_000_000, due_date=days(10), sayad_id="2222000022220000"),
        "cleared": receive_cheque(
            mine, by, 6_000_000, due_date=days(40), sayad_id="3333000033330000"
        ),
        "foreign": receive_cheque(other, by, 7_000_000, sayad_id="4444000044440000"),
        "foreign_receipt": receive(other, by, 8_000_000),
    }
    services.cheque_move(cheque=made["cleared"], status="cleared", by=by, date=TODAY)
    # As the cheque form stores them: ASCII digits.
    Cheque.objects.update(serial="123/456789")
    Cheque.objects.filter(pk=made["soon"].pk).update(bank="سامان", bank_account=bank)
    return made


def receipts(user, **params) -> set[int]:
    return set(RECEIPTS.rows(user, query(**params)).values_list("amount", flat=True))


def cheques(user, **params) -> set[int]:
    return set(CHEQUES.rows(user, query(**params)).values_list("amount", flat=True))


# Receipts ----------------------------------------------------------------------------------


def test_receipts_filter_by_direction_method_account_and_recorder(personas, money):
    owner = personas.owner
    cheque_receipts = {3_000_000, 5_000_000, 6_000_000}
    assert receipts(owner) == {1_000_000, 4_000_000, 2_000_000, *cheque_receipts}
    assert receipts(owner, direction="out") == {2_000_000}
    assert receipts(owner, direction="in", method="paya") == {4_000_000}
    assert receipts(owner, method="cheque") == cheque_receipts
    assert receipts(owner, bank_account=str(money["bank"].pk)) == {4_000_000}
    assert receipts(owner, owner=str(personas.manager.pk)) == receipts(owner)
    assert receipts(owner, owner="me") == set()
    assert receipts(owner, contact=str(money["mine"].pk)) == receipts(owner)


def test_receipts_are_found_by_number_reference_name_or_phone(personas, money):
    owner = personas.owner
    assert receipts(owner, q=persian("778899")) == {4_000_000}  # the reference
    number = money["back"].number  # payments are numbered apart from receipts
    assert 2_000_000 in receipts(owner, q=number)
    assert receipts(owner, q="نور") == receipts(owner)
    assert receipts(owner, q="۰۹۱۲۱۱۱") == receipts(owner)  # the customer's phone


def test_receipts_by_date_range_amount_and_presets(personas, money):
    owner = personas.owner
    today = {2_000_000, 4_000_000, 5_000_000, 6_000_000}
    assert receipts(owner, date_period="today") == today
    assert 1_000_000 not in receipts(owner, date_period="this_year")
    assert receipts(owner, date_to=days(-300).isoformat()) == {1_000_000}
    jalali = format_date(TODAY, "jalali", "fa", "short")  # as typed: ۱۴۰۵/۰۹/۱۵
    assert receipts(owner, date_from=jalali) == today
    assert receipts(owner, amount_min="۲٬۰۰۰٬۰۰۰", amount_max="4,000,000", date_period="today") == {
        2_000_000,
        4_000_000,
    }


# Cheques -----------------------------------------------------------------------------------


def test_the_cheque_list_starts_with_the_cheques_in_hand_and_offers_all(client, personas, money):
    owner = personas.owner
    assert cheques(owner) == {3_000_000, 5_000_000}
    assert cheques(owner, status="all") == {3_000_000, 5_000_000, 6_000_000}
    assert cheques(owner, status="") == cheques(owner, status="all")  # «همه» of an old form
    assert cheques(owner, status="cleared") == {6_000_000}
    client.force_login(owner)
    page = client.get(reverse("finance:cheque_list"))
    html = page.content.decode()
    # The default is a chip like any filter; taking it away (and «همه») asks for all.
    assert "وضعیت: در دست وصول" in html
    assert page.context["reading"].chips[0][1] == "status=all"
    assert 'href="?status=all">همه</a>' in html
    assert '<option value="all">همه</option>' in html
    # A cheque in hand past its due date says so in words, not only in colour.
    assert html.count("سررسید گذشته</span>") == 1
    every = client.get(reverse("finance:cheque_list"), {"status": "all"})
    assert "وضعیت:" not in every.content.decode()
    assert [row.amount for row in every.context["page"].items] == [3_000_000, 5_000_000, 6_000_000]


def test_cheques_by_due_date_presets_and_the_old_period_links(client, personas, money):
    owner = personas.owner
    assert cheques(owner, due_period="overdue") == {3_000_000}
    assert cheques(owner, due_period="next_30_days") == {5_000_000}
    assert cheques(owner, status="all", due_from=days(30).isoformat()) == {6_000_000}
    client.force_login(owner)
    old = client.get(reverse("finance:cheque_list"), {"period": "overdue", "status": "all"})
    assert old.status_code == 302
    assert old.url == f"{reverse('finance:cheque_list')}?status=all&due_period=overdue"
    week = client.get(reverse("finance:cheque_list"), {"period": "week"}, follow=True)
    assert week.context["reading"].values["due"][2] == "this_week"
    every = client.get(reverse("finance:cheque_list"), {"period": "all"})
    assert every.url == reverse("finance:cheque_list")


def test_cheques_by_text_bank_account_customer_and_amount(personas, money):
    owner = personas.owner
    assert cheques(owner, q=persian("2222")) == {5_000_000}  # the sayad id
    assert cheques(owner, q="456789") == {3_000_000, 5_000_000}  # the serial
    assert cheques(owner, q="فروشگاه") == {3_000_000, 5_000_000}  # drawer and customer
    assert cheques(owner, bank="سامان") == {5_000_000}
    assert cheques(owner, bank_account=str(money["bank"].pk)) == {5_000_000}
    assert cheques(owner, contact=str(money["mine"].pk), status="all") == {
        3_000_000, 5_000_000, 6_000_000
    }  # fmt: skip
    assert cheques(owner, amount_min="4000000") == {5_000_000}


# Both ----------------------------------------------------------------------------------------


def test_what_cannot_be_read_is_a_persian_warning_on_the_page(client, personas, money):
    client.force_login(personas.owner)
    for url, params in (
        ("finance:receipt_list", {"date_from": "1405/13/40", "amount_max": "زیاد"}),
        ("finance:cheque_list", {"due_to": "۱۴۰۵/۰۲/۴۵", "amount_min": "-5"}),
    ):
        page = client.get(reverse(url), params)
        assert page.status_code == 200
        html = page.content.decode()
        assert "تاریخ درستی نیست" in html and "مبلغ درستی نیست" in html, url
    # …and filters nothing: as if not given.
    assert receipts(personas.owner, date_from="abc", amount_min="x") == receipts(personas.owner)
    assert cheques(personas.owner, due_period="someday", bank="گنج") == cheques(personas.owner)


def test_no_filter_widens_what_a_user_sees(personas, money):
    """Every filter pointed at the other team's money: its customer, its text, its
    amount, every status. Nothing outside the owner's rows ever comes back."""
    owner = personas.owner
    seen_receipts = set(Receipt.objects.visible_to(owner).values_list("amount", flat=True))
    seen_cheques = set(Cheque.objects.visible_to(owner).values_list("amount", flat=True))
    assert 8_000_000 not in seen_receipts and 7_000_000 not in seen_cheques
    tries = [
        {"contact": str(money["other"].pk)},
        {"q": "بازرگانی"},
        {"q": "4444"},
        {"amount_min": "7000000"},
        {"owner": str(personas.outsider.pk)},
        {"owner": str(personas.manager.pk)},
        *({"status": value} for value in ("all", "in_hand", *Cheque.Status.values)),
        {"bank": "ملت", "status": "all"},
    ]
    for params in tries:
        assert receipts(owner, **params) <= seen_receipts, params
        assert cheques(owner, **params) <= seen_cheques, params
    reading = CHEQUES.read(query(contact=str(money["other"].pk)), owner)
    assert reading.values["contact__label"] == "نامعلوم"  # the name is not told


@pytest.mark.parametrize(
    ("spec", "key", "field"),
    [(RECEIPTS, "date", "date"), (RECEIPTS, "amount", "amount"), (CHEQUES, "amount", "amount")],
)
def test_sorts_go_both_ways(personas, money, spec, key, field):
    def values(sort: str) -> list:
        rows = spec.rows(personas.owner, query(sort=sort, status="all"))
        return list(rows.values_list(field, flat=True))

    assert values(key) == sorted(values(key), reverse=True)
    assert values(f"-{key}") == sorted(values(key))


def test_cheques_come_first_due_first_and_sort_the_other_way(personas, money):
    due = [row.due_date for row in CHEQUES.rows(personas.owner, query(status="all"))]
    assert due == sorted(due)
    latest = [row.due_date for row in CHEQUES.rows(personas.owner, query(sort="-due"))]
    assert latest == sorted(latest, reverse=True)
    reading = CHEQUES.read(query(), personas.owner)
    links = CHEQUES.sort_links(query(), reading)
    assert links["due"]["aria"] == "ascending" and "sort=-due" in links["due"]["query"]


@pytest.mark.parametrize(
    ("url", "api", "kind", "params", "expected"),
    [
        (
            "finance:receipt_list",
            "/api/v1/receipts",
            "receipts",
            {"amount_min": "2000000", "amount_max": "5000000", "sort": "-amount"},
            [2_000_000, 3_000_000, 4_000_000, 5_000_000],
        ),
        (
            "finance:cheque_list",
            "/api/v1/cheques",
            "cheques",
            {"status": "in_hand", "q": "نور", "sort": "-amount"},
            [3_000_000, 5_000_000],
        ),
    ],
)
def test_the_page_the_api_and_the_export_give_the_same_rows(
    client,
    personas,
    money,
    auth,  # noqa: F811
    url,
    api,
    kind,
    params,
    expected,
):
    client.force_login(personas.owner)
    page = client.get(reverse(url), params)
    shown = [row.pk for row in page.context["page"].items]
    assert [row.amount for row in page.context["page"].items] == expected
    answer = client.get(api, params, headers=auth("owner")).json()
    assert [item["id"] for item in answer["items"]] == shown
    export = client.get(reverse("core:list_export", args=[kind, "csv"]), params)
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    header, *lines = csv.reader(io.StringIO(text))
    amount = header.index("مبلغ (ریال)")
    assert [int(line[amount]) for line in lines] == expected


def test_the_api_still_answers_every_cheque_when_no_status_is_asked(client, money, auth):  # noqa: F811
    every = client.get("/api/v1/cheques", headers=auth("owner")).json()["items"]
    assert {item["amount"] for item in every} == {3_000_000, 5_000_000, 6_000_000}
    assert client.get("/api/v1/cheques", {"status": "lost"}, headers=auth("owner")).status_code == (
        422
    )


def test_totals_count_money_in_and_out_apart_and_are_capped(client, personas, money, monkeypatch):
    owner = personas.owner
    figures = RECEIPTS.totals_of(RECEIPTS.rows(owner, query()), RECEIPTS.read(query(), owner))
    assert (figures["count"], figures["capped"]) == (6, False)
    assert (figures["in_count"], figures["in_total"]) == (5, 19_000_000)
    assert (figures["out_count"], figures["out_total"]) == (1, 2_000_000)
    cheque_figures = CHEQUES.totals_of(CHEQUES.rows(owner, query()), CHEQUES.read(query(), owner))
    assert (cheque_figures["count"], cheque_figures["total"]) == (2, 8_000_000)
    client.force_login(owner)
    footer = client.get(reverse("finance:receipt_list")).content.decode()
    assert "دریافت: ۵ فقره" in footer and "پرداخت: ۱ فقره" in footer
    assert "جمع: ۲ چک" in client.get(reverse("finance:cheque_list")).content.decode()
    monkeypatch.setattr(spec_module, "TOTALS_CAP", 2)
    capped = RECEIPTS.totals_of(RECEIPTS.rows(owner, query()), RECEIPTS.read(query(), owner))
    assert (capped["count"], capped["capped"]) == (3, True)


def test_a_view_and_columns_of_the_cheque_list_are_kept(client, personas, money):
    client.force_login(personas.owner)
    url = reverse("finance:cheque_list")
    saved = client.post(
        reverse("core:list_view_save", args=["cheques"]),
        {"name": "همه چک‌ها", "params": "status=all&sort=-amount"},
    )
    assert saved["Location"] == f"{url}?status=all&sort=-amount"
    assert "همه چک‌ها" in client.get(url).content.decode()
    client.post(
        reverse("core:list_columns", args=["cheques"]),
        {"columns": ["due", "amount", "drawer"], "params": ""},
    )
    page = client.get(url)
    assert [column.key for column in page.context["columns"]] == ["due", "amount", "drawer"]
    assert page.context["cells"][0][1][2] == "فروشگاه نور"
