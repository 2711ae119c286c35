from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from peyvand.core.backup import backup


class Command(BaseCommand):
    help = "پشتیبان کامل: همه ردیف‌های پایگاه داده و همه فایل‌های بارگذاری‌شده در یک فایل tar.gz"

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="where to write it (default var/backups/peyvand-<time>.tar.gz)",
        )

    def handle(self, *args, path=None, **options):
        target = Path(path) if path else (
            Path(settings.BASE_DIR) / "var" / "backups"
            / f"peyvand-{timezone.localtime():%Y%m%d-%H%M%S}.tar.gz"
        )  # fmt: skip
        manifest = backup(target)
        rows = sum(manifest["rows"].values())
        files, version = manifest["files"], manifest["version"]
        message = f"پشتیبان در {target}: {rows:,} ردیف و {files:,} فایل (نسخه {version})."
        self.stdout.write(self.style.SUCCESS(message))
