"""Imports from Excel (xlsx) and CSV: one mechanism for every table that takes rows
from a file. core reads the file, keeps the job and its issues and drives the batches;
each domain app registers an Importer that turns a row into records.

Only the worker reads a file: the upload request stores it and queues describe_file,
which checks it (peyvand.core.archives for zip bombs) and keeps its header and first
rows for the mapping screen. The import then reads it again, twice with all-or-nothing
(every row is checked before any is written), a batch at a time."""

import csv
import io
import json
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import NamedTuple
from xml.parsers import expat

from django.conf import settings
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from peyvand.core import sheet_reader, workers
from peyvand.core.archives import ArchiveTooLarge, check_zip
from peyvand.core.models import ImportIssue, ImportJob
from peyvand.core.text import fa_search_key, to_persian_digits
from peyvand.core.vcard import read_cards

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
SAMPLE_ROWS = 5  # shown under each column on the mapping screen
PREVIEW_ROWS = 20  # kept for the preview, which reads no file
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


class Row(NamedTuple):
    line: int  # as the user sees it in Excel: the header is line 1
    cells: list[str]
    error: str = ""  # why the row could not be read (its cells are then empty)


SPREADSHEETS = (".xlsx", ".xls", ".ods")
# The columns a vCard file is read into (its "line numbers" are the cards' numbers + 1).
VCARD_HEADERS = ("نام", "تلفن همراه", "تلفن ثابت", "ایمیل", "شرکت", "نشانی", "یادداشت")
# The longest cell taken, the csv module's own default: a longer one is a mistake (a file
# pasted into a cell, an unclosed quote that swallowed the lines after it).
MAX_CELL_CHARS = 128 * 1024
# calamine holds a sheet as a dense rectangle, ~32 bytes a cell, empty ones included: a
# 1 KB file with a cell at A1 and one at Z1000000 takes 800 MB. 5,000,000 cells are
# 250,000 rows of 20 columns.
MAX_SHEET_CELLS = 5_000_000


def _unreadable_spreadsheet() -> str:
    return _("فایل اکسل خوانا نیست؛ آن را در اکسل با قالب xlsx ذخیره کنید.")


def check_file(path: Path) -> None:
    """Refuses (UnreadableFile) a spreadsheet that would take more memory to read than
    the limits allow: a zip bomb, or a sheet whose cells span a huge rectangle. Run once,
    in the worker, before anything else reads the file; the file does not change after."""
    if path.suffix.lower() not in (".xlsx", ".ods"):
        return  # .xls is not compressed, and its format stops at 65,536 × 256 cells
    extent = _SheetExtent()
    try:
        check_zip(path, sink_for=extent.sink_for)
    except ArchiveTooLarge as error:
        raise UnreadableFile(str(error)) from error
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFile(_unreadable_spreadsheet()) from error
    if extent.cells > MAX_SHEET_CELLS:
        raise UnreadableFile(
            _("پرونده بیش از حد بزرگ است: برگهٔ آن بیش از %(cells)s خانه را در بر می‌گیرد.")
            % {"cells": to_persian_digits(f"{MAX_SHEET_CELLS:,}")}
        )


_REFERENCE = re.compile(r"([A-Za-z]*)([0-9]*)")


