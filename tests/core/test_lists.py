"""core.lists, the one list mechanism, on the proforma and invoice lists that use it:
each filter kind reads what a user types (Jalali or ISO dates, Persian digits, presets)
or drops it with a Persian warning, never widens what the user sees, and the page, the
API and the export give the same rows; sorts walk an index; totals are capped."""

import datetime
from operator import attrgetter

import pytest
from django.db.models import Q
from django.http import QueryDict
from django.urls import reverse

from peyvand.contacts.models import Contact, Region
from peyvand.core.dates import to_jalali
from peyvand.core.digits import localize_html
from peyvand.core.lists import (
    LISTS,
    Choice,
    Column,
    ListSpec,
    MultiChoice,
    Sort,
    Tree,
    YesNo,
    cells,
)
from peyvand.core.lists import spec as spec_module
from peyvand.core.models import SavedView
from peyvand.core.periods import period_range, week_range
from peyvand.core.trees import node_create
from peyvand.sales.lists import INVOICES
from peyvand.sales.models import Invoice
from tests.api.test_api import auth  # noqa: F401 - a fixture
from tests.factories import ContactFactory
from tests.finance.money import issue_invoice
from tests.lists import query

TODAY = datetime.date.today()


def numbers(rows) -> set[str]:
    return {row.number for row in rows}


@pytest.fixture
def sales(personas):
    """Three invoices of the owner's customer on different days and amounts, one of an
    outsider's customer (another team: the owner never sees it)."""
    mine = ContactFactory(owner=personas.owner, name="فروشگاه نور")
    other = ContactFactory(owner=personas.outsider, name="بازرگانی نور")
    made = {
        "small": issue_invoice(mine, personas.owner, 1_000_000),
        "middle": issue_invoice(mine, personas.owner, 5_000_000),
        "large": issue_invoice(mine, personas.teammate, 9_000_000),
        "foreign": issue_invoice(other, personas.outsider, 7_000_000),
    }
    old = TODAY - datetime.timedelta(days=400)
    Invoice.objects.filter(pk=made["small"].pk).update(date=old, due_date=old)
    for invoice in made.values():
        invoice.refresh_from_db()
    return {"mine": mine, "other": other, **made}


def rows_for(user, **params):
    return numbers(INVOICES.rows(user, query(**params)))


def test_a_date_range_reads_jalali_iso_and_presets(personas, sales):
    owner = personas.owner
    this_year = {sales["middle"].number, sales["large"].number}
    start, _end = period_range("this_year", TODAY)
    assert rows_for(owner, date_period="this_year") == this_year
    jalali = to_jalali(start)
    assert rows_for(owner, date_from=f"{jalali.year}/{jalali.month:02}/{jalali.day:02}") == (
        this_year
    )
    persian = f"{jalali.year}/{jalali.month:02}/{jalali.day:02}".translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    )
    assert rows_for(owner, date_from=persian) == this_year
    assert rows_for(owner, date_to=(start - datetime.timedelta(days=1)).isoformat()) == {
        sales["small"].number
    }
    assert week_range(TODAY)[0].weekday() == 5  # the week starts on Saturday


def test_what_cannot_be_read_is_dropped_with_a_persian_warning(personas, sales):
    reading = INVOICES.read(query(date_from="1405/13/40", amount_min="دو میلیون"), personas.owner)
    assert reading.values == {"contact__label": ""}
    assert any("تاریخ درستی نیست" in warning for warning in reading.warnings)
    assert any("مبلغ درستی نیست" in warning for warning in reading.warnings)
    swapped = INVOICES.read(query(date_from="2026-12-01", date_to="2026-01-01"), personas.owner)
    assert swapped.values["date"][:2] == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 1))
    assert any("جابه‌جا" in warning for warning in swapped.warnings)
    # A choice that is not one (a typo in the address bar) filters nothing.
    assert rows_for(personas.owner, kind="both", payment="soon") == rows_for(personas.owner)


def test_amounts_take_persian_digits_and_separators(personas, sales):
    assert rows_for(personas.owner, amount_min="۲٬۰۰۰٬۰۰۰", amount_max="6,000,000") == {
        sales["middle"].number
    }
    reading = INVOICES.read(query(amount_min="2000000"), personas.owner)
    assert reading.chips[0][0] == "مبلغ کل: از ۲٬۰۰۰٬۰۰۰ ریال"  # the unit once


