from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peyvand.core.backup import BadBackup, read_manifest, restore


class Command(BaseCommand):
    help = "بازگردانی یک پشتیبان: همه ردیف‌ها و فایل‌های کنونی جای خود را به پشتیبان می‌دهند"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask: everything here is replaced"
        )

    def handle(self, *args, path, yes=False, **options):
        archive = Path(path)
        try:
            manifest = read_manifest(archive)
        except BadBackup as error:
            raise CommandError(str(error)) from error
        if not yes:
            answer = input(
                f"همه داده‌ها و فایل‌های این نصب با پشتیبان {manifest['created_at']} جایگزین"
                " می‌شوند. ادامه می‌دهید؟ (yes/no) "
            )
            if answer.strip().lower() not in ("yes", "y", "بله"):
                raise CommandError("بازگردانی انجام نشد.")
        try:
            restore(archive)
        except BadBackup as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(f"بازگردانی شد: {rows:,} ردیف و {manifest['files']:,} فایل.")
        )
