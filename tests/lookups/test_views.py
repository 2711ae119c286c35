import pytest
from django.urls import reverse

from peyvand.lookups.models import AcquaintanceSource, Channel, FollowUpResult, Urgency
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_the_lists_are_seeded_with_persian_defaults():
    assert list(FollowUpResult.objects.values_list("name", flat=True)) == [
        "تماس اولیه",
        "پیگیری",
        "ارسال پیش فاکتور",
        "ارسال فایل و کاتالوگ",
        "ارسال لیست مشتریان",
        "ارسال فاکتور",
    ]
    assert Urgency.objects.get(name="عادی").deadline_days == 1
    assert Urgency.objects.get(name="فوری").deadline_days == 0


def test_a_manager_adds_a_result_with_its_priority(client, personas):
    client.force_login(personas.manager)
    client.post(
        reverse("lookups:list", args=["results"]),
        {"name": "جلسه حضوری", "priority": "1", "order": "0", "is_active": "on"},
    )
    assert FollowUpResult.objects.get(name="جلسه حضوری").priority == 1


def test_a_manager_deactivates_an_item(client, personas):
    source = AcquaintanceSource.objects.get(name="نمایشگاه")
    client.force_login(personas.manager)
    client.post(
        reverse("lookups:edit", args=["sources", source.pk]), {"name": "نمایشگاه", "order": "3"}
    )
    source.refresh_from_db()
    assert not source.is_active
    assert source not in AcquaintanceSource.objects.active()


def test_an_unused_item_can_be_deleted(client, personas):
    source = AcquaintanceSource.objects.create(name="بیلبورد")
    client.force_login(personas.manager)
    client.post(reverse("lookups:delete", args=["sources", source.pk]))
    assert not AcquaintanceSource.objects.filter(pk=source.pk).exists()


def test_an_item_in_use_cannot_be_deleted_and_the_manager_is_told_why(client, personas):
    source = AcquaintanceSource.objects.get(name="وب‌سایت")
    ContactFactory(owner=personas.owner, source=source)
    client.force_login(personas.manager)
    response = client.post(reverse("lookups:delete", args=["sources", source.pk]), follow=True)
    assert AcquaintanceSource.objects.filter(pk=source.pk).exists()
    assert "غیرفعالش کنید" in response.content.decode()


def test_a_duplicate_name_is_refused(client, personas):
    client.force_login(personas.manager)
    response = client.post(
        reverse("lookups:list", args=["channels"]),
        {"name": "تلفن", "order": "0", "is_active": "on"},
    )
    assert response.status_code == 200
    assert Channel.objects.filter(name="تلفن").count() == 1


def test_an_unknown_list_is_404(client, personas):
    client.force_login(personas.manager)
    assert client.get(reverse("lookups:list", args=["nope"])).status_code == 404