def test_customer_issuer_and_text(personas, sales):
    owner = personas.owner
    assert rows_for(owner, owner="me") == {sales["small"].number, sales["middle"].number}
    assert rows_for(owner, owner=str(personas.teammate.pk)) == {sales["large"].number}
    assert rows_for(owner, contact=str(sales["mine"].pk)) == {
        sales["small"].number, sales["middle"].number, sales["large"].number
    }  # fmt: skip
    assert rows_for(owner, q="نور") == {
        sales["small"].number, sales["middle"].number, sales["large"].number
    }  # fmt: skip
    number = sales["middle"].number
    assert sales["middle"].number in rows_for(owner, q=number[-3:].translate(
        str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    ))  # fmt: skip


def test_no_filter_widens_what_a_user_sees(personas, sales):
    """Every filter pointed at what the owner may not see: the other team's customer,
    its rep, its text, its amount. Nothing outside the owner's rows ever comes back."""
    visible = set(Invoice.objects.visible_to(personas.owner).values_list("number", flat=True))
    tries = [
        {"contact": str(sales["other"].pk)},
        {"owner": str(personas.outsider.pk)},
        {"q": "بازرگانی"},
        {"amount_min": "7000000", "amount_max": "7000000"},
        {"q": sales["foreign"].number},
    ]
    for params in tries:
        found = rows_for(personas.owner, **params)
        assert found <= visible and sales["foreign"].number not in found, params
    reading = INVOICES.read(query(contact=str(sales["other"].pk)), personas.owner)
    assert reading.values["contact__label"] == "نامعلوم"  # the name is not told


def test_sorts_go_both_ways_and_say_so(personas, sales):
    owner = personas.owner
    by_amount = [row.total for row in INVOICES.rows(owner, query(sort="total"))]
    assert by_amount == sorted(by_amount, reverse=True)
    ascending = [row.total for row in INVOICES.rows(owner, query(sort="-total"))]
    assert ascending == sorted(ascending)
    reading = INVOICES.read(query(sort="total"), owner)
    links = INVOICES.sort_links(query(sort="total"), reading)
    assert links["total"]["aria"] == "descending" and "sort=-total" in links["total"]["query"]
    assert links["date"]["aria"] == "none"
    # Anything else sorts as the default.
    assert INVOICES.read(query(sort="owner__password"), owner).sort.key == "date"


# Every declared list (registered when the apps are ready, before collection).
@pytest.mark.parametrize(
    "spec", sorted(LISTS.values(), key=attrgetter("key")), ids=attrgetter("key")
)
def test_every_sort_ends_with_a_unique_key_and_walks_an_index(spec):
    model = spec.model
    names = {index.name for index in model._meta.indexes}
    for sort in spec.sorts:
        last = sort.order_by[-1].lstrip("-")
        if sort.index.startswith("unique:"):
            field = sort.index.split(":", 1)[1]
            assert model._meta.get_field(field).unique and last == field
        else:
            assert sort.index in names, sort
            assert last == "id"


@pytest.mark.parametrize(
    "spec", sorted(LISTS.values(), key=attrgetter("key")), ids=attrgetter("key")
)
def test_no_filter_takes_the_name_that_opens_a_saved_view(spec):
    """A saved view leaves out, and opens by, ``view_param``: a filter of that name
    (the complaints' ``view`` tab once) would be dropped by «ذخیره نما» and by the
    columns menu, and overwritten when the view opens."""
    names = {name for list_filter in spec.filters for name in list_filter.names()}
    assert spec.view_param not in names | {"page", "sort"}


def test_totals_are_capped_and_say_so(personas, sales, monkeypatch):
    rows = INVOICES.rows(personas.owner, query())
    reading = INVOICES.read(query(), personas.owner)
    figures = INVOICES.totals_of(rows, reading)
    assert (figures["count"], figures["capped"]) == (3, False)
    assert figures["goods_total"] == 15_000_000
    monkeypatch.setattr(spec_module, "TOTALS_CAP", 2)
    capped = INVOICES.totals_of(rows, reading)
    assert (capped["count"], capped["capped"]) == (3, True)


def test_the_page_the_api_and_the_export_give_the_same_rows(client, personas, sales, auth):  # noqa: F811
    params = {"date_period": "this_year", "amount_max": "8000000", "sort": "-total"}
    client.force_login(personas.owner)
    page = client.get(reverse("sales:invoice_list"), params)
    shown = [row.number for row in page.context["page"].items]
    assert shown == [sales["middle"].number]
    html = page.content.decode()
    assert "تاریخ: امسال" in html and "برداشتن این فیلتر" in html
    answer = client.get("/api/v1/invoices", params, headers=auth("owner")).json()
    assert [item["number"] for item in answer["items"]] == shown
    export = client.get(reverse("core:list_export", args=["invoices", "csv"]), params)
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert sales["middle"].number in text
    assert sales["large"].number not in text and sales["small"].number not in text


