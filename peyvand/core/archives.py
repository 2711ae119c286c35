"""Zip archives that users upload (an .xlsx or .ods is a zip), checked before any reader
unpacks them: a 1 MB zip can hold gigabytes ("zip bomb"), and the readers (python-calamine
among them) trust the archive.

The check reads the archive's directory (its size bounded first), refuses a declared
unpacked size or compression ratio beyond the limits, then inflates every entry once, in
chunks, counting the bytes that really come out: declared sizes can lie, and a stream
that yields more than its entry declares is refused as soon as it does. Memory stays at
one chunk whatever the archive holds."""

import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext as _

from peyvand.core.text import to_persian_digits

MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # a 100,000-row, 20-column sheet unpacks to ~90 MB
MAX_RATIO = 100  # Apache POI's limit; real sheets stay under 20
RATIO_GRACE_BYTES = 1024 * 1024  # a small entry cannot hurt, whatever its ratio
MAX_DIRECTORY_BYTES = 1024 * 1024  # some 10,000 entries; a workbook has a few dozen
CHUNK = 64 * 1024

_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
_LOCAL_HEADER = b"PK\x03\x04"

Sink = Callable[[bytes], None]


class ArchiveTooLarge(Exception):
    """The archive unpacks to more than the limits allow; the message is Persian."""

    def __init__(self):
        super().__init__(
            _(
                "پرونده بیش از حد بزرگ است: باز شدهٔ آن از %(limit)s مگابایت بیشتر می‌شود."
                " آن را به چند فایل کوچک‌تر بشکنید."
            )
            % {"limit": to_persian_digits(str(MAX_UNPACKED_BYTES // (1024 * 1024)))}
        )


def check_zip(path: Path, *, sink_for: Callable[[str], Sink | None] = lambda name: None) -> None:
    """Raises ArchiveTooLarge for an archive beyond the limits and zipfile.BadZipFile for
    one that is damaged or that the readers could not inflate. ``sink_for(name)`` may
    return a function that sees the entry's bytes as they are inflated, to look inside
    without a second pass."""
    _check_directory_size(path)
    with zipfile.ZipFile(path) as archive, path.open("rb") as raw:
        entries = archive.infolist()
        if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
            raise ArchiveTooLarge
        for entry in entries:
            ratio_limit = MAX_RATIO * max(entry.compress_size, 1)
            if entry.file_size > RATIO_GRACE_BYTES and entry.file_size > ratio_limit:
                raise ArchiveTooLarge
        unpacked = 0
        for entry in entries:
            budget = min(entry.file_size, MAX_UNPACKED_BYTES - unpacked)
            unpacked += _inflate(raw, entry, budget, sink_for(entry.filename))


def _check_directory_size(path: Path) -> None:
    """zipfile reads the whole central directory into memory (a 17 MB archive of empty
    entries costs 110 MB and 5 s): its size, from the end record, comes first."""
    with path.open("rb") as raw:
        size = raw.seek(0, 2)
        tail_size = min(size, 22 + 0xFFFF + 20)  # end record, longest comment, zip64 locator
        raw.seek(size - tail_size)
        tail = raw.read(tail_size)
        at = tail.rfind(_END)
        if at < 0 or len(tail) < at + 22:
            raise zipfile.BadZipFile("no end of central directory")
        (directory_size,) = struct.unpack("<L", tail[at + 12 : at + 16])
        # zipfile prefers a zip64 end record when its locator sits just before this one.
        if at >= 20 and tail[at - 20 : at - 16] == _END64_LOCATOR:
            (offset,) = struct.unpack("<Q", tail[at - 12 : at - 4])
            raw.seek(offset)
            record = raw.read(56)
            if len(record) < 56 or record[:4] != _END64:
                raise zipfile.BadZipFile("damaged zip64 end record")
            (directory_size,) = struct.unpack("<Q", record[40:48])
    if directory_size > MAX_DIRECTORY_BYTES:
        raise ArchiveTooLarge


def _inflate(raw, entry: zipfile.ZipInfo, budget: int, sink: Sink | None) -> int:
    """Inflates one entry from its own bytes (not through zipfile, which stops at the
    declared size and so cannot tell a lying one); returns the bytes that came out."""
    raw.seek(entry.header_offset)
    header = raw.read(30)
    if len(header) < 30 or header[:4] != _LOCAL_HEADER:
        raise zipfile.BadZipFile(f"no local header for {entry.filename}")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    raw.seek(entry.header_offset + 30 + name_length + extra_length)
    if entry.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    elif entry.compress_type == zipfile.ZIP_STORED:
        inflater = None
    else:  # Office and LibreOffice write only these two
        raise zipfile.BadZipFile(f"compression {entry.compress_type} in {entry.filename}")
    produced, left = 0, entry.compress_size
    try:
        while left and not (inflater and inflater.eof):
            pending = raw.read(min(CHUNK, left))
            if not pending:
                raise zipfile.BadZipFile(f"{entry.filename} is cut short")
            left -= len(pending)
            while pending:
                if inflater is None:
                    data, pending = pending, b""
                else:
                    data = inflater.decompress(pending, CHUNK)
                    pending = inflater.unconsumed_tail
                produced += len(data)
                if produced > budget:
                    raise ArchiveTooLarge
                if sink and data:
                    sink(data)
                if inflater and inflater.eof:
                    break
        if inflater:
            data = inflater.flush()  # at most a few bytes zlib still holds
            produced += len(data)
            if produced > budget:
                raise ArchiveTooLarge
            if sink and data:
                sink(data)
    except zlib.error as error:
        raise zipfile.BadZipFile(f"{entry.filename}: {error}") from error
    if produced != entry.file_size:
        raise zipfile.BadZipFile(f"{entry.filename} is not the size it declares")
    return produced
