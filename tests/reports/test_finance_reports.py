"""The money reports (issue 23): receivables aging that adds up to the customers'
balances whatever happened on their accounts, cheques due and bounced, money collected
per rep and month, totals per grade and rep, the dashboard's money cards — each counting
only the customers its reader sees, and each exporting to Excel and PDF."""

import datetime
import io
import random

import openpyxl
import pytest
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.roles import FINANCE, SUPPORT
from peyvand.contacts.models import Category, Contact, Region
from peyvand.core.dates import format_date, to_calendar
from peyvand.core.periods import period_range, week_range
from peyvand.core.trees import node_create
from peyvand.finance import services
from peyvand.finance.models import Account, BankAccount, Cheque, Entry, Method
from peyvand.lookups.models import Grade
from peyvand.reports import money
from peyvand.reports.money import AGING_GROUPS, MONEY_REPORTS
from peyvand.reports.periods import month_label
from tests.factories import ContactFactory, TeamFactory, UserFactory
from tests.finance.money import issue_invoice, pay_back, receive, receive_cheque

pytestmark = pytest.mark.django_db

days = datetime.timedelta
SLUGS = [report.slug for report in MONEY_REPORTS]


def today() -> datetime.date:
    return timezone.localdate()


def jalali(day: datetime.date) -> str:
    return format_date(day, digits="latin")


def around(day: datetime.date, before: int = 200, after: int = 200) -> dict:
    """A custom report period around ``day`` (the dates the test made)."""
    return {
        "period": "custom",
        "date_from": jalali(day - days(before)),
        "date_to": jalali(day + days(after)),
    }


@pytest.fixture
def finance_user(db):
    return UserFactory(username="hesabdar", role=FINANCE, first_name="نرگس", last_name="مالی")


@pytest.fixture
def bank(db):
    return BankAccount.objects.create(name="جاری ملت", bank="ملت")