# Saved views -----------------------------------------------------------------------------


def save_view(client, name: str, params: str, **more):
    return client.post(
        reverse("core:list_view_save", args=["invoices"]), {"name": name, "params": params, **more}
    )


def test_a_user_saves_the_filters_and_opens_them_again(client, personas, sales):
    client.force_login(personas.owner)
    answer = save_view(client, "  فاکتورهای  بزرگ ", "amount_min=4000000&sort=-total&page=3")
    assert answer.status_code == 302
    assert answer["Location"] == f"{reverse('sales:invoice_list')}?amount_min=4000000&sort=-total"
    view = SavedView.objects.get(owner=personas.owner)
    assert (view.name, view.params) == ("فاکتورهای بزرگ", "amount_min=4000000&sort=-total")
    page = client.get(reverse("sales:invoice_list"))
    assert "فاکتورهای بزرگ" in page.content.decode()
    opened = client.get(f"{reverse('sales:invoice_list')}?{view.params}")
    assert [row.number for row in opened.context["page"].items] == [
        sales["middle"].number, sales["large"].number
    ]  # fmt: skip
    # The same name again replaces it.
    save_view(client, "فاکتورهای بزرگ", "amount_min=8000000")
    assert SavedView.objects.get(owner=personas.owner).params == "amount_min=8000000"
    nameless = save_view(client, " ", "kind=goods")
    assert nameless.status_code == 302 and SavedView.objects.count() == 1
    assert "برای نما نامی بنویسید" in client.get(nameless["Location"]).content.decode()


def test_a_manager_shares_a_view_with_a_team_and_it_grants_nothing(client, personas, sales):
    team = personas.owner.teams.get()
    personas.manager.teams.add(team)
    client.force_login(personas.manager)
    save_view(client, "نور", f"contact={sales['other'].pk}", team=str(team.pk))
    shared = SavedView.objects.get(owner=personas.manager)
    assert shared.team == team
    client.force_login(personas.owner)  # a member of the team: sees the view
    page = client.get(reverse("sales:invoice_list"))
    assert "نور" in [view.name for view in page.context["views"]]
    # Opening it shows only what the owner may see: the other team's customer's
    # invoices stay out, its name untold.
    opened = client.get(f"{reverse('sales:invoice_list')}?{shared.params}")
    assert opened.context["page"].items == []
    assert sales["other"].name not in opened.content.decode()
    # Not theirs to delete.
    delete = reverse("core:list_view_delete", args=[shared.pk])
    assert client.post(delete).status_code == 404
    client.force_login(personas.outsider)  # another team: does not see it
    assert client.get(reverse("sales:invoice_list")).context["views"] == []
    # A rep may not share (no core.share_savedview).
    assert save_view(client, "من", "kind=goods", team=str(team.pk)).status_code == 403
    assert not SavedView.objects.filter(owner=personas.outsider).exists()


