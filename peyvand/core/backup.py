"""Backups of an installation: every row of the database (as Django serialises it, so
one archive restores into SQLite or PostgreSQL alike) and every uploaded file, in one
.tar.gz; and their restore, which replaces both. ``manage.py backup`` / ``restore``."""

import io
import json
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

import peyvand

DATABASE = "database.json"
MANIFEST = "manifest.json"
MEDIA = "media"


class BadBackup(Exception):
    """An archive that is not a Peyvand backup (or is damaged); nothing was changed."""


def row_counts() -> dict[str, int]:
    """Rows per model, the trash included: what a restore must reproduce."""
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


def backup(path: Path) -> dict:
    """Writes the archive; returns its manifest (version, time, rows per model, files)."""
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / DATABASE
        # --all: the base managers, so soft-deleted rows (the trash) are kept too.
        call_command("dumpdata", all=True, output=str(dump), verbosity=0)
        files = (
            sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
        )
        manifest = {
            "version": peyvand.__version__,
            "created_at": timezone.now().isoformat(),
            "rows": row_counts(),
            "files": len(files),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(path, "w:gz") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=DATABASE)
            for file in files:
                archive.add(file, arcname=f"{MEDIA}/{file.relative_to(media_root).as_posix()}")
    return manifest


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r:gz") as archive:
            names = set(archive.getnames())
            if MANIFEST not in names or DATABASE not in names:
                raise BadBackup("این فایل پشتیبان پیوند نیست.")
            return json.load(archive.extractfile(MANIFEST))
    except (tarfile.TarError, OSError, json.JSONDecodeError) as error:
        raise BadBackup(f"فایل پشتیبان خوانا نیست: {error}") from error


def restore(path: Path) -> dict:
    """Replaces every row and every uploaded file with the archive's. The database part
    runs in one transaction: a failure leaves the installation as it was."""
    manifest = read_manifest(path)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(work, filter="data")  # no absolute paths, no links out
        with transaction.atomic():
            # Empty every table, content types included (their ids are the archive's).
            call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
            call_command("loaddata", str(Path(work) / DATABASE), verbosity=0)
        if media_root.exists():
            shutil.rmtree(media_root)
        extracted = Path(work) / MEDIA
        if extracted.exists():
            shutil.copytree(extracted, media_root)
        else:
            media_root.mkdir(parents=True, exist_ok=True)
    return manifest