@pytest.fixture
def books(personas, finance_user, bank):
    """One customer each for the owner, the teammate and the outsider, with money on
    their accounts: invoices, a receipt, cheques in hand, cleared and bounced."""
    day = today()
    owners = {
        "owner": ContactFactory(owner=personas.owner, name="فروشگاه نور"),
        "teammate": ContactFactory(owner=personas.teammate, name="بازرگانی پارس"),
        "outsider": ContactFactory(owner=personas.outsider, name="صنایع دوردست"),
    }
    for index, contact in enumerate(owners.values()):
        base = (index + 1) * 10_000_000
        issue_invoice(contact, personas.manager, base, due_date=day - days(45))
        issue_invoice(contact, personas.manager, base * 2, due_date=day + days(20))
        receive(contact, finance_user, base // 2, method=Method.CASH, date=day - days(3))
        in_hand = receive_cheque(
            contact, finance_user, base, date=day - days(5), due_date=day,
            sayad_id=f"{index + 1}" * 16,
        )  # fmt: skip
        bounced = receive_cheque(
            contact, finance_user, base // 4, date=day - days(20), due_date=day - days(10),
            sayad_id=f"{index + 4}" * 16,
        )  # fmt: skip
        services.cheque_move(
            cheque=bounced, status=Cheque.Status.DEPOSITED, by=finance_user,
            date=day - days(10), bank_account=bank,
        )  # fmt: skip
        services.cheque_move(
            cheque=bounced, status=Cheque.Status.BOUNCED, by=finance_user, date=day - days(8),
            reason="کسری موجودی",
        )  # fmt: skip
        cleared = receive_cheque(
            contact, finance_user, base // 5, date=day - days(15), due_date=day - days(2),
            sayad_id=f"{index + 7}" * 16,
        )  # fmt: skip
        services.cheque_move(
            cheque=cleared, status=Cheque.Status.CLEARED, by=finance_user, date=day - days(1)
        )
        assert in_hand.status == Cheque.Status.RECEIVED
    return owners


def balance_of(contacts) -> int:
    total = Account.objects.filter(contact__in=contacts).aggregate(s=Sum(F("debit") - F("credit")))[
        "s"
    ]
    return total or 0


def show(client, slug: str, **params):
    response = client.get(reverse("reports:show", args=[slug]), params)
    assert response.status_code == 200, response.content.decode()[:500]
    return response


def footer_total(result, key: str = "total") -> int:
    return next(row for row in result.footer if row["label"] == money.TOTAL_LABEL)[key]


# گزارش سنی مطالبات -------------------------------------------------------------------------


def test_aging_puts_each_open_part_in_the_bucket_of_its_days_past_due(
    client, personas, finance_user
):
    customer = ContactFactory(owner=personas.owner, name="فروشگاه نور")
    day = today()
    for due_in, amount in ((10, 1_000), (0, 2_000), (-30, 3_000), (-31, 4_000), (-60, 5_000),
                           (-61, 6_000), (-90, 7_000), (-91, 8_000)):  # fmt: skip
        issue_invoice(customer, personas.owner, amount * 1_000, due_date=day + days(due_in))
    # 9,500,000 settles the oldest debts first: the 8,000,000 and 1,500,000 of the 7,000,000.
    receive(customer, finance_user, 9_500_000, date=day)
    other = ContactFactory(owner=personas.owner, name="پیش‌پرداخت‌کننده")
    receive(other, finance_user, 4_000_000, date=day)  # credit only: an advance
    client.force_login(personas.owner)
    page = show(client, "aging")
    assert page.context["filters"].today == day
    rows = {row["label"]: row for row in page.context["result"].rows}
    assert rows["فروشگاه نور"] | {"label": "", "code": ""} == {
        "label": "", "code": "",
        "not_due": 1_000_000,
        "d30": 2_000_000 + 3_000_000,  # due today is 0 days past due
        "d60": 4_000_000 + 5_000_000,
        "d90": 6_000_000 + 5_500_000,
        "older": 0,
        "credits": 0,
        "total": 26_500_000,
    }  # fmt: skip
    assert rows["پیش‌پرداخت‌کننده"]["credits"] == rows["پیش‌پرداخت‌کننده"]["total"] == -4_000_000
    assert footer_total(page.context["result"]) == 22_500_000 == balance_of([customer, other])
    html = page.content.decode()
    assert "سررسید نشده" in html and "بیش از ۹۰ روز" in html
    assert "۲۶٬۵۰۰٬۰۰۰" in html and "جمع کل" in html
    assert 'id="id_period"' not in html  # as of today: no period to choose


def test_a_customer_even_but_with_lines_to_match_still_shows_in_the_aging(
    client, personas, finance_user
):
    """A receipt kept apart from the invoice it paid (its allocations taken back): the
    balance is nil, but the open invoice and the unmatched receipt show side by side."""
    customer = ContactFactory(owner=personas.owner, name="فروشگاه نور")
    issue_invoice(customer, personas.owner, 5_000_000)
    receipt = receive(customer, finance_user, 5_000_000)
    services.receipt_reallocate(receipt=receipt, targets=[], by=finance_user)
    assert customer.account.balance == 0
    client.force_login(personas.owner)
    result = show(client, "aging").context["result"]
    [row] = result.rows
    assert (row["d30"], row["credits"], row["total"]) == (5_000_000, -5_000_000, 0)
    assert footer_total(result) == 0


def open_parts_by_customer(contacts, day: datetime.date) -> dict[int, dict]:
    """The aging computed here, line by line, to compare with the report's GROUP BY."""
    result = {}
    for contact in contacts:
        row = dict.fromkeys(money.AGING_KEYS, 0)
        for entry in Entry.objects.filter(contact=contact):
            if entry.debit > entry.allocated:
                part, late = entry.debit - entry.allocated, (day - entry.due_date).days
                key = ("not_due" if late < 0 else "d30" if late <= 30 else "d60" if late <= 60
                       else "d90" if late <= 90 else "older")  # fmt: skip
                row[key] += part
                row["total"] += part
            elif entry.credit > entry.allocated:
                row["credits"] -= entry.credit - entry.allocated
                row["total"] -= entry.credit - entry.allocated
        if any(row.values()):
            result[contact.pk] = row
    return result


def random_books(rng: random.Random, contacts, by, bank) -> None:
    """Whatever a finance clerk might do, in a random order: opening balances of both
    signs, invoices due on any day, receipts of several methods (some aimed at an
    invoice), payments back, cheques received and moved along their life cycle —
    bounced, presented again, returned, endorsed, cleared."""
    day = today()

    def amount() -> int:
        return rng.randrange(1, 80) * 250_000

    for contact in contacts:
        if rng.random() < 0.6:
            signed = amount() * rng.choice((1, -1))
            services.opening_balance_set(
                contact=contact, amount=signed, date=day - days(400), by=by
            )
    cheques: list[Cheque] = []
    actions = ["invoice"] * 5 + ["receive"] * 3 + ["cheque"] * 3 + ["pay"] + ["move"] * 5
    for _step in range(45):
        contact = rng.choice(contacts)
        action = rng.choice(actions)
        if action == "invoice":
            issue_invoice(contact, by, amount(), due_date=day + days(rng.randint(-150, 45)))
        elif action == "receive":
            targets = None
            debt = Entry.objects.filter(contact=contact, debit__gt=F("allocated")).last()
            if debt is not None and rng.random() < 0.4:
                targets = [(debt.pk, min(debt.open_amount, 250_000))]
            method = rng.choice((Method.CASH, Method.CARD, Method.POS, Method.PAYA))
            receive(contact, by, amount(), method=method, date=day - days(rng.randint(0, 120)),
                    targets=targets)  # fmt: skip
        elif action == "cheque":
            received = day - days(rng.randint(5, 120))
            cheques.append(
                receive_cheque(
                    contact,
                    by,
                    amount(),
                    date=received,
                    due_date=received + days(rng.randint(0, 90)),
                    sayad_id=str(rng.randrange(10**15, 10**16)),
                )
            )
        elif action == "pay":
            pay_back(contact, by, amount(), date=day - days(rng.randint(0, 60)))
        elif cheques:
            move_randomly(rng, rng.choice(cheques), by, bank)
    # At least one bounce, whatever the dice said.
    for cheque in cheques:
        cheque.refresh_from_db()
        if Cheque.Status.BOUNCED in Cheque.MOVES[cheque.status]:
            move_randomly(rng, cheque, by, bank, status=Cheque.Status.BOUNCED)
            break


def move_randomly(rng, cheque: Cheque, by, bank, status: str = "") -> None:
    cheque = Cheque.objects.select_related("receipt").get(pk=cheque.pk)
    if not status:
        if not Cheque.MOVES[cheque.status]:
            return
        status = rng.choice(Cheque.MOVES[cheque.status])
    services.cheque_move(
        cheque=cheque,
        status=status,
        by=by,
        date=max(cheque.receipt.date, today() - days(rng.randint(0, 5))),
        bank_account=bank if status == Cheque.Status.DEPOSITED else None,
        endorsed_to="شرکت تأمین کابل" if status == Cheque.Status.ENDORSED else "",
        reason="کسری موجودی" if status == Cheque.Status.BOUNCED else "",
    )


@pytest.mark.parametrize("seed", [7, 1405, 20260])
def test_the_aging_totals_are_the_customers_balances_on_random_books(
    client, personas, finance_user, bank, seed
):
    rng = random.Random(seed)
    grades = [Grade.objects.create(name=name) for name in ("طلایی", "نقره‌ای")]
    tehran = node_create(node=Region(name="تهران"))
    shemiran = node_create(node=Region(name="شمیرانات", parent=tehran))
    isfahan = node_create(node=Region(name="اصفهان"))
    shop = Category.objects.create(name="فروشگاه")
    people = [personas.owner, personas.teammate, personas.outsider, personas.manager]
    contacts = [
        ContactFactory(
            owner=rng.choice(people),
            grade=rng.choice([*grades, None]),
            region=rng.choice([tehran, shemiran, isfahan, None]),
            category=rng.choice([shop, None]),
        )
        for _number in range(7)
    ]
    random_books(rng, contacts, finance_user, bank)
    assert Entry.objects.filter(kind=Entry.Kind.CHEQUE_BOUNCED).exists()

    for viewer in (personas.manager, finance_user, personas.owner, personas.outsider):
        client.force_login(viewer)
        seen = Contact.objects.visible_to(viewer).filter(pk__in=[c.pk for c in contacts])
        page = show(client, "aging")
        result, day = page.context["result"], page.context["filters"].today
        expected = open_parts_by_customer(seen, day)
        names = {contact.pk: contact.name for contact in seen}
        assert {row["label"]: {k: row[k] for k in money.AGING_KEYS} for row in result.rows} == {
            names[pk]: row for pk, row in expected.items()
        }
        for row in result.rows:
            assert row["total"] == sum(row[key] for key in money.AGING_KEYS if key != "total")
        balances = dict(Account.objects.filter(contact__in=expected).values_list(
            "contact__name", F("debit") - F("credit")))  # fmt: skip
        assert {row["label"]: row["total"] for row in result.rows} == balances
        assert footer_total(result) == balance_of(seen)
        for group in AGING_GROUPS:
            grouped = show(client, "aging", group=group).context["result"]
            assert footer_total(grouped) == balance_of(seen), (viewer, group)
            assert sum(row["total"] for row in grouped.rows) == balance_of(seen)
        regions = show(client, "aging", group="region").context["result"].rows
        assert "شمیرانات" not in {row["label"] for row in regions}  # folded into تهران


def test_the_aging_of_many_customers_shows_the_biggest_and_sums_the_rest(
    client, personas, finance_user, monkeypatch
):
    monkeypatch.setattr(money, "CUSTOMER_ROWS", 2)
    contacts = [ContactFactory(owner=personas.owner, name=f"مشتری {n}") for n in range(4)]
    for number, contact in enumerate(contacts):
        issue_invoice(contact, personas.owner, (number + 1) * 1_000_000)
    receive(contacts[0], finance_user, 3_000_000)  # −2,000,000: in credit
    client.force_login(personas.manager)
    result = show(client, "aging").context["result"]
    assert [row["label"] for row in result.rows] == ["مشتری 3", "مشتری 2"]
    others = next(row for row in result.footer if row["label"] == "سایر مشتریان")
    assert others["total"] == 2_000_000 - 2_000_000
    assert footer_total(result) == balance_of(contacts) == 7_000_000
    assert "بقیه در ردیف «سایر مشتریان»" in result.note
    sheet = excel(client, "aging")
    labels = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert labels == ["مشتری 3", "مشتری 2", "مشتری 1", "مشتری 0", "جمع کل"]


def test_aging_groups_by_rep_team_grade_region_and_category(client, personas, finance_user):
    gold = Grade.objects.create(name="طلایی")
    tehran = node_create(node=Region(name="تهران"))
    city = node_create(node=Region(name="شمیرانات", parent=tehran))
    shop = Category.objects.create(name="فروشگاه")
    first = ContactFactory(owner=personas.owner, grade=gold, region=city, category=shop)
    second = ContactFactory(owner=personas.teammate, region=tehran)
    issue_invoice(first, personas.owner, 5_000_000)
    issue_invoice(second, personas.owner, 3_000_000)
    TeamFactory(name="الف مدیران").members.add(personas.teammate)  # a rep in two teams
    client.force_login(personas.manager)

    def by(group: str) -> dict:
        rows = show(client, "aging", group=group).context["result"].rows
        return {row["label"]: (row["d30"], row["total"]) for row in rows}

    # Both invoices fall due today: 0 days past due.
    first_only, second_only = (5_000_000, 5_000_000), (3_000_000, 3_000_000)
    assert by("user") == {str(personas.owner): first_only, str(personas.teammate): second_only}
    assert by("team") == {"فروش": first_only, "الف مدیران": second_only}
    assert by("grade") == {"طلایی": first_only, "— نامشخص —": second_only}
    assert by("region") == {"تهران": (8_000_000, 8_000_000)}
    assert by("category") == {"فروشگاه": first_only, "— نامشخص —": second_only}
    # The filters narrow the customers: the owner's only, or a region's subtree.
    only = show(client, "aging", user=personas.owner.pk).context["result"]
    assert [row["label"] for row in only.rows] == [first.name]
    subtree = show(client, "aging", region=city.pk).context["result"]
    assert footer_total(subtree) == 5_000_000


# Every money report, as each persona ------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_a_money_report_shows_only_the_customers_its_reader_sees(
    client, personas, finance_user, books, slug
):
    params = around(today(), 60, 60)
    seen_by = {
        personas.owner: {"فروشگاه نور", "بازرگانی پارس"},
        personas.teammate: {"فروشگاه نور", "بازرگانی پارس"},
        personas.outsider: {"صنایع دوردست"},
        personas.manager: {"فروشگاه نور", "بازرگانی پارس", "صنایع دوردست"},
        finance_user: {"فروشگاه نور", "بازرگانی پارس", "صنایع دوردست"},
    }
    for viewer, names in seen_by.items():
        client.force_login(viewer)
        page = show(client, slug, **params)
        html = page.content.decode()
        for name in {"فروشگاه نور", "بازرگانی پارس", "صنایع دوردست"} - names:
            assert name not in html, (slug, viewer, name)
        if slug in ("aging", "cheques_due", "cheques_bounced"):
            for name in names:
                assert name in html, (slug, viewer, name)
        seen = Contact.objects.filter(name__in=names)
        if slug == "aging":
            assert footer_total(page.context["result"]) == balance_of(seen)
        if slug == "money_totals":
            assert footer_total(page.context["result"], "balance") == balance_of(seen)
    support = UserFactory(username="poshtiban", role=SUPPORT)
    client.force_login(support)
    assert client.get(reverse("reports:show", args=[slug])).status_code == 403
    index = client.get(reverse("reports:index")).content.decode()
    assert reverse("reports:show", args=[slug]) not in index