class _SheetExtent:
    """The rectangle calamine would allocate for the largest sheet, found in the sheet's
    XML as it is inflated (expat, so quoting and character references read as calamine
    reads them). xlsx: rows and cells say where they are (``<c r="AB9">``) or follow the
    one before. ods: rows and cells repeat (``table:number-rows-repeated``); repeated
    empty ones at the end, which LibreOffice writes by the million, take no memory."""

    def __init__(self):
        self.cells = 0

    def sink_for(self, name: str):
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            start, end = self._xlsx_start, None
        elif name == "content.xml":
            start, end = self._ods_start, self._ods_end
        else:
            return None
        parser = expat.ParserCreate()
        parser.StartElementHandler, parser.EndElementHandler = start, end
        # A workbook has no document type; one here could only declare entities.
        parser.StartDoctypeDeclHandler = self._refuse
        self._rows = self._columns = self._row = self._column = 0
        self._repeat = self._row_repeat = 0
        self._filled = self._row_filled = False

        def feed(data: bytes) -> None:
            try:
                parser.Parse(data, False)
            except expat.ExpatError as error:
                raise zipfile.BadZipFile(f"{name}: {error}") from error
            self.cells = max(self.cells, self._rows * self._columns)

        return feed

    def _refuse(self, *args) -> None:
        raise zipfile.BadZipFile("a document type in a workbook")

    def _xlsx_start(self, tag: str, attributes: dict) -> None:
        name = tag.rpartition(":")[2]
        if name not in ("row", "c"):
            return
        reference = _REFERENCE.fullmatch(attributes.get("r", ""))
        if reference is None:
            raise zipfile.BadZipFile(f"a cell at {attributes['r']!r}")
        letters, digits = reference.groups()
        if name == "row":
            self._row, self._column = int(digits) if digits else self._row + 1, 0
        else:
            self._row = int(digits) if digits else self._row
            self._column = _column_number(letters.upper()) if letters else self._column + 1
            self._columns = max(self._columns, self._column)
        self._rows = max(self._rows, self._row)

    def _ods_start(self, tag: str, attributes: dict) -> None:
        name = tag.rpartition(":")[2]
        if name == "table":
            self._row = 0
        elif name == "table-row":
            self._row_repeat = max(1, int(attributes.get("table:number-rows-repeated", 1)))
            self._column, self._row_filled = 0, False
        elif name in ("table-cell", "covered-table-cell"):
            self._repeat = max(1, int(attributes.get("table:number-columns-repeated", 1)))
            self._filled = "office:value-type" in attributes
        else:
            self._filled = True  # a cell's paragraph, link, annotation…

    def _ods_end(self, tag: str) -> None:
        name = tag.rpartition(":")[2]
        if name in ("table-cell", "covered-table-cell"):
            self._column += self._repeat
            if self._filled:
                self._columns = max(self._columns, self._column)
                self._row_filled = True
            self._filled = False
        elif name == "table-row":
            self._row += self._row_repeat
            if self._row_filled:
                self._rows = max(self._rows, self._row)


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def read_rows(path: Path) -> Iterator[Row]:
    """Every row of the file's first sheet as text cells, with its line number. A row
    that cannot be read (a cell too long, bytes that are no text) comes with its error,
    so the rows around it still go in."""
    suffix = path.suffix.lower()
    if suffix in SPREADSHEETS:
        rows = _sheet_rows(path)
    elif suffix == ".vcf":
        rows = _vcard_rows(path)
    elif suffix == ".csv":
        rows = _csv_rows(path)
    else:
        raise UnreadableFile(_("فقط فایل اکسل (xlsx، xls)، CSV یا vCard (vcf) پذیرفته می‌شود."))
    for row in rows:
        if not row.error and any(len(cell) > MAX_CELL_CHARS for cell in row.cells):
            row = Row(row.line, [], _("خانه‌ای از این ردیف بیش از ۱۲۸ کیلوبایت متن دارد."))
        yield row


def _sheet_rows(path: Path) -> Iterator[Row]:
    # python-calamine (Rust) reads a 100,000-row sheet in 0.7 s where openpyxl takes
    # 9.5 s; it holds the sheet in memory, and a hostile file can make it ask for more
    # than any machine has (and abort), so it runs in a process of its own with a memory
    # ceiling (core.sheet_reader); check_file refuses the known shapes first, in Persian.
    command = [
        sys.executable, "-m", "peyvand.core.sheet_reader", str(path),
        str(settings.IMPORT_READER_MEMORY_MB),
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 - our own module, a path we stored
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8"
    )
    try:
        header = process.stdout.readline()
        if header:
            first_line = json.loads(header)["first_line"]
            for offset, line in enumerate(process.stdout):
                yield Row(first_line + offset, json.loads(line))
        process.stdout.close()
        status = process.wait()
    finally:
        if process.poll() is None:  # a preview that took its rows and left
            process.kill()
            process.wait()
    if status == sheet_reader.EXIT_UNREADABLE:
        raise UnreadableFile(_unreadable_spreadsheet())
    if status != 0:  # the memory ceiling, or an abort inside calamine
        logger.warning("import sheet reader exited with %s for %s", status, path.name)
        raise UnreadableFile(
            _("پرونده بیش از حد بزرگ است: خواندن آن بیش از %(mb)s مگابایت حافظه می‌خواهد.")
            % {"mb": to_persian_digits(str(settings.IMPORT_READER_MEMORY_MB))}
        )


def _vcard_rows(path: Path) -> Iterator[Row]:
    # Each card becomes a row under Persian headers that the mapping recognises.
    problems: dict[int, str] = {}
    with path.open("rb") as raw:
        lines = _text_lines(raw, _text_encoding(path), problems)
        yield Row(1, list(VCARD_HEADERS))
        for line, card in enumerate(read_cards(lines), start=2):
            if problems:  # a card's lines are not numbered: the whole file is refused
                number, problem = next(iter(problems.items()))
                raise UnreadableFile(
                    _("سطر %(line)s فایل: %(problem)s")
                    % {"line": to_persian_digits(str(number)), "problem": problem}
                )
            cells = [
                card.name,
                "، ".join(card.mobiles),
                "، ".join(card.phones),
                card.emails[0] if card.emails else "",
                card.company,
                card.address,
                "\n".join([card.title, *card.emails[1:], card.note]).strip(),
            ]
            yield Row(line, cells)


