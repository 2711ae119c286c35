"""A large contact export in the background: the list's filters saved on a job, the
sheet written by the real worker with its progress, downloaded by its owner alone."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from peyvand.core.models import ExportJob
from peyvand.customfields.models import CustomField
from tests.factories import ContactFactory, UserFactory
from tests.messaging.fixtures import run_worker

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_filtered_list_exports_in_the_background_with_progress(client, personas):
    for number in range(5):
        ContactFactory(owner=personas.owner, name=f"کریمی {number}")
    ContactFactory(owner=personas.owner, name="احمدی")
    ContactFactory(owner=personas.outsider, name="کریمی دیگران")  # not the owner's to see
    client.force_login(personas.owner)
    started = client.post(reverse("core:export_start", args=["contacts"]), {"params": "q=کریمی"})
    job = ExportJob.objects.get()
    assert started.url == job.get_absolute_url()
    waiting = client.get(job.get_absolute_url()).content.decode()
    assert "در صف" in waiting and 'hx-trigger="every 1s"' in waiting
    run_worker()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.total_rows == job.processed_rows == 5
    page = client.get(job.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in page and reverse("core:export_download", args=[job.pk]) in page
    download = client.get(reverse("core:export_download", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.sheet_view.rightToLeft
    names = sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == [f"کریمی {number}" for number in range(5)]
    # The file is its owner's alone.
    client.force_login(personas.teammate)
    assert client.get(reverse("core:export_download", args=[job.pk])).status_code == 404
    support = UserFactory(role="کارشناس پشتیبانی")
    client.force_login(support)
    refused = client.post(reverse("core:export_start", args=["contacts"]), {"params": ""})
    assert refused.status_code == 403
    assert client.post(reverse("core:export_start", args=["nothing"])).status_code == 404


@pytest.mark.parametrize("digits", ["latin", "fa"])
def test_the_background_sheet_reads_in_the_askers_digits_and_calendar(client, personas, digits):
    """The worker has no request: the sheet's title, headers and dates follow the
    preferences of whoever asked, as the same list downloaded at once does."""
    CustomField.objects.create(target="contacts.contact", label="پرونده 2", kind="text")
    ContactFactory(owner=personas.owner, name="کریمی", created_at=timezone.now())
    personas.owner.digits = digits
    personas.owner.calendar = "gregorian"
    personas.owner.save(update_fields=["digits", "calendar"])
    client.force_login(personas.owner)
    at_once = client.get(reverse("core:list_export", args=["contacts", "xlsx"]))
    direct = openpyxl.load_workbook(io.BytesIO(b"".join(at_once.streaming_content))).active
    client.post(reverse("core:export_start", args=["contacts"]), {"params": ""})
    run_worker()
    job = ExportJob.objects.get()
    download = client.get(reverse("core:export_download", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    headers = next(sheet.iter_rows(max_row=1, values_only=True))
    assert ("پرونده 2" if digits == "latin" else "پرونده ۲") in headers
    assert headers == next(direct.iter_rows(max_row=1, values_only=True))
    assert sheet.title == direct.title
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == list(
        direct.iter_rows(min_row=2, values_only=True)
    )
    registered = headers.index("تاریخ ثبت")
    assert sheet.cell(2, registered + 1).value == f"{timezone.localdate():%Y/%m/%d}"