@pytest.mark.parametrize("slug", SLUGS)
def test_a_money_report_exports_to_excel_and_pdf(client, personas, books, slug):
    client.force_login(personas.manager)
    params = around(today(), 60, 60)
    page = show(client, slug, **params)
    assert (
        reverse("reports:show", args=[slug])
        in client.get(reverse("reports:index")).content.decode()
    )
    sheet = excel(client, slug, **params)
    assert sheet.sheet_view.rightToLeft
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    result = page.context["result"]
    assert len(rows) == len(result.rows) + len(result.footer)
    numbers = [i for i, column in enumerate(result.columns) if column.kind == "number"]
    dates = sum(1 for column in result.columns[: numbers[0]] if column.kind == "date")
    assert all(isinstance(rows[0][i + dates], int) for i in numbers), rows[0]
    pdf = client.get(reverse("reports:export", args=[slug, "pdf"]), params)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def excel(client, slug: str, **params):
    response = client.get(reverse("reports:export", args=[slug, "xlsx"]), params)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


# Cheques ------------------------------------------------------------------------------------


def test_cheques_due_in_the_period_by_due_date_with_totals_per_state(client, personas, books):
    client.force_login(personas.owner)
    day = today()
    result = show(client, "cheques_due", **around(day, 5, 5)).context["result"]
    rows = [(row["due_date"], row["customer"], row["status"], row["amount"]) for row in result.rows]
    assert rows == [
        (day - days(2), "فروشگاه نور", "وصول شده", 2_000_000),
        (day - days(2), "بازرگانی پارس", "وصول شده", 4_000_000),
        (day, "فروشگاه نور", "در جریان وصول", 10_000_000),
        (day, "بازرگانی پارس", "در جریان وصول", 20_000_000),
    ]
    footer = {row["label"]: row["amount"] for row in result.footer}
    assert footer == {"در جریان وصول": 30_000_000, "وصول شده": 6_000_000, "جمع کل": 36_000_000}
    assert result.footer[-1]["status"] == "جمع کل (4 چک)"
    chart = show(client, "cheques_due", **around(day, 5, 5)).context["chart"]
    assert chart["labels"] == ["در جریان وصول", "وصول شده"]
    assert chart["datasets"][0]["data"] == [30_000_000, 6_000_000]
    # The bounced ones fell due ten days ago: a wider period has them.
    wider = show(client, "cheques_due", **around(day, 15, 5)).context["result"]
    assert {row["label"]: row["amount"] for row in wider.footer}["برگشتی"] == 7_500_000


