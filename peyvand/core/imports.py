"""Imports from Excel (xlsx) and CSV: one mechanism for every table that takes rows
from a file. core reads the file, keeps the job and its issues and drives the batches;
each domain app registers an Importer that turns a row into records.

The file is read twice at most (all-or-nothing checks every row before writing any),
a batch at a time, so memory stays flat whatever the file's size."""

import csv
import datetime
import io
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django_tasks import task
from python_calamine import CalamineError, CalamineWorkbook, XmlError, ZipError

from peyvand.core.models import ImportIssue, ImportJob
from peyvand.core.text import fa_search_key
from peyvand.core.vcard import read_cards

BATCH_SIZE = 1000
SAMPLE_ROWS = 5
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class UnreadableFile(Exception):
    """The file is not a spreadsheet we can read; the message is Persian."""


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str
    aliases: tuple[str, ...] = ()  # other headers people use for this column
    required: bool = False


@dataclass
class BatchResult:
    created: int = 0
    updated: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, message)
    errors: list[tuple[int, str]] = field(default_factory=list)


class Importer:
    """What a domain app provides for one target table."""

    target: str  # model label, "contacts.contact"
    title: str  # Persian, plural: "مخاطبین"
    permission: str  # needed to import at all
    list_url: str  # where the imported records are listed

    def fields(self) -> list[ImportField]:
        raise NotImplementedError

    def start(self, job: ImportJob) -> object:
        """State kept across batches (lookups loaded once, rows seen so far)."""
        raise NotImplementedError

    def process(self, state, job: ImportJob, rows: list[tuple[int, dict]], write: bool):
        """Check (and when ``write``, save) a batch of (line, {field key: cell}) rows."""
        raise NotImplementedError


importers: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    importers[importer.target] = importer


# Reading files ------------------------------------------------------------------------


def _cell_text(value) -> str:
    """A cell as text: whole-number floats lose their ".0" (Excel stores phone numbers
    and IDs typed as numbers that way), dates stay ISO for the date parsers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "بله" if value else "خیر"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _csv_text(path: Path) -> io.TextIOBase:
    raw = path.open("rb")
    head = raw.read(64 * 1024)
    raw.seek(0)
    for encoding in ("utf-8-sig", "cp1256"):  # Excel on Persian Windows saves cp1256
        try:
            head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return io.TextIOWrapper(raw, encoding=encoding, newline="")
    raw.close()
    raise UnreadableFile("نویسه‌های فایل CSV خوانا نیست؛ آن را با کدگذاری UTF-8 ذخیره کنید.")


SPREADSHEETS = (".xlsx", ".xls", ".ods")
# The columns a vCard file is read into (its "line numbers" are the cards' numbers + 1).
VCARD_HEADERS = ("نام", "تلفن همراه", "تلفن ثابت", "ایمیل", "شرکت", "نشانی", "یادداشت")


def read_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Every row of the file's first sheet as text cells, with its line number as the
    user sees it in Excel (header first)."""
    suffix = path.suffix.lower()
    if suffix in SPREADSHEETS:
        # python-calamine (Rust) reads a 100,000-row sheet in 0.7 s where openpyxl takes
        # 9.5 s; it holds the sheet in memory, which the upload size limit bounds.
        try:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        except (CalamineError, ZipError, XmlError, OSError, ValueError) as error:
            raise UnreadableFile(
                "فایل اکسل خوانا نیست؛ آن را در اکسل با قالب xlsx ذخیره کنید."
            ) from error
        first_line = sheet.start[0] + 1 if sheet.start else 1
        for offset, row in enumerate(sheet.iter_rows()):
            yield first_line + offset, [_cell_text(value) for value in row]
    elif suffix == ".vcf":
        # Each card becomes a row under Persian headers that the mapping recognises.
        with _csv_text(path) as text:
            yield 1, list(VCARD_HEADERS)
            for line, card in enumerate(read_cards(text), start=2):
                yield (
                    line,
                    [
                        card.name,
                        "، ".join(card.mobiles),
                        "، ".join(card.phones),
                        card.emails[0] if card.emails else "",
                        card.company,
                        card.address,
                        "\n".join([card.title, *card.emails[1:], card.note]).strip(),
                    ],
                )
    elif suffix == ".csv":
        with _csv_text(path) as text:
            sample = text.read(8192)
            text.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            reader = csv.reader(text, dialect)
            line = 1
            for row in reader:
                yield line, [cell.strip() for cell in row]
                line = reader.line_num + 1  # a quoted cell may span lines
    else:
        raise UnreadableFile("فقط فایل اکسل (xlsx، xls)، CSV یا vCard (vcf) پذیرفته می‌شود.")


def row_count(path: Path) -> int | None:
    """The rows a spreadsheet holds, header included, without reading them."""
    if path.suffix.lower() not in SPREADSHEETS:
        return None
    try:
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).height
    except (CalamineError, ZipError, XmlError, OSError, ValueError):
        return None


def _is_blank(row: list[str]) -> bool:
    return not any(cell for cell in row)


@contextmanager
def local_copy(file: FieldFile) -> Iterator[Path]:
    """The uploaded file as a local temporary file, its extension kept: the readers take
    a path (python-calamine), and the storage may be an S3 bucket (MEDIA_STORAGE)."""
    with (
        tempfile.NamedTemporaryFile(suffix=Path(file.name).suffix.lower()) as copy,
        file.open("rb") as stored,
    ):
        shutil.copyfileobj(stored, copy)
        copy.flush()
        yield Path(copy.name)


def describe_file(job: ImportJob) -> None:
    """Reads the header and a few sample rows into the job, counts the rows (an xlsx
    says how many it has; a CSV is counted) and guesses the mapping from the headers."""
    with local_copy(job.file) as path:
        _describe(job, path)