def _csv_rows(path: Path) -> Iterator[Row]:
    encoding = _text_encoding(path)
    with path.open("rb") as raw, closing(_text_lines(raw, encoding, {})) as lines:
        sample = "".join(islice(lines, 100))[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # A cell longer than the csv module's limit must not stop the reader (and an
    # unclosed quote must not make the next lines rows): it reads up to the upload
    # limit, and read_rows reports the too-long cell on its own line.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_UPLOAD_BYTES))
    problems: dict[int, str] = {}  # physical line -> why it is no text
    with path.open("rb") as raw:
        reader = csv.reader(_text_lines(raw, encoding, problems), dialect)
        line = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                yield Row(line, [], _("این ردیف CSV درست نوشته نشده است."))
            else:
                # A quoted cell may span lines; the row's first bad line speaks for it.
                bad = (problems.get(number) for number in range(line, reader.line_num + 1))
                problem = next((text for text in bad if text), "")
                yield Row(line, [] if problem else [cell.strip() for cell in cells], problem)
            line = reader.line_num + 1


def _text_encoding(path: Path) -> str:
    """UTF-8, or cp1256 (Excel on Persian Windows), by which one most lines read as: a
    few damaged lines do not turn a UTF-8 file into gibberish."""
    with path.open("rb") as raw:
        head = raw.read(4096)
        # UTF-16 (Excel's "Unicode text") and binary files are full of NULs; a text file
        # may have a stray one, which its line reports.
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.count(b"\x00") > len(head) // 10:
            raise UnreadableFile(
                _("فایل متنی نیست یا با UTF-16 ذخیره شده است؛ آن را با کدگذاری UTF-8 ذخیره کنید.")
            )
        raw.seek(0)
        utf8 = other = 0
        for line in raw:
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                other += 1
            else:
                utf8 += 1
    return "utf-8-sig" if utf8 >= other else "cp1256"


def _text_lines(raw, encoding: str, problems: dict[int, str]) -> Iterator[str]:
    """The file's lines as text, split as the csv module wants them (newline=""), each
    decoded on its own: a line that does not decode, or holds a NUL (which PostgreSQL
    cannot store), is noted in ``problems`` and read with replacement characters."""
    # latin-1 maps every byte to one character, so it only splits the lines.
    splitter = io.TextIOWrapper(raw, encoding="latin-1", newline="")
    try:
        for number, text in enumerate(splitter, start=1):
            data = text.encode("latin-1")
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                problems[number] = _(
                    "نویسه‌های این ردیف خوانا نیست؛ فایل را با کدگذاری UTF-8 ذخیره کنید."
                )
                text = data.decode(encoding, "replace")
            if "\x00" in text:
                problems[number] = _("این ردیف نویسهٔ تهی دارد که پذیرفتنی نیست.")
                text = text.replace("\x00", "")
            yield text
    finally:
        if not raw.closed:  # the caller's file stays open (the wrapper would close it)
            splitter.detach()


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
    """Checks the file, then reads the header and the first rows into the job (for the
    mapping screen and its preview), counts the rows and guesses the mapping from the
    headers. Runs in the worker: the web process never reads an uploaded file."""
    with local_copy(job.file) as path:
        check_file(path)
        _describe(job, path)


def _describe(job: ImportJob, path: Path) -> None:
    rows = read_rows(path)
    header = next(rows, None)
    if header is None or header.error or _is_blank(header.cells):
        raise UnreadableFile(_("سطر اول فایل باید عنوان ستون‌ها باشد؛ فایل خالی است."))
    samples, total = [], 0
    for row in rows:
        if row.error or not _is_blank(row.cells):
            total += 1
            if len(samples) < PREVIEW_ROWS:
                samples.append({"line": row.line, "cells": row.cells, "error": row.error})
    if not total:
        raise UnreadableFile(_("فایل جز سطر عنوان‌ها ردیفی ندارد."))
    job.headers, job.samples, job.total_rows = header.cells, samples, total
    job.mapping = guess_mapping(importers[job.target].fields(), header.cells)


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


def map_row(job: ImportJob, cells: list[str]) -> dict:
    """{field key: cell} for one row, by the job's mapping."""
    return {
        key: cells[int(index)] if int(index) < len(cells) else ""
        for index, key in job.mapping.items()
        if key
    }


def mapped_rows(job: ImportJob) -> Iterator[Row]:
    """The file's rows after the header, blank ones left out."""
    with local_copy(job.file) as path:
        rows = read_rows(path)
        next(rows, None)
        for row in rows:
            if row.error or not _is_blank(row.cells):
                yield row


def check_rows(importer: "Importer", state, job: ImportJob, rows: list[Row], write: bool):
    """The importer's verdict on a batch; rows that could not be read are errors of
    their own, without reaching the importer."""
    readable = [(row.line, map_row(job, row.cells)) for row in rows if not row.error]
    result = importer.process(state, job, readable, write)
    result.errors.extend((row.line, row.error) for row in rows if row.error)
    return result


# Running ------------------------------------------------------------------------------


def _batches(job: ImportJob):
    rows = mapped_rows(job)
    while batch := list(islice(rows, BATCH_SIZE)):
        yield batch


def _record_issues(job: ImportJob, batch: list[Row], result: BatchResult) -> None:
    raw = {row.line: row.cells for row in batch}
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
    except Exception:
        _fail_unexpectedly(job)
        raise
    finally:
        job.finished_at = timezone.now()
        job.save()


def _fail_unexpectedly(job: ImportJob) -> None:
    """A fault of ours: the job says so in Persian instead of staying "running" forever,
    and the error is logged (and the task marked failed) for us to fix."""
    logger.exception("import %s failed", job.pk)
    job.status = ImportJob.Status.FAILED
    job.failure = _("ورود فایل با خطای پیش‌بینی‌نشده‌ای متوقف شد؛ به پشتیبانی خبر دهید.")


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
            _record_issues(job, batch, check_rows(self.importer, state, job, batch, False))
            job.processed_rows = min(job.total_rows // 2, job.processed_rows + len(batch) // 2)
            job.save(update_fields=self.PROGRESS)

    def write_all(self, *, atomic_batches: bool) -> None:
        job, state = self.job, self.importer.start(self.job)
        first = job.processed_rows
        for batch in _batches(job):
            with transaction.atomic() if atomic_batches else nullcontext():
                result = check_rows(self.importer, state, job, batch, True)
                _record_issues(job, batch, result)
                job.created_count += result.created
                job.updated_count += result.updated
                self.rows_read += len(batch)
                job.processed_rows = min(job.total_rows, first + self.rows_read)
                job.save(update_fields=self.PROGRESS)


def read_upload(job: ImportJob) -> None:
    """Describes the uploaded file (in the worker) and leaves the job waiting for its
    mapping, or failed with the Persian reason."""
    try:
        describe_file(job)
    except UnreadableFile as error:
        job.status, job.failure = ImportJob.Status.FAILED, str(error)
        job.finished_at = timezone.now()
    except Exception:
        _fail_unexpectedly(job)
        job.finished_at = timezone.now()
        job.save()
        raise
    else:
        job.status = ImportJob.Status.MAPPING
    job.save()


@task()
def read_import_file(job_id: int) -> None:
    """The background task that reads an upload: ``manage.py worker`` runs it."""
    # Claimed with one UPDATE, like import_file: a second delivery finds nothing to do.
    uploaded = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.UPLOADED)
    claimed = uploaded.update(status=ImportJob.Status.READING)
    if claimed:
        read_upload(ImportJob.objects.get(pk=job_id))


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


@workers.on_interrupted(read_import_file)
def read_again(job_id: int) -> None:
    """The worker died while reading the upload: another one reads it again."""
    workers.run_again(
        read_import_file,
        job_id,
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.READING),
        back_to=ImportJob.Status.UPLOADED,
        failure=_(
            "خواندن این فایل دو بار نیمه‌کاره ماند؛ فایل را بازبینی کنید یا به پشتیبانی خبر دهید."
        ),
    )


