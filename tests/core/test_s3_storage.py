"""Media on an S3-compatible bucket (MEDIA_STORAGE=s3): moto's S3 server on loopback
stands in for ArvanCloud or MinIO, the storage is the one settings.py builds from the
environment, and files go in and out through the real views, the real worker and the
real backup commands — never through a local path."""

import io
import itertools
import runpy
from pathlib import Path

import boto3
import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from moto.server import ThreadedMotoServer

from peyvand.core.models import Attachment, ExportJob, ImportJob
from tests.factories import ContactFactory
from tests.messaging.fixtures import free_port, run_worker

ROOT = Path(__file__).resolve().parents[2]
PDF = b"%PDF-1.4\n%peyvand\n"
buckets = itertools.count(1)


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch, tmp_path):
    """A fresh bucket, and the media storage that settings.py makes of these variables."""
    name = f"peyvand-media-{next(buckets)}"
    environment = {
        "MEDIA_STORAGE": "s3",
        "S3_BUCKET": name,
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_ACCESS_KEY": "peyvand-test",
        "S3_SECRET_KEY": "peyvand-test-secret",
        "S3_REGION": "ir-thr-at1",
        "S3_ADDRESSING_STYLE": "path",
    }
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    built = runpy.run_path(str(ROOT / "peyvand" / "settings.py"))
    settings.STORAGES = {**settings.STORAGES, "default": built["STORAGES"]["default"]}
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="ir-thr-at1",
        aws_access_key_id="peyvand-test",
        aws_secret_access_key="peyvand-test-secret",
    )
    client.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ir-thr-at1"}
    )
    client.bucket = name
    yield client
    assert not (tmp_path / "media").exists()  # nothing ever touched the local media folder


def keys(bucket) -> set[str]:
    listing = bucket.list_objects_v2(Bucket=bucket.bucket)
    return {entry["Key"] for entry in listing.get("Contents", [])}


def stored_bytes(bucket, key: str) -> bytes:
    return bucket.get_object(Bucket=bucket.bucket, Key=key)["Body"].read()


@pytest.mark.django_db
def test_attachments_go_to_the_bucket_and_come_back_only_through_the_view(
    client, personas, contact, bucket
):
    client.force_login(personas.owner)
    url = reverse("core:attachment_upload", args=["contacts.contact", contact.pk])
    for content in (PDF, PDF + b"%second\n"):  # the same name twice: two objects
        client.post(url, {"file": SimpleUploadedFile("قرارداد.pdf", content)})
    first, second = Attachment.objects.order_by("pk")
    assert keys(bucket) == {first.file.name, second.file.name}
    assert first.file.name != second.file.name
    assert stored_bytes(bucket, first.file.name) == PDF
    # Private objects: the bucket owner's grant alone, nobody else's.
    grants = bucket.get_object_acl(Bucket=bucket.bucket, Key=first.file.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert "URI" not in grants[0]["Grantee"]  # not AllUsers / AuthenticatedUsers

    teammate = Client()
    teammate.force_login(personas.teammate)
    download = teammate.get(reverse("core:attachment", args=[second.pk]))
    assert b"".join(download.streaming_content) == PDF + b"%second\n"
    assert download["Content-Type"] == "application/pdf"
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.get(reverse("core:attachment", args=[first.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_an_import_file_is_read_from_the_bucket(client, personas, bucket):
    client.force_login(personas.owner)
    csv = "نام,تلفن همراه\nمریم احمدی,09121234567\nرضا کریمی,09351234567\n"
    response = client.post(
        reverse("core:import_start", args=["contacts.contact"]),
        {"file": SimpleUploadedFile("list.csv", csv.encode()), "duplicates": "skip"},
    )
    assert response.status_code == 302
    run_worker()
    job = ImportJob.objects.get()
    assert job.file.name in keys(bucket)
    assert job.headers == ["نام", "تلفن همراه"] and job.total_rows == 2
    assert job.samples[0] == {"line": 2, "cells": ["مریم احمدی", "09121234567"], "error": ""}


@pytest.mark.django_db(transaction=True)
def test_a_background_export_lands_in_the_bucket_and_is_served_from_it(client, personas, bucket):
    ContactFactory(owner=personas.owner, name="فروشگاه آریا")
    client.force_login(personas.owner)
    client.post(reverse("core:export_start", args=["contacts"]), {"params": ""})
    run_worker()
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.DONE
    assert keys(bucket) == {job.file.name}
    download = client.get(reverse("core:export_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert content == stored_bytes(bucket, job.file.name)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["فروشگاه آریا"]
    client.force_login(personas.teammate)  # the file is its owner's alone
    assert client.get(reverse("core:export_download", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_the_files_in_the_bucket(personas, contact, bucket, tmp_path):
    attachment = Attachment.objects.create(
        record=contact,
        file=ContentFile(PDF, name="قرارداد.pdf"),
        original_name="قرارداد.pdf",
        mime_type="application/pdf",
        size=len(PDF),
        uploaded_by=personas.owner,
    )
    name = attachment.file.name
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive))

    # The file lost, a stray one added: the restore puts the bucket back as it was.
    bucket.delete_object(Bucket=bucket.bucket, Key=name)
    bucket.put_object(Bucket=bucket.bucket, Key="attachments/stray.txt", Body=b"x")
    call_command("restore", str(archive), yes=True)
    assert keys(bucket) == {name}
    assert stored_bytes(bucket, name) == PDF
    assert Attachment.objects.get().file.name == name