def test_bounced_cheques_by_the_day_they_bounced_with_the_reason(
    client, personas, finance_user, bank, books
):
    day = today()
    bounced = Cheque.objects.get(sayad_id="4" * 16)
    services.cheque_move(
        cheque=bounced, status=Cheque.Status.DEPOSITED, by=finance_user, date=day, bank_account=bank
    )
    client.force_login(personas.teammate)
    page = show(client, "cheques_bounced", **around(day, 30, 0))
    result = page.context["result"]
    assert [
        (row["date"], row["customer"], row["reason"], row["status"]) for row in result.rows
    ] == [
        (day - days(8), "فروشگاه نور", "کسری موجودی", "خوابانده شده"),
        (day - days(8), "بازرگانی پارس", "کسری موجودی", "برگشتی"),
    ]
    assert {row["label"]: row["amount"] for row in result.footer} == {
        "خوابانده شده": 2_500_000,
        "برگشتی": 5_000_000,
        "جمع کل": 7_500_000,
    }
    assert "کسری موجودی" in page.content.decode()
    # The bounce's day, not the due date, puts it in a period.
    before = show(client, "cheques_bounced", **around(day - days(9), 30, 0)).context["result"]
    assert before.rows == []


# وصول -----------------------------------------------------------------------------------------


def test_collections_count_cleared_money_per_rep_and_jalali_month(
    client, personas, finance_user, bank, books
):
    day = today()
    client.force_login(personas.manager)
    params = around(day, 60, 0)
    # The cheque in hand (not cleared) and the bounced one are not collected; a payment
    # back to a customer is not a collection either.
    pay_back(books["owner"], finance_user, 1_000_000, date=day)
    by_user = show(client, "collections", **params).context["result"]
    totals = {row["label"]: row["total"] for row in by_user.rows}
    assert totals == {
        str(personas.owner): 5_000_000 + 2_000_000,
        str(personas.teammate): 10_000_000 + 4_000_000,
        str(personas.outsider): 15_000_000 + 6_000_000,
    }
    assert footer_total(by_user) == 42_000_000
    assert month_of(day - days(1)) in [column.label for column in by_user.columns]
    # A cheque received long ago counts in the month it cleared.
    old = receive_cheque(books["owner"], finance_user, 9_000_000, date=day - days(50),
                         due_date=day - days(40), sayad_id="9" * 16)  # fmt: skip
    services.cheque_move(cheque=old, status=Cheque.Status.CLEARED, by=finance_user, date=day)
    by_month = show(client, "collections", group="month", **params).context["result"]
    this_month = next(row for row in by_month.rows if row["label"] == month_of(day))
    assert this_month["cheque"] >= 9_000_000
    assert footer_total(by_month) == 51_000_000
    assert (
        sum(row["cheque"] for row in by_month.rows) == 2_000_000 + 4_000_000 + 6_000_000 + 9_000_000
    )
    assert show(client, "collections", group="month", **params).context["chart"]["kind"] == "bar"
    # A reader of the Gregorian calendar gets its months, the same money in them.
    personas.manager.calendar = "gregorian"
    personas.manager.save(update_fields=["calendar"])
    params |= {
        "date_from": format_date(day - days(60), "gregorian", "latin"),
        "date_to": format_date(day, "gregorian", "latin"),
    }
    gregorian = show(client, "collections", group="month", **params).context["result"]
    labels = [row["label"] for row in gregorian.rows]
    assert month_of(day, "gregorian") in labels and month_of(day) not in labels
    assert footer_total(gregorian) == 51_000_000