@workers.on_interrupted(import_file)
def import_interrupted(job_id: int) -> None:
    """The worker died during the import. Rows are written batch by batch, so running it
    again could write a batch twice: the job stops, saying how far it got (the counts
    were saved with each batch, so they are what is in the database)."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.RUNNING).first()
    if job is None:
        return
    job.status = ImportJob.Status.FAILED
    job.finished_at = timezone.now()
    job.failure = to_persian_digits(
        _(
            "ورود در میانه کار متوقف شد (کارگزار پس‌زمینه از کار افتاد): %(processed)s ردیف "
            "از %(total)s بررسی شد؛ %(created)s پرونده ساخته و %(updated)s پرونده به‌روز شد. "
            "ردیف‌های بعدی را دوباره وارد کنید."
        )
        % {
            "processed": job.processed_rows,
            "total": job.total_rows,
            "created": job.created_count,
            "updated": job.updated_count,
        }
    )
    job.save(update_fields=["status", "finished_at", "failure"])


def queue_reading(job: ImportJob) -> None:
    """The upload is stored; the worker reads it (the web process never does: a hostile
    file costs a worker a bounded effort, not a web process its memory)."""
    job.status = ImportJob.Status.UPLOADED
    job.save()
    transaction.on_commit(lambda: read_import_file.enqueue(job.pk))


def queue_import(job: ImportJob) -> None:
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["status", "mapping", "duplicates", "all_or_nothing"])
    transaction.on_commit(lambda: import_file.enqueue(job.pk))
