"""Export speed and memory: the sales rep of bench/contacts_scale.py sees exactly the
contacts of a two-person team (100,000 rows when that script filled 1,000,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/peyvand_bench \\
        .venv/bin/python bench/contacts_export.py

Prints, per format, the rows, the seconds to produce and read the whole response, the
file size and the process's peak memory (ru_maxrss), in a fresh process per format.
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def export_once(file_format: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peyvand.settings")
    import django

    django.setup()
    from django.test import Client

    from peyvand.accounts.models import User
    from peyvand.contacts.models import Contact

    rep = User.objects.get(username="bench-rep0")
    rows = Contact.objects.visible_to(rep).count()
    client = Client()
    client.force_login(rep)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = client.get(f"/contacts/export.{file_format}")
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{file_format:>4}: {rows:,} rows in {seconds:5.1f} s, {size / 1e6:5.1f} MB file, "
        f"peak memory {peak:5.0f} MB (before the export {before:4.0f} MB)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        export_once(sys.argv[1])
    else:
        for file_format in ("xlsx", "csv"):
            subprocess.run([sys.executable, __file__, file_format], check=True)  # noqa: S603
