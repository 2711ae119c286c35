"""Importing contacts from Excel and CSV: upload, map, preview, run in the background
worker (django-tasks' database backend, the real `worker` command), report."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from peyvand.contacts.models import Contact, Region
from peyvand.core.models import ImportJob
from peyvand.core.trees import node_create
from peyvand.customfields.models import CustomField
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
# The worker closes a connection that is inside a transaction (as the test's is), so the
# tests that run it commit for real. Rows that migrations seed (regions) may be gone
# after an earlier such test: these tests create what they need.
worker_test = pytest.mark.django_db(transaction=True)
HEADERS = ["نام", "تلفن همراه", "کد ملی", "ایمیل", "استان", "نحوه آشنایی"]
ISLAND = "جزیره آزمون"  # a region of the tests' own


def xlsx(rows: list[list], headers=HEADERS, name="contacts.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def national_id(seed: int) -> str:
    """A valid کد ملی: nine digits and their check digit."""
    body = f"{seed:09d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(body)) % 11
    return body + str(total if total < 2 else 11 - total)


def upload(client, file, **options) -> ImportJob:
    data = {"file": file, "duplicates": "skip"} | options
    response = client.post(reverse("core:import_start", args=["contacts.contact"]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ImportJob.objects.latest("pk")


def start(client, job: ImportJob, **changes) -> ImportJob:
    data = {f"col_{index}": key for index, key in job.mapping.items()}
    data |= {"duplicates": job.duplicates, "action": "start"} | changes
    response = client.post(reverse("core:import_detail", args=[job.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    call_command("worker", batch=True, beat_interval=0, no_startup_delay=True, verbosity=0)
    job.refresh_from_db()
    return job


@worker_test
def test_1000_rows_with_10_bad_import_990_and_report_the_10_by_row(client, personas):
    rows, bad_lines = [], []
    for number in range(1000):
        mobile = f"0912{number:07d}"
        row = [f"مشتری شماره {number}", mobile, national_id(number + 1), "", ISLAND, ""]
        if number % 100 == 7:  # ten bad rows, each bad in a different way
            row[[1, 2, 3][number // 100 % 3]] = ["0812", "1234567890", "نامه@"][number // 100 % 3]
            bad_lines.append(number + 2)  # the header is line 1
        rows.append(row)
    node_create(node=Region(name=ISLAND))
    client.force_login(personas.owner)
    job = upload(client, xlsx(rows))
    assert job.total_rows == 1000
    assert job.mapping == {
        "0": "name",
        "1": "mobile",
        "2": "national_id",
        "3": "email",
        "4": "region",
        "5": "source",
    }
    job = start(client, job)

    assert job.status == "done" and job.created_count == 990 and job.error_count == 10
    assert Contact.objects.filter(owner=personas.owner).count() == 990
    assert sorted(job.issues.values_list("line", flat=True)) == bad_lines
    page = client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    assert "۹۹۰" in page and "تلفن همراه معتبر نیست" in page and "کد ملی" in page
    # Nothing lost: the report carries each bad row as it was, to fix and import again.
    report = client.get(reverse("core:import_issues", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content))).active
    reported = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[0] for row in reported] == bad_lines
    assert reported[0][3:5] == rows[7][:2]
    imported = Contact.objects.get(name="مشتری شماره 0")
    assert imported.mobile == "+989120000000" and imported.region.name == ISLAND
    assert imported.code.startswith("C") and imported.phones.count() == 1


@worker_test
def test_all_or_nothing_imports_nothing_when_a_row_is_bad(client, personas):
    client.force_login(personas.owner)
    job = upload(client, xlsx([["درست", "09121111111"], ["نادرست", "12"]], HEADERS[:2]))
    job = start(client, job, all_or_nothing="on")
    assert job.status == "rejected" and job.error_count == 1
    assert not Contact.objects.exists()
    page = client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    assert "هیچ ردیفی وارد نشد" in page and "۳" in page  # line 3


@worker_test
@pytest.mark.parametrize(
    ("mode", "created", "updated", "skipped"),
    [("skip", 1, 0, 2), ("update", 1, 1, 1), ("create", 3, 0, 0)],
)
def test_duplicates_are_handled_as_the_user_chose(
    client, personas, mode, created, updated, skipped
):
    existing = ContactFactory(owner=personas.owner, name="قدیمی", phones=["+989121112233"])
    client.force_login(personas.owner)
    rows = [
        ["رضا نو", "۰۹۱۲ ۱۱۱ ۲۲۳۳", "", "reza@example.ir", "", ""],  # the existing mobile
        ["تازه", "09350000001", "", "", "", ""],
        ["تازه دوباره", "+98 935 000 0001", "", "", "", ""],  # the row above, again
    ]
    job = upload(client, xlsx(rows), duplicates=mode)
    job = start(client, job)
    assert (job.created_count, job.updated_count, job.skipped_count) == (created, updated, skipped)
    existing.refresh_from_db()
    if mode == "update":
        assert existing.name == "رضا نو" and existing.email == "reza@example.ir"
    else:
        assert existing.name == "قدیمی"


@worker_test
def test_a_duplicate_the_user_cannot_see_is_not_updated(client, personas):
    hidden = ContactFactory(owner=personas.outsider, name="دیگری", phones=["+989121112233"])
    client.force_login(personas.owner)
    job = upload(client, xlsx([["من", "09121112233"]], HEADERS[:2]), duplicates="update")
    job = start(client, job)
    hidden.refresh_from_db()
    assert hidden.name == "دیگری" and job.error_count == 1
    assert "در فهرست شما نیست" in job.issues.get().message


@worker_test
def test_csv_in_windows_persian_encoding_with_arabic_letters_and_custom_fields(client, personas):
    plan = CustomField.objects.create(
        target="contacts.contact", label="طرح", kind="choice", options="طلایی\nنقره‌ای"
    )
    # Excel on Persian Windows: cp1256, which has Arabic ي and ك but not Persian ی and ک.
    text = "نام;موبايل;طرح;صنف;تاريخ تولد\nعلي كريمي;9123456789;طلايي;;1370/05/12\n"
    client.force_login(personas.owner)
    job = upload(client, SimpleUploadedFile("list.csv", text.encode("cp1256")))
    expected = {"0": "name", "1": "mobile", "2": f"custom:{plan.pk}", "3": "category"}
    assert job.mapping == expected | {"4": "birthday"}
    job = start(client, job)
    assert list(job.issues.values_list("message", flat=True)) == []
    contact = Contact.objects.get()
    assert contact.name == "علی کریمی" and contact.mobile == "+989123456789"
    assert contact.custom == {plan.key: "طلایی"} and str(contact.birthday) == "1991-08-03"


def test_the_preview_shows_what_would_happen_and_writes_nothing(client, personas):
    client.force_login(personas.owner)
    job = upload(client, xlsx([["درست", "09121111111"], ["", "09121111112"]], HEADERS[:2]))
    data = {"col_0": "name", "col_1": "mobile", "duplicates": "skip", "action": "preview"}
    page = client.post(reverse("core:import_detail", args=[job.pk]), data).content.decode()
    assert "درست است" in page and "نام: خالی است" in page
    assert not Contact.objects.exists()
    job.refresh_from_db()
    assert job.status == "mapping"


def test_mapping_needs_the_name_column_and_one_column_per_field(client, personas):
    client.force_login(personas.owner)
    job = upload(client, xlsx([["الف", "09121111111"]], HEADERS[:2]))
    data = {"col_0": "mobile", "col_1": "mobile", "duplicates": "skip", "action": "start"}
    page = client.post(reverse("core:import_detail", args=[job.pk]), data).content.decode()
    assert "به ستون دیگری هم داده شده است" in page and "«نام»" in page
    job.refresh_from_db()
    assert job.status == "mapping"


def test_an_unreadable_file_gets_a_persian_error(client, personas):
    client.force_login(personas.owner)
    url = reverse("core:import_start", args=["contacts.contact"])
    page = client.post(
        url, {"file": SimpleUploadedFile("x.xlsx", b"not a zip"), "duplicates": "skip"}
    )
    assert "فایل اکسل خوانا نیست" in page.content.decode()
    page = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"%PDF"), "duplicates": "skip"})
    assert "فقط فایل اکسل" in page.content.decode()
    assert not ImportJob.objects.exists()


def test_an_import_is_only_its_uploaders_and_managers(client, personas):
    client.force_login(personas.owner)
    job = upload(client, xlsx([["الف", "09121111111"]], HEADERS[:2]))
    client.force_login(personas.teammate)
    assert client.get(reverse("core:import_detail", args=[job.pk])).status_code == 404
    client.force_login(personas.manager)
    assert client.get(reverse("core:import_detail", args=[job.pk])).status_code == 200


def test_the_progress_poll_answers_with_the_bar_and_reloads_the_page_when_done(client, personas):
    client.force_login(personas.owner)
    job = upload(client, xlsx([["الف", "09121111111"]], HEADERS[:2]))
    job.status, job.processed_rows = ImportJob.Status.RUNNING, 0
    job.save()
    poll = {"HTTP_HX_REQUEST": "true"}
    running = client.get(reverse("core:import_detail", args=[job.pk]), **poll)
    assert (
        'id="import-progress"' in running.content.decode()
        and "<html" not in running.content.decode()
    )
    assert "HX-Refresh" not in running
    job.status = ImportJob.Status.DONE
    job.save()
    done = client.get(reverse("core:import_detail", args=[job.pk]), **poll)
    assert done["HX-Refresh"] == "true"
