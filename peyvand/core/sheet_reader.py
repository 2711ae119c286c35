"""Reads a spreadsheet's first sheet in a process of its own, with a memory ceiling.

python-calamine (Rust) holds a sheet as a dense rectangle and trusts the counts a file
declares (a shared-strings table of 4,000,000,000,000 entries, a sheet part the zip
checks do not know): a 1 KB hostile workbook can make it allocate hundreds of gigabytes,
and Rust aborts the whole process when an allocation fails — no exception to catch. So
the worker never reads a workbook itself: this module runs as
``python -m peyvand.core.sheet_reader <path> <megabytes>``, sets its own address-space
limit before loading calamine, and writes the rows to standard output as JSON lines
(the first line ``{"first_line": n}``). An abort, a refused allocation or an unreadable
file is a non-zero exit the worker turns into a Persian error. No Django here: the
child imports only calamine."""

import datetime
import json
import resource
import sys

EXIT_UNREADABLE = 3  # calamine could not read the file
EXIT_TOO_LARGE = 4  # the memory ceiling was reached (a MemoryError Python saw)


def cell_text(value) -> str:
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


def main(path: str, megabytes: int) -> int:
    ceiling = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))
    from python_calamine import CalamineError, CalamineWorkbook, XmlError, ZipError

    out = sys.stdout
    try:
        sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
        first_line = sheet.start[0] + 1 if sheet.start else 1
        out.write(json.dumps({"first_line": first_line}) + "\n")
        for row in sheet.iter_rows():
            out.write(json.dumps([cell_text(value) for value in row], ensure_ascii=False) + "\n")
    except MemoryError:
        return EXIT_TOO_LARGE
    except (CalamineError, ZipError, XmlError, OSError, ValueError):
        return EXIT_UNREADABLE
    except BrokenPipeError:  # the reader took what it needed (a preview) and left
        return 0
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