def test_a_view_is_deleted_by_its_owner(client, personas):
    view = SavedView.objects.create(owner=personas.owner, list_key="invoices", name="باز")
    client.force_login(personas.owner)
    answer = client.post(reverse("core:list_view_delete", args=[view.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("sales:invoice_list")
    assert not SavedView.objects.exists()


def test_an_unknown_list_or_one_the_user_may_not_read_refuses(client, personas):
    client.force_login(personas.owner)
    assert save_view(client, "x", "").status_code == 302
    unknown = client.post(reverse("core:list_view_save", args=["payroll"]), {"name": "x"})
    assert unknown.status_code == 404


# Columns ---------------------------------------------------------------------------------


def headings(page) -> list[str]:
    return [str(column.label) for column in page.context["columns"]]


def test_a_user_hides_moves_and_resets_columns(client, personas, sales):
    client.force_login(personas.owner)
    url = reverse("sales:invoice_list")
    default = headings(client.get(url))
    # A rep's defaults leave out who issued each invoice (mostly themselves); a
    # manager's show it.
    assert default == ["شماره", "تاریخ", "مشتری", "نوع", "مبلغ کل", "پرداخت"]
    client.force_login(personas.manager)
    assert headings(client.get(url)) == [*default, "صادرکننده"]
    client.force_login(personas.owner)
    columns = reverse("core:list_columns", args=["invoices"])
    # The kind hidden, the VAT shown; an unknown key is ignored.
    keep = ["number", "date", "contact", "total", "payment", "owner", "vat", "password"]
    answer = client.post(columns, {"columns": keep, "params": "payment=unpaid&page=2"})
    assert answer["Location"] == f"{url}?payment=unpaid"
    page = client.get(url)
    assert headings(page) == ["شماره", "تاریخ", "مشتری", "مبلغ کل", "پرداخت", "صادرکننده",
                              "مالیات بر ارزش افزوده"]  # fmt: skip
    assert "<th>نوع</th>" not in page.content.decode()
    # «مبلغ کل» one column forward.
    client.post(columns, {"columns": keep[:-1], "move": "total:up"})
    assert headings(client.get(url))[2:4] == ["مبلغ کل", "مشتری"]
    # Another user's columns are their own.
    client.force_login(personas.teammate)
    assert headings(client.get(url)) == default
    client.force_login(personas.owner)
    client.post(columns, {"reset": "1"})
    assert headings(client.get(url)) == default


def test_a_choice_with_a_default_applies_it_only_when_absent(personas):
    """The default is what an empty address shows; «همه» (``all``, or an empty value
    from a form) shows every row, and taking the default's chip away asks for that."""
    spec = ListSpec(
        key="test",
        label="آزمایش",
        model=Invoice,
        permission="sales.view_invoice",
        url_name="sales:invoice_list",
        base=lambda user: Invoice.objects.none(),
        filters=[
            Choice(name="kind", label="نوع", field="kind", choices=[("goods", "کالا")]),
            Choice(
                name="state",
                label="وضعیت",
                field="state",
                choices=[("open", "باز"), ("shut", "بسته")],
                default="open",
            ),
        ],
        sorts=[Sort("date", "تاریخ", ("-date", "-id"), index="invoice_recent")],
    )
    user = personas.owner
    assert spec.read(query(), user).values == {"state": "open"}
    assert spec.read(query(state="shut"), user).values == {"state": "shut"}
    for everything in ("all", "", "closed"):
        assert spec.read(query(state=everything), user).values == {}, everything
    # «all» is no value of a choice without a default: it is just not one of its choices.
    assert spec.read(query(kind="all"), user).values == {"state": "open"}
    reading = spec.read(query(kind="goods"), user)
    assert reading.chips == [("نوع: کالا", ""), ("وضعیت: باز", "kind=goods&state=all")]
    assert reading.everything == "state=all"
    assert (spec.filters[0].all_value, spec.filters[1].all_value) == ("", "all")


def _spec_with(*filters) -> ListSpec:
    return ListSpec(
        key="test",
        label="آزمایش",
        model=Invoice,
        permission="sales.view_invoice",
        url_name="sales:invoice_list",
        base=lambda user: Invoice.objects.visible_to(user),
        filters=list(filters),
        sorts=[Sort("date", "تاریخ", ("-date", "-id"), index="invoice_recent")],
    )


def test_a_tree_takes_the_subtree_a_yes_no_and_several_choices(personas, sales):
    """A region takes its cities along (found among the options already read: no query
    more); «بله/خیر» narrows both ways; several ticked choices take any of them."""
    province = node_create(node=Region(name="اصفهان"))
    city = node_create(node=Region(name="کاشان", parent=province))
    elsewhere = node_create(node=Region(name="تبریز"))
    Contact.objects.filter(pk=sales["mine"].pk).update(region=city)
    spec = _spec_with(
        Tree(name="region", label="منطقه", field="contact__region", model=Region),
        YesNo(name="big", label="بزرگ", condition=lambda reading: Q(total__gte=5_000_000)),
        MultiChoice(
            name="who",
            label="صادرکننده",
            choices=[("owner", "مالک"), ("mate", "هم‌تیمی")],
            condition=lambda value, reading: Q(
                owner=personas.owner if value == "owner" else personas.teammate
            ),
        ),
    )
    owner = personas.owner

    def found(**params):
        return numbers(spec.rows(owner, query(**params)))

    mine = {sales[name].number for name in ("small", "middle", "large")}
    assert found(region=str(province.pk)) == found(region=str(city.pk)) == mine
    assert found(region=str(elsewhere.pk)) == set()
    assert found(region="999999") == mine  # no such node: filters nothing
    assert found(big="yes") == {sales["middle"].number, sales["large"].number}
    assert found(big="no") == {sales["small"].number}
    assert found(big="maybe") == mine
    params = QueryDict("who=owner&who=mate&who=nobody")
    reading = spec.read(params, owner)
    assert reading.values["who"] == ("owner", "mate")
    assert reading.chips[0][0] == "صادرکننده: مالک، هم‌تیمی"
    assert numbers(spec.rows(owner, params)) == mine
    assert numbers(spec.rows(owner, QueryDict("who=mate"))) == {sales["large"].number}
    assert spec.read(QueryDict(f"region={city.pk}"), owner).chips == [("منطقه: کاشان", "")]


def test_a_view_keeps_its_columns_and_can_be_the_start_page(client, personas, sales):
    """A view saved with the columns its saver chose opens with them (for a teammate it
    is shared with too); «صفحه شروع من» makes signing in land on it, unless a page was
    asked for; the house button takes it back to the کارتابل."""
    owner = personas.owner
    client.force_login(owner)
    url = reverse("sales:invoice_list")
    client.post(
        reverse("core:list_columns", args=["invoices"]),
        {"columns": ["number", "total", "contact"]},
    )
    save_view(client, "بزرگ‌ها", "amount_min=4000000&view=77")
    view = SavedView.objects.get(owner=owner)
    assert (view.params, view.columns) == ("amount_min=4000000", ["number", "total", "contact"])
    client.post(reverse("core:list_columns", args=["invoices"]), {"reset": "1"})
    plain = client.get(url)
    assert headings(plain)[:3] == ["شماره", "تاریخ", "مشتری"]
    opened = client.get(f"{url}?{view.params}&view={view.pk}")
    assert headings(opened) == ["شماره", "مبلغ کل", "مشتری"]
    assert opened.context["current_view"] == view
    assert len(opened.context["page"].items) == 2

    answer = client.post(reverse("core:list_view_start", args=[view.pk]))
    owner.refresh_from_db()
    assert owner.start_page == f"{url}?amount_min=4000000&view={view.pk}"
    assert answer["Location"] == owner.start_page
    client.logout()
    login = reverse("accounts:login")
    signed_in = client.post(login, {"username": owner.username, "password": "peyvand-demo"})
    assert signed_in["Location"] == owner.start_page
    client.logout()
    asked = client.post(
        f"{login}?next=/activities/tasks/", {"username": owner.username, "password": "peyvand-demo"}
    )
    assert asked["Location"] == "/activities/tasks/"
    cleared = client.post(reverse("core:start_page_clear"), {"back": "https://evil.example/"})
    assert cleared["Location"] == reverse("core:home")
    owner.refresh_from_db()
    assert owner.start_page == ""

    # Someone the view is not shared with may not make it their start page.
    client.force_login(personas.outsider)
    assert client.post(reverse("core:list_view_start", args=[view.pk])).status_code == 404
    personas.outsider.refresh_from_db()
    assert personas.outsider.start_page == ""


def test_a_search_says_why_each_row_matched(client, personas):
    """The matched phone, name or number is marked in the row, in the reader's digits,
    however it was typed (+98, Persian digits, Arabic ي)."""
    phoned = ContactFactory(owner=personas.owner, name="پخش البرز", phones=["+989121234567"])
    named = ContactFactory(owner=personas.owner, name="كتابفروشي نيما")
    by_phone = issue_invoice(phoned, personas.owner, 1_000_000)
    issue_invoice(named, personas.owner, 2_000_000)
    client.force_login(personas.owner)
    url = reverse("sales:invoice_list")

    def first_cells(q):
        page = client.get(url, {"q": q})
        # As the reader sees them: the page goes through the display rule (core.digits).
        return [localize_html(cells[0]) for _classes, cells in page.context["cells"]]

    [cell] = first_cells("+98 912 123")
    assert 'تلفن مشتری: <bdi dir="ltr" class="text-nowrap"><mark>۰۹۱۲۱۲۳</mark>۴۵۶۷</bdi>' in cell
    [cell] = first_cells("کتاب‌فروشی")
    assert 'مشتری: <bdi dir="rtl" class="text-nowrap"><mark>كتابفروشي</mark> نيما</bdi>' in cell
    number = by_phone.number  # the number first, in Persian digits
    [cell] = first_cells(localize(number))
    assert (
        f'شماره: <bdi dir="ltr" class="text-nowrap"><mark>{localize(number)}</mark></bdi>' in cell
    )
    # No text, no line.
    assert all("search-why" not in cell for cell in first_cells(""))


def localize(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))


# The API's list operations read the same declaration: path → list key.
API_LISTS = {
    "/api/v1/quotes": "quotes",
    "/api/v1/invoices": "invoices",
    "/api/v1/receipts": "receipts",
    "/api/v1/cheques": "cheques",
    "/api/v1/contacts": "contacts",
    "/api/v1/messages": "messages",
}


@pytest.mark.parametrize("path", API_LISTS)
def test_the_api_documents_exactly_the_list_parameters(path):
    """Every parameter the list page reads is an API parameter (typed, with the filter's
    Persian label), and the API has none the list does not read."""
    from peyvand.api.api import api
    from peyvand.core.lists import LISTS

    spec = LISTS[API_LISTS[path]]
    operation = api.get_openapi_schema()["paths"][path]["get"]
    documented = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    declared = {name for f in spec.filters for name in f.parameters()} | {"sort", "page"}
    assert set(documented) == declared
    assert all(p.get("description") for p in documented.values())


def test_hidden_fields_leave_the_filters_and_the_columns(personas, sales):
    """``ListSpec.hidden`` (the service settings' unused fields): read once per reading;
    a hidden filter is not read (an old link naming it filters nothing) and a hidden
    column shows neither by default nor when a user had chosen it."""
    asked = []

    def hidden():
        asked.append(1)
        return ["kind", "vat"]

    spec = ListSpec(
        key="test",
        label="آزمایش",
        model=Invoice,
        permission="sales.view_invoice",
        url_name="sales:invoice_list",
        base=lambda user: Invoice.objects.visible_to(user),
        filters=[Choice(name="kind", label="نوع", field="kind", choices=[("service", "خدمات")])],
        sorts=[Sort("date", "تاریخ", ("-date", "-id"), index="invoice_recent")],
        columns=[column for column in INVOICES.columns if column.key in ("number", "vat", "kind")],
        hidden=hidden,
    )
    reading = spec.read(query(kind="service"), personas.owner)
    assert asked == [1] and reading.hidden == {"kind", "vat"}
    assert "kind" not in reading.values and reading.chips == []
    everything = set(spec.rows(personas.owner, query()).values_list("pk", flat=True))
    rows = spec.rows(personas.owner, query(kind="service"), reading)
    assert set(rows.values_list("pk", flat=True)) == everything
    owner = personas.owner
    assert [c.key for c in spec.shown_columns(["vat", "number"], owner, reading.hidden)] == [
        "number"
    ]
    assert [c.key for c in spec.shown_columns([], owner, reading.hidden)] == ["number"]
    assert [c.key for c in spec.shown_columns(["vat", "number"], owner)] == ["vat", "number"]


def test_columns_computed_at_request_time_are_read_once_and_chosen_like_declared_ones(
    personas, sales
):
    """``ListSpec.more_columns`` (a custom field's columns): asked once per reading,
    after the declared columns, chosen and ordered like them, hidden like them, and
    offered only where a reading is given (the declared columns otherwise)."""
    asked = []

    def more(reading):
        asked.append(reading.user)
        return [
            Column("extra", "بیشتر", cells.text(lambda row: row.number), default=False),
            Column("vat", "مالیات دیگر", cells.text(lambda row: ""), default=False),
        ]

    spec = ListSpec(
        key="test",
        label="آزمایش",
        model=Invoice,
        permission="sales.view_invoice",
        url_name="sales:invoice_list",
        base=lambda user: Invoice.objects.visible_to(user),
        filters=[],
        sorts=[Sort("date", "تاریخ", ("-date", "-id"), index="invoice_recent")],
        columns=[column for column in INVOICES.columns if column.key in ("number", "total")],
        more_columns=more,
    )
    owner = personas.owner
    reading = spec.read(query(), owner)
    assert [c.key for c in spec.all_columns(reading)] == ["number", "total", "extra", "vat"]
    assert [c.key for c in spec.shown_columns([], owner, reading=reading)] == ["number", "total"]
    chosen = spec.shown_columns(["extra", "number", "gone"], owner, reading=reading)
    assert [c.key for c in chosen] == ["extra", "number"]
    assert [c.key for c in spec.shown_columns(["extra", "vat"], owner, {"vat"}, reading)] == [
        "extra"
    ]
    assert asked == [owner]  # once for the reading, however often asked
    assert [c.key for c in spec.all_columns()] == ["number", "total"]
    assert [c.key for c in spec.shown_columns(["extra"], owner)] == ["number", "total"]