def _describe(job: ImportJob, path: Path) -> None:
    rows = (row for _line, row in read_rows(path))
    headers = next(rows, None)
    if headers is None or _is_blank(headers):
        raise UnreadableFile("سطر اول فایل باید عنوان ستون‌ها باشد؛ فایل خالی است.")
    samples = []
    for row in rows:
        if not _is_blank(row):
            samples.append(row)
        if len(samples) == SAMPLE_ROWS:
            break
    if not samples:
        raise UnreadableFile("فایل جز سطر عنوان‌ها ردیفی ندارد.")
    declared = row_count(path)
    total = (
        declared - 1 if declared else len(samples) + sum(1 for row in rows if not _is_blank(row))
    )
    job.headers, job.samples, job.total_rows = headers, samples, max(total, len(samples))
    job.mapping = guess_mapping(importers[job.target].fields(), headers)


def _header_key(text: str) -> str:
    return (fa_search_key(text) or "").replace(" ", "")


def guess_mapping(fields: list[ImportField], headers: list[str]) -> dict[str, str]:
    """Column index -> field key, for headers that name a field (or an alias of it)."""
    by_name = {}
    for import_field in fields:
        for name in (import_field.label, import_field.key, *import_field.aliases):
            by_name.setdefault(_header_key(name), import_field.key)
    mapping, used = {}, set()
    for index, header in enumerate(headers):
        key = by_name.get(_header_key(header))
        if key and key not in used:
            mapping[str(index)] = key
            used.add(key)
    return mapping


def mapped_rows(job: ImportJob) -> Iterator[tuple[int, dict, list[str]]]:
    """(line number as the user sees it in Excel, {field key: cell}, the raw cells)."""
    columns = [(int(index), key) for index, key in job.mapping.items() if key]
    with local_copy(job.file) as path:
        rows = read_rows(path)
        next(rows, None)
        for line, row in rows:
            if _is_blank(row):
                continue
            values = {key: row[index] if index < len(row) else "" for index, key in columns}
            yield line, values, row


# Running ------------------------------------------------------------------------------


def _batches(job: ImportJob):
    rows = mapped_rows(job)
    while batch := list(islice(rows, BATCH_SIZE)):
        yield batch


def _record_issues(job: ImportJob, batch, result: BatchResult) -> None:
    raw = {line: cells for line, _values, cells in batch}
    ImportIssue.objects.bulk_create(
        [
            ImportIssue(job=job, line=line, level=level, message=message, values=raw[line])
            for level, issues in (
                (ImportIssue.Level.ERROR, result.errors),
                (ImportIssue.Level.SKIPPED, result.skipped),
            )
            for line, message in issues
        ]
    )
    job.error_count += len(result.errors)
    job.skipped_count += len(result.skipped)


def run_import(job: ImportJob) -> None:
    """Checks and saves the file a batch at a time, counting as it goes. With "all or
    nothing" every row is checked first (the first half of the progress bar) and only a
    clean file is written, in one transaction."""
    importer = importers[job.target]
    job.status = ImportJob.Status.RUNNING
    job.processed_rows = job.created_count = job.updated_count = 0
    job.skipped_count = job.error_count = 0
    job.save()
    job.issues.all().delete()
    run = _Run(importer, job)
    try:
        if job.all_or_nothing:
            run.check_all()
            if job.error_count:
                job.status = ImportJob.Status.REJECTED
                return
            job.skipped_count = 0
            job.issues.all().delete()
            # Progress inside this transaction shows only at its end (the other half).
            with transaction.atomic():
                run.write_all(atomic_batches=False)
        else:
            run.write_all(atomic_batches=True)
        job.status = ImportJob.Status.DONE
        # The rows actually read (an xlsx's declared count may include blank rows).
        job.total_rows = job.processed_rows = run.rows_read
    except UnreadableFile as error:
        job.status, job.failure = ImportJob.Status.FAILED, str(error)
    finally:
        job.finished_at = timezone.now()
        job.save()


class _Run:
    PROGRESS = (
        "status",
        "processed_rows",
        "created_count",
        "updated_count",
        "skipped_count",
        "error_count",
    )

    def __init__(self, importer: Importer, job: ImportJob):
        self.importer, self.job = importer, job
        self.rows_read = 0

    def check_all(self) -> None:
        job, state = self.job, self.importer.start(self.job)
        for batch in _batches(job):
            rows = [(line, values) for line, values, _cells in batch]
            _record_issues(job, batch, self.importer.process(state, job, rows, False))
            job.processed_rows = min(job.total_rows // 2, job.processed_rows + len(batch) // 2)
            job.save(update_fields=self.PROGRESS)

    def write_all(self, *, atomic_batches: bool) -> None:
        job, state = self.job, self.importer.start(self.job)
        first = job.processed_rows
        for batch in _batches(job):
            with transaction.atomic() if atomic_batches else nullcontext():
                rows = [(line, values) for line, values, _cells in batch]
                result = self.importer.process(state, job, rows, True)
                _record_issues(job, batch, result)
                job.created_count += result.created
                job.updated_count += result.updated
                self.rows_read += len(batch)
                job.processed_rows = min(job.total_rows, first + self.rows_read)
                job.save(update_fields=self.PROGRESS)


@task()
def import_file(job_id: int) -> None:
    """The background task: ``manage.py worker`` runs it."""
    # Claimed with one UPDATE: a second delivery of the same job, or a second worker,
    # finds it no longer queued and does nothing.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    if claimed:
        run_import(ImportJob.objects.get(pk=job_id))


def queue_import(job: ImportJob) -> None:
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["status", "mapping", "duplicates", "all_or_nothing"])
    transaction.on_commit(lambda: import_file.enqueue(job.pk))
