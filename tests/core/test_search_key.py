import importlib

import pytest
from django.db import connection

from peyvand.core.text import (
    fa_search_key,
    fa_search_key_sql_literals,
    normalize_persian,
    typed_search_key,
)

# (typed, what it must fold to). Each line is a way Persian text really arrives: Arabic
# keyboards, PDFs (presentation forms), Word (ZWNJ, diacritics), phones (digits).
TRICKY = [
    ("علي", "علی"),
    ("علی", "علی"),
    ("كريمي", "کریمی"),
    ("کریمی", "کریمی"),
    ("موسى", "موسی"),
    ("مسئول", "مسیول"),
    ("مسیول", "مسیول"),
    ("مدرسة", "مدرسه"),
    ("خانۀ", "خانه"),
    ("خانه‌ی", "خانهی"),
    ("أحمد", "احمد"),
    ("إيران", "ایران"),
    ("آرش", "ارش"),
    ("ٱلله", "الله"),
    ("مؤسسه", "موسسه"),
    ("می‌روم", "میروم"),
    ("می روم", "میروم"),
    ("میروم", "میروم"),
    ("مُحَمَّد", "محمد"),
    ("قرآنٌ", "قران"),
    ("كـــتاب", "کتاب"),
    ("۰۹۱۲۳۴۵۶۷۸۹", "09123456789"),
    ("٠٩١٢٣٤٥٦٧٨٩", "09123456789"),
    ("0912 345 6789", "09123456789"),
    ("۱۴۰۳/۱۲/۳۰", "1403/12/30"),
    ("ﻋﻠﯽ", "علی"),  # presentation forms, as pasted from a PDF
    ("ﻛﺮﯾﻤﯽ", "کریمی"),
    ("\u200fعلی\u200e", "علی"),  # bidi marks
    ("\ufeffعلی", "علی"),  # BOM
    ("عل\u00adی", "علی"),  # soft hyphen
    ("علی\u00a0رضا", "علیرضا"),  # no-break space
    ("علی\u2003رضا", "علیرضا"),  # em space (NFKC → space)
    ("Ali.Karimi@Example.COM", "ali.karimi@example.com"),
    ("ＡＢＣ１２３", "abc123"),  # full-width Latin, NFKC
    ("C000123", "c000123"),
    ("شرکت  صنایع\tغذایی\nمهرگان", "شرکتصنایعغذاییمهرگان"),
    ("İstanbul", "İstanbul"),  # non-ASCII case is left alone on both sides
    ("ΣΟΣ", "ΣΟΣ"),
    ("", ""),
]


@pytest.mark.parametrize(("typed", "expected"), TRICKY)
def test_the_python_key_folds_tricky_text(typed, expected):
    assert fa_search_key(typed) == expected


def test_there_are_at_least_thirty_tricky_strings():
    assert len(TRICKY) >= 30


@pytest.mark.django_db
def test_the_database_key_agrees_with_python_on_every_tricky_string():
    """On SQLite this is the Python function registered per connection; on PostgreSQL
    it is the SQL function frozen in core/migrations/0002."""
    with connection.cursor() as cursor:
        for typed, _expected in TRICKY:
            cursor.execute("SELECT fa_search_key(%s)", [typed])
            assert cursor.fetchone()[0] == fa_search_key(typed), typed


@pytest.mark.django_db
def test_the_key_of_null_is_null():
    with connection.cursor() as cursor:
        cursor.execute("SELECT fa_search_key(NULL)")
        assert cursor.fetchone()[0] is None
    assert fa_search_key(None) is None


def test_the_frozen_sql_tables_match_the_python_tables():
    # The newest migration that (re)creates fa_search_key.
    migration = importlib.import_module("peyvand.core.migrations.0005_fa_search_key_ascii_lower")
    fold_from, fold_to, drop = fa_search_key_sql_literals()
    assert [ord(c) for c in fold_from] == migration.FOLD_FROM
    assert [ord(c) for c in fold_to] == migration.FOLD_TO
    assert [ord(c) for c in drop] == migration.DROP
    assert len(migration.FOLD_FROM) == len(migration.FOLD_TO)


def test_stored_text_keeps_its_spelling_but_gets_persian_letters_and_latin_digits():
    assert normalize_persian("  علي كريمي ۱۲۳ ") == "علی کریمی 123"
    assert normalize_persian("می‌روم") == "می‌روم"  # ZWNJ is kept in stored text


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_contains_search_on_the_key_uses_the_trigram_index(contact):
    from peyvand.contacts.models import Contact

    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = Contact.objects.filter(search_key__contains="کریمی").order_by().explain()
        cursor.execute("RESET enable_seqscan")
    # Either trigram index on the key answers it (the owner's one leads with owner_id):
    # on a near-empty table their costs tie and the planner may take either.
    assert "contact_search_trgm" in plan or "contact_owner_search_trgm" in plan


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("0912-123 4567", "09121234567"),
        ("(021) 8888-1234", "02188881234"),
        ("۰۹۱۲.۱۲۳.۴۵۶۷", "09121234567"),
        ("+98 912 123 4567", "09121234567"),
        ("+98 (21) 8888 1234", "02188881234"),
        ("912 123 4567", "9121234567"),  # without its 0: still part of the number
        ("8888-1234", "88881234"),  # without the area code
        ("1405/00012", "1405/00012"),  # a document number keeps its slash
        ("خرید ۲۰ دستگاه", "خرید20دستگاه"),  # words with a number are text
    ],
)
def test_a_phone_typed_with_separators_is_searched_as_its_digits(typed, key):
    assert typed_search_key(typed) == key


def test_a_contact_is_found_by_its_number_typed_any_way(db):
    from peyvand.accounts.roles import MANAGER
    from peyvand.contacts.lists import CONTACTS
    from tests.factories import ContactFactory, UserFactory
    from tests.lists import query

    manager = UserFactory(role=MANAGER)
    found = ContactFactory(name="داروخانه نور", phones=["+989121234567"])
    ContactFactory(name="دیگری", phones=["+989351112233", ("landline", "+982188881234")])
    for typed in ("0912-123-4567", "۰۹۱۲ ۱۲۳ ۴۵۶۷", "+98 (912) 123.4567", "123 4567"):
        rows = CONTACTS.rows(manager, query(q=typed))
        assert list(rows.values_list("pk", flat=True)) == [found.pk], typed