def month_of(day: datetime.date, calendar: str = "jalali") -> str:
    year, month, _day = to_calendar(day, calendar)
    return month_label(year, month, calendar)


def test_money_totals_per_grade_and_per_rep(client, personas, finance_user, books):
    gold = Grade.objects.create(name="طلایی")
    Contact.objects.filter(pk=books["owner"].pk).update(grade=gold)
    client.force_login(personas.manager)
    params = around(today(), 60, 60)
    by_grade = show(client, "money_totals", group="grade", **params).context["result"]
    rows = {row["label"]: row for row in by_grade.rows}
    gold_row = rows["طلایی"]
    assert (gold_row["invoices"], gold_row["invoiced"]) == (2, 30_000_000)
    assert gold_row["collected"] == 5_000_000 + 2_000_000
    assert gold_row["balance"] == Account.objects.get(contact=books["owner"]).balance
    assert footer_total(by_grade, "balance") == balance_of(books.values())
    by_rep = show(client, "money_totals", group="user", **params).context["result"]
    assert {row["label"] for row in by_rep.rows} == {
        str(personas.owner),
        str(personas.teammate),
        str(personas.outsider),
    }
    assert footer_total(by_rep, "invoiced") == 30_000_000 + 60_000_000 + 90_000_000


# The dashboard -----------------------------------------------------------------------------


