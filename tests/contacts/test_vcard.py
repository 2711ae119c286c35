"""vCard: the contact list exported as phone contacts, and a phone's export imported."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from peyvand.contacts.models import Contact
from peyvand.core.models import ImportJob
from peyvand.core.vcard import read_cards
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

# As an Android phone exports: vCard 2.1, quoted-printable Persian, a folded line.
ANDROID = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D8=B1=D8=B6=D8=A7=DB=8C=DB=8C;=D9=85=D8=AD=D9=85=D8=AF;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D9=85=D8=AD=D9=85=D8=AF =D8=B1=D8=B6=D8=A7=\r\n"
    "=DB=8C=DB=8C\r\n"
    "TEL;CELL:0912 345 6789\r\nTEL;WORK:021-88776655\r\nEMAIL;HOME:m.rezaei@example.ir\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:شرکت نمونه\\, شعبه ۲\r\nORG:نمونه\r\n"
    "TEL;TYPE=CELL:+98 935 111 2233\r\nNOTE:خط اول\\nخط دوم\r\nEND:VCARD\r\n"
)


def test_cards_from_a_phone_are_read_with_their_persian_names_and_numbers():
    cards = list(read_cards(ANDROID.splitlines(keepends=True)))
    assert [card.name for card in cards] == ["محمد رضایی", "شرکت نمونه, شعبه ۲"]
    assert cards[0].mobiles == ["0912 345 6789"] and cards[0].phones == ["021-88776655"]
    assert cards[1].note == "خط اول\nخط دوم" and cards[1].company == "نمونه"


@pytest.mark.django_db(transaction=True)
def test_a_phones_vcard_file_imports_through_the_usual_import(client, personas):
    client.force_login(personas.owner)
    upload = SimpleUploadedFile("contacts.vcf", ANDROID.encode())
    client.post(
        reverse("core:import_start", args=["contacts.contact"]),
        {"file": upload, "duplicates": "skip"},
    )
    call_command("worker", batch=True, beat_interval=0, no_startup_delay=True, verbosity=0)
    job = ImportJob.objects.get()
    assert job.total_rows == 2 and job.mapping["0"] == "name" and job.mapping["1"] == "mobile"
    data = {f"col_{index}": key for index, key in job.mapping.items()}
    client.post(
        reverse("core:import_detail", args=[job.pk]),
        data | {"duplicates": "skip", "action": "start"},
    )
    call_command("worker", batch=True, beat_interval=0, no_startup_delay=True, verbosity=0)
    job.refresh_from_db()
    assert job.created_count == 2, list(job.issues.values_list("message", flat=True))
    person = Contact.objects.get(name="محمد رضایی")
    assert person.mobile == "+989123456789" and person.email == "m.rezaei@example.ir"
    assert sorted(person.phones.values_list("number", flat=True)) == [
        "+982188776655",
        "+989123456789",
    ]


def test_the_filtered_list_exports_as_vcards_with_only_visible_contacts(client, personas):
    ContactFactory(owner=personas.owner, name="ژینا، نماینده", phones=["+989121234567"])
    ContactFactory(owner=personas.outsider, name="پنهان")
    client.force_login(personas.owner)
    response = client.get(reverse("contacts:export", args=["vcf"]))
    text = b"".join(response.streaming_content).decode()
    assert response["Content-Type"].startswith("text/vcard")
    cards = list(read_cards(text.splitlines(keepends=True)))
    assert [card.name for card in cards] == ["ژینا، نماینده"]
    assert cards[0].mobiles == ["+989121234567"]
