"""Backups of an installation: every row of the database (as Django serialises it, in
core.exact_json's format, so one archive restores exactly into SQLite or PostgreSQL
alike) and every uploaded file, in one .tar.gz; and their restore, which replaces both.
``manage.py backup`` / ``restore``.

Files are read and written through the storage API (``default_storage``), so the same
archive moves between a local media folder and an S3 bucket (MEDIA_STORAGE)."""

import io
import json
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.core.files.storage import default_storage
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


def stored_files(folder: str = "") -> Iterator[str]:
    """The name of every file in the media storage, folder by folder."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:  # a local media folder not made yet
        return
    for name in sorted(files):
        yield f"{folder}{name}"
    for name in sorted(folders):
        yield from stored_files(f"{folder}{name}/")


def backup(path: Path) -> dict:
    """Writes the archive; returns its manifest (version, time, rows per model, files)."""
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / DATABASE
        # --all: the base managers, so soft-deleted rows (the trash) are kept too;
        # exact-json: timestamps to the microsecond (Django's json stops at the ms).
        call_command("dumpdata", all=True, format="exact-json", output=str(dump), verbosity=0)
        files = list(stored_files())
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
            for name in files:
                with default_storage.open(name, "rb") as stored:
                    info = tarfile.TarInfo(f"{MEDIA}/{name}")
                    info.size = stored.size
                    info.mtime = int(timezone.now().timestamp())
                    archive.addfile(info, stored)
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


def _media_members(archive: tarfile.TarFile) -> list[tuple[tarfile.TarInfo, str]]:
    """The archive's files and their names in the storage; an archive with a link, or a
    name that climbs out of the media folder, is refused before anything changes."""
    members = []
    for member in archive.getmembers():
        if not member.name.startswith(f"{MEDIA}/"):
            continue
        name = member.name.removeprefix(f"{MEDIA}/")
        parts = name.split("/")
        if not member.isfile() or name.startswith("/") or ".." in parts or "" in parts:
            raise BadBackup(f"فایل پشتیبان پذیرفتنی نیست: «{member.name}».")
        members.append((member, name))
    return members


def restore(path: Path) -> dict:
    """Replaces every row and every uploaded file with the archive's. The database part
    runs in one transaction: a failure leaves the installation as it was."""
    manifest = read_manifest(path)
    with tempfile.TemporaryDirectory() as work, tarfile.open(path, "r:gz") as archive:
        members = _media_members(archive)
        archive.extract(DATABASE, work, filter="data")
        with transaction.atomic():
            # Empty every table, content types included (their ids are the archive's).
            call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
            call_command("loaddata", str(Path(work) / DATABASE), verbosity=0)
        for name in list(stored_files()):
            default_storage.delete(name)
        for member, name in members:
            saved = default_storage.save(name, File(archive.extractfile(member), name=name))
            if saved != name:  # the storage renamed it: the records would miss their file
                raise BadBackup(f"فایل «{name}» با نام خودش بازگردانده نشد ({saved}).")
    return manifest