def test_the_dashboard_shows_the_money_cards_over_the_customers_its_reader_sees(
    client, personas, finance_user, books
):
    day = today()
    client.force_login(finance_user)
    page = client.get(reverse("reports:dashboard"))
    cards = {card.title: card for card in page.context["money"]}
    receivable = Account.objects.filter(debit__gt=F("credit")).aggregate(
        s=Sum(F("debit") - F("credit"))
    )["s"]
    assert cards["مطالبات از مشتریان"].amount == receivable
    assert cards["مطالبات از مشتریان"].count == 3
    start, end = week_range(day)
    in_hand = Cheque.objects.filter(
        status__in=Cheque.IN_HAND, due_date__gte=start, due_date__lte=end
    )
    assert (cards["چک‌های سررسید این هفته"].count, cards["چک‌های سررسید این هفته"].amount) == (
        in_hand.count(),
        in_hand.aggregate(s=Sum("amount"))["s"],
    )
    assert cards["چک‌های سررسید این هفته"].count == 3
    this_month = period_range("this_month", day)
    collected_now = sum(
        amount for amount, when in (
            (5_000_000, day - days(3)), (10_000_000, day - days(3)), (15_000_000, day - days(3)),
            (2_000_000, day - days(1)), (4_000_000, day - days(1)), (6_000_000, day - days(1)),
        ) if this_month[0] <= when <= this_month[1]
    )  # fmt: skip
    assert cards["وصول این ماه"].amount == collected_now
    overdue = cards["فاکتورهای سررسید گذشته"]
    assert overdue.count == 3  # the invoices due 45 days ago, none wholly paid in cash
    html = page.content.decode()
    assert "حساب مشتریان" in html and "فاکتورهای سررسید گذشته" in html
    # A rep's own dashboard: their own customers only.
    client.force_login(personas.owner)
    mine = {card.title: card for card in client.get(reverse("reports:dashboard")).context["money"]}
    assert mine["مطالبات از مشتریان"].amount == Account.objects.get(contact=books["owner"]).balance
    assert mine["مطالبات از مشتریان"].count == 1
    assert mine["فاکتورهای سررسید گذشته"].count == 1
    client.force_login(personas.outsider)
    far = {card.title: card for card in client.get(reverse("reports:dashboard")).context["money"]}
    assert (
        far["مطالبات از مشتریان"].amount == Account.objects.get(contact=books["outsider"]).balance
    )
    # Support reads no money.
    client.force_login(UserFactory(username="poshtiban", role=SUPPORT))
    assert client.get(reverse("reports:dashboard")).context["money"] is None
