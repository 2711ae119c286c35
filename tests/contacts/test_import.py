"""Importing contacts from Excel and CSV: upload, map, preview, run in the background
worker (django-tasks' database backend, the real `worker` command), report."""

import io
import resource
import struct
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from peyvand.contacts.models import Contact, Region
from peyvand.core.archives import MAX_UNPACKED_BYTES
from peyvand.core.digits import localize_text
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


def run_worker() -> None:
    call_command("worker", batch=True, beat_interval=0, no_startup_delay=True, verbosity=0)


def upload(client, file, **options) -> ImportJob:
    """Uploads the file and lets the worker read it (the request itself does not)."""
    data = {"file": file, "duplicates": "skip"} | options
    response = client.post(reverse("core:import_start", args=["contacts.contact"]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    run_worker()
    job = ImportJob.objects.latest("pk")
    assert job.status == "mapping", job.failure
    return job


def start(client, job: ImportJob, **changes) -> ImportJob:
    data = {f"col_{index}": key for index, key in job.mapping.items()}
    data |= {"duplicates": job.duplicates, "action": "start"} | changes
    response = client.post(reverse("core:import_detail", args=[job.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    run_worker()
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
    assert contact.birth_month == 5  # Mordad: the list's birth-month filter finds it


@worker_test
def test_the_preview_shows_what_would_happen_and_writes_nothing(client, personas):
    client.force_login(personas.owner)
    job = upload(client, xlsx([["درست", "09121111111"], ["", "09121111112"]], HEADERS[:2]))
    data = {"col_0": "name", "col_1": "mobile", "duplicates": "skip", "action": "preview"}
    page = client.post(reverse("core:import_detail", args=[job.pk]), data).content.decode()
    assert "درست است" in page and "نام: خالی است" in page
    assert not Contact.objects.exists()
    job.refresh_from_db()
    assert job.status == "mapping"


@worker_test
def test_mapping_needs_the_name_column_and_one_column_per_field(client, personas):
    client.force_login(personas.owner)
    job = upload(client, xlsx([["الف", "09121111111"]], HEADERS[:2]))
    data = {"col_0": "mobile", "col_1": "mobile", "duplicates": "skip", "action": "start"}
    page = client.post(reverse("core:import_detail", args=[job.pk]), data).content.decode()
    assert "به ستون دیگری هم داده شده است" in page and "«نام»" in page
    job.refresh_from_db()
    assert job.status == "mapping"


@worker_test
def test_an_unreadable_file_gets_a_persian_error(client, personas):
    client.force_login(personas.owner)
    url = reverse("core:import_start", args=["contacts.contact"])
    page = client.post(url, {"file": SimpleUploadedFile("x.pdf", b"%PDF"), "duplicates": "skip"})
    assert "فقط فایل اکسل" in page.content.decode()
    assert not ImportJob.objects.exists()
    response = client.post(
        url, {"file": SimpleUploadedFile("x.xlsx", b"not a zip"), "duplicates": "skip"}
    )
    job = ImportJob.objects.get()
    assert response.url == reverse("core:import_detail", args=[job.pk])
    run_worker()
    page = client.get(response.url).content.decode()
    assert "فایل اکسل خوانا نیست" in page and "بارگذاری فایل دیگر" in page


@worker_test
def test_an_import_is_only_its_uploaders_and_managers(client, personas):
    client.force_login(personas.owner)
    job = upload(client, xlsx([["الف", "09121111111"]], HEADERS[:2]))
    client.force_login(personas.teammate)
    assert client.get(reverse("core:import_detail", args=[job.pk])).status_code == 404
    client.force_login(personas.manager)
    assert client.get(reverse("core:import_detail", args=[job.pk])).status_code == 200


@worker_test
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


# Hostile and damaged files ------------------------------------------------------------

WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        "schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
        '" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
        '"worksheets/sheet1.xml"/></Relationships>'
    ),
}
SHEET_START = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
    b'org/spreadsheetml/2006/main"><sheetData><row><c t="inlineStr"><is><t>\xd9\x86\xd8\xa7'
    b"\xd9\x85</t></is></c></row>"
)
SHEET_END = b"</sheetData></worksheet>"


def workbook(sheet_chunks, lie_about_size: int | None = None) -> bytes:
    """An xlsx whose sheet is written from ``sheet_chunks`` as they come (so a sheet of
    hundreds of megabytes costs the test a chunk of memory); ``lie_about_size`` makes the
    archive declare that size for the sheet instead of its real one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for chunk in sheet_chunks:
                sheet.write(chunk)
    data = bytearray(buffer.getvalue())
    if lie_about_size is not None:
        entry = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml")
        struct.pack_into("<L", data, entry.header_offset + 22, lie_about_size)
        directory = data.rfind(b"PK\x01\x02")  # the sheet, written last, is listed last
        assert data[directory + 46 :].startswith(b"xl/worksheets/sheet1.xml")
        struct.pack_into("<L", data, directory + 24, lie_about_size)
    return bytes(data)


def bomb_rows(total: int):
    """Sheet rows of one Persian cell, ``total`` bytes of them, a megabyte at a time."""
    row = '<row><c t="inlineStr"><is><t>بمب</t></is></c></row>'.encode()
    megabyte = row * (1024 * 1024 // len(row))
    yield SHEET_START
    for _ in range(total // len(megabyte) + 1):
        yield megabyte
    yield SHEET_END


def peak_memory_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


@worker_test
@pytest.mark.parametrize("declared", ["its real size", "a tiny size"])
def test_a_zip_bomb_disguised_as_xlsx_is_refused_in_persian_and_nothing_is_imported(
    client, personas, declared
):
    # A megabyte beyond the limit for real; the archive says so, or lies that it is 1 KB.
    real_size = MAX_UNPACKED_BYTES + 1024 * 1024
    bomb = workbook(
        bomb_rows(real_size), lie_about_size=1024 if declared == "a tiny size" else None
    )
    assert len(bomb) < 2 * 1024 * 1024
    client.force_login(personas.owner)
    peak_before = peak_memory_mb()
    response = client.post(
        reverse("core:import_start", args=["contacts.contact"]),
        {"file": SimpleUploadedFile("contacts.xlsx", bomb), "duplicates": "skip"},
    )
    run_worker()

    job = ImportJob.objects.get()
    assert job.status == "failed" and job.headers == []
    page = client.get(response.url).content.decode()
    assert "پرونده بیش از حد بزرگ است" in page
    assert not Contact.objects.exists()
    assert peak_memory_mb() - peak_before < 100  # calamine would have held it all


@worker_test
@pytest.mark.parametrize("kind", ["xlsx", "ods"])
def test_a_tiny_sheet_spanning_millions_of_cells_is_refused(client, personas, kind):
    """calamine keeps a sheet as a dense rectangle: two cells far apart in a 1 KB file
    would take gigabytes, with no compression involved."""
    if kind == "xlsx":
        far = b'<row r="3000000"><c r="Z3000000"><v>1</v></c></row>'
        file = SimpleUploadedFile("far.xlsx", workbook([SHEET_START, far, SHEET_END]))
    else:
        file = SimpleUploadedFile("far.ods", repeated_ods(rows=3_000_000, columns=25))
    client.force_login(personas.owner)
    peak_before = peak_memory_mb()
    response = client.post(
        reverse("core:import_start", args=["contacts.contact"]),
        {"file": file, "duplicates": "skip"},
    )
    run_worker()
    assert ImportJob.objects.get().status == "failed"
    assert "پرونده بیش از حد بزرگ است" in client.get(response.url).content.decode()
    assert peak_memory_mb() - peak_before < 100


def repeated_ods(*, rows: int, columns: int) -> bytes:
    """An OpenDocument sheet: a header, ``rows`` empty rows, then a value ``columns`` in."""
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" \
xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" \
xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">\
<office:body><office:spreadsheet><table:table table:name="S">\
<table:table-row><table:table-cell office:value-type="string"><text:p>نام</text:p>\
</table:table-cell></table:table-row>\
<table:table-row table:number-rows-repeated="{rows}"><table:table-cell/></table:table-row>\
<table:table-row><table:table-cell table:number-columns-repeated="{columns}"/>\
<table:table-cell office:value-type="string"><text:p>دور</text:p></table:table-cell>\
</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", content)
    return buffer.getvalue()


@worker_test
def test_the_upload_request_only_stores_the_file_and_the_worker_reads_it(client, personas):
    client.force_login(personas.owner)
    response = client.post(
        reverse("core:import_start", args=["contacts.contact"]),
        {"file": xlsx([["الف", "09121111111"]], HEADERS[:2]), "duplicates": "skip"},
    )
    job = ImportJob.objects.get()
    assert job.status == "uploaded" and job.headers == [] and job.total_rows == 0
    waiting = client.get(response.url).content.decode()
    assert "در صف خواندن فایل" in waiting and "hx-get" in waiting
    run_worker()
    poll = client.get(response.url, HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"  # the page reloads with the mapping form
    job.refresh_from_db()
    assert job.status == "mapping" and job.headers == HEADERS[:2] and job.total_rows == 1
    assert 'name="col_0"' in client.get(response.url).content.decode()


def csv_with_a_bad_line_3(bad: bytes) -> SimpleUploadedFile:
    lines = [
        "نام,تلفن همراه\n".encode(),
        "مریم احمدی,09121234567\n".encode(),
        bad,
        "رضا کریمی,09351234567\n".encode(),
    ]
    return SimpleUploadedFile("list.csv", b"".join(lines))


BIG = "ا" * 200 * 1024  # 200 K characters: the csv module stops at 128 K
# The bad line 3, and what its report says.
BAD_LINES = {
    "a 200 KB cell": ((f"سارا,{BIG}\n").encode(), "۱۲۸ کیلوبایت"),
    "a 200 KB quoted cell over lines": ((f'"سارا\n{BIG}",09120000000\n').encode(), "۱۲۸ کیلوبایت"),
    "a NUL byte": ("سارا\x00,09120000000\n".encode(), "نویسهٔ تهی"),
    "bytes that are not UTF-8": ("سارا,".encode() + b"\xff\xfe09120000000\n", "UTF-8"),
}


@worker_test
@pytest.mark.parametrize("bad", list(BAD_LINES))
def test_a_csv_line_that_cannot_be_read_is_reported_and_the_others_go_in(client, personas, bad):
    client.force_login(personas.owner)
    line, message = BAD_LINES[bad]
    job = start(client, upload(client, csv_with_a_bad_line_3(line)))
    assert job.status == "done" and job.created_count == 2 and job.error_count == 1
    assert sorted(Contact.objects.values_list("name", flat=True)) == ["رضا کریمی", "مریم احمدی"]
    issue = job.issues.get()
    assert issue.line == 3 and issue.level == "error" and message in issue.message
    page = client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    # As a Persian-digits reader reads it («UTF-۸» too: the display rule's).
    assert localize_text(issue.message) in page and "۳" in page


@worker_test
def test_a_csv_line_with_a_200_kb_cell_rejects_the_file_with_all_or_nothing(client, personas):
    client.force_login(personas.owner)
    job = upload(client, csv_with_a_bad_line_3(BAD_LINES["a 200 KB cell"][0]))
    job = start(client, job, all_or_nothing="on")
    assert job.status == "rejected" and list(job.issues.values_list("line", flat=True)) == [3]
    assert "۱۲۸ کیلوبایت" in job.issues.get().message
    assert not Contact.objects.exists()


@worker_test
def test_a_utf16_file_named_csv_gets_a_persian_error(client, personas):
    client.force_login(personas.owner)
    text = "نام,تلفن همراه\nمریم,09121234567\n".encode("utf-16")
    response = client.post(
        reverse("core:import_start", args=["contacts.contact"]),
        {"file": SimpleUploadedFile("list.csv", text), "duplicates": "skip"},
    )
    run_worker()
    assert ImportJob.objects.get().status == "failed"
    assert localize_text("UTF-8") in client.get(response.url).content.decode()


_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def hostile_workbook(*, sheet_path: str, sheet: str, shared_strings: str = "") -> bytes:
    """A tiny .xlsx whose parts calamine trusts: the sheet wherever the workbook's
    relationships say, and optionally a shared-strings table with its declared count."""
    relations = f'<Relationship Id="rId1" Type="{_OFFICE}/worksheet" Target="{sheet_path[3:]}"/>'
    if shared_strings:
        relations += (
            f'<Relationship Id="rId2" Type="{_OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" '
            f'Type="{_OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{_PACKAGE}">{relations}</Relationships>',
        )
        if shared_strings:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
        archive.writestr(
            sheet_path, f'<worksheet xmlns="{_MAIN}"><sheetData>{sheet}</sheetData></worksheet>'
        )
    return buffer.getvalue()


@worker_test
@pytest.mark.parametrize("trick", ["a sheet outside xl/worksheets", "a huge shared-strings count"])
def test_a_hostile_workbook_the_checks_do_not_know_fails_in_persian_and_the_worker_lives_on(
    client, personas, trick
):
    """calamine trusts what a file declares and aborts its process when an allocation
    fails: it reads in a process of its own under a memory ceiling (core.sheet_reader).
    Before, these 1 KB files killed the worker outright (exit 134) and left the job
    «در حال خواندن فایل» for ever."""
    if trick == "a sheet outside xl/worksheets":
        far = (
            '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>y</t></is></c></row>'
        )
        data = hostile_workbook(sheet_path="xl/data/s.xml", sheet=far)
    else:
        data = hostile_workbook(
            sheet_path="xl/worksheets/sheet1.xml",
            sheet='<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
            shared_strings=f'<sst xmlns="{_MAIN}" count="4000000000000" '
            'uniqueCount="4000000000000"><si><t>a</t></si></sst>',
        )
    assert len(data) < 2048
    client.force_login(personas.owner)
    response = client.post(
        reverse("core:import_start", args=["contacts.contact"]),
        {"file": SimpleUploadedFile("hostile.xlsx", data), "duplicates": "skip"},
    )
    run_worker()  # returns: the worker process is still alive
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert "پرونده بیش از حد بزرگ است" in client.get(response.url).content.decode()
    assert not Contact.objects.exists()
    # The same worker goes on with the next upload.
    assert upload(client, xlsx([["علی کریمی", "09121234567"]])).status == "mapping"
