"""Import speed and memory: a 100,000-row xlsx of new contacts (name, mobile, national ID,
email, province, a custom choice field) imported the way the worker does it, into the
database of bench/contacts_scale.py (so every duplicate check runs against its rows).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench \\
        .venv/bin/python bench/contacts_import.py --rows 100000

Prints the seconds to describe the file (header, samples, row count) and to import it,
rows per second, and the process's peak memory. The imported rows are deleted afterwards
(with their phones and history), so the benchmark can be run again.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")

import django

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402

from peyvand.accounts.models import User  # noqa: E402
from peyvand.contacts.models import Contact  # noqa: E402
from peyvand.core.imports import describe_file, run_import  # noqa: E402
from peyvand.core.models import ChangeRecord, ImportJob  # noqa: E402
from peyvand.core.xlsx import SheetWriter  # noqa: E402
from peyvand.demo import data  # noqa: E402

PROVINCES = ["تهران", "اصفهان", "فارس", "خراسان رضوی", "آذربایجان شرقی", "گیلان"]


def national_id(seed: int) -> str:
    body = f"{seed:09d}"
    total = sum(int(d) * (10 - i) for i, d in enumerate(body)) % 11
    return body + str(total if total < 2 else 11 - total)


def write_file(path: Path, rows: int) -> None:
    headers = ["نام", "تلفن همراه", "کد ملی", "ایمیل", "استان", "طرح"]
    with path.open("wb") as output, SheetWriter(output, title="مخاطبین", headers=headers) as sheet:
        for number in range(rows):
            first = data.FIRST_NAMES[number % len(data.FIRST_NAMES)]
            last = data.LAST_NAMES[number // 7 % len(data.LAST_NAMES)]
            sheet.write_row(
                [
                    f"{first} {last}",
                    f"0990{number:07d}",
                    national_id(800_000_000 + number),
                    f"c{number}@example.ir",
                    PROVINCES[number % len(PROVINCES)],
                    ["طلایی", "نقره‌ای", "برنزی"][number % 3],
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    user = User.objects.get(username="bench-rep0")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contacts.xlsx"
        started = time.perf_counter()
        write_file(path, args.rows)
        print(f"wrote {args.rows:,} rows to xlsx in {time.perf_counter() - started:.1f} s")
        job = ImportJob(user=user, target="contacts.contact", original_name=path.name)
        with path.open("rb") as handle:
            job.file.save(path.name, File(handle), save=False)
        started = time.perf_counter()
        describe_file(job)
        job.status = ImportJob.Status.QUEUED
        job.save()
        described = time.perf_counter() - started
        started = time.perf_counter()
        run_import(job)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"described in {described:.1f} s; imported {job.created_count:,} contacts "
        f"({job.error_count} errors, {job.skipped_count} skipped) in {seconds:.1f} s "
        f"= {job.created_count / seconds:,.0f} rows/s; peak memory {peak:.0f} MB"
    )
    imported = Contact.all_objects.filter(mobile__startswith="+98990")
    ids = list(imported.values_list("pk", flat=True))
    ChangeRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), object_id__in=ids
    ).delete()
    imported.delete()
    job.file.delete(save=False)
    job.delete()


if __name__ == "__main__":
    main()
