import pytest
from django.core.management import call_command
from django.urls import reverse

from peyvand.accounts.models import User
from peyvand.contacts.models import Contact
from peyvand.core.models import ChangeRecord
from peyvand.messaging.models import Message
from peyvand.portal.selectors import login_contacts
from peyvand.sales.models import Invoice

pytestmark = pytest.mark.django_db


def test_the_demo_loads_three_roles_and_realistic_persian_contacts():
    call_command("seed_demo", stdout=None)
    manager, sales, support = (
        User.objects.get(username=name) for name in ("manager", "sales", "support")
    )
    assert manager.has_perm("accounts.see_all") and not sales.has_perm("accounts.see_all")
    assert support.has_perm("contacts.add_contact") and not support.has_perm("accounts.see_all")
    assert manager.check_password("peyvand-demo")
    assert Contact.all_objects.count() == 80
    assert Contact.objects.filter(region__isnull=False).count() == Contact.objects.count()
    # sales sees its team's contacts, not support's
    visible_to_sales = set(
        Contact.objects.visible_to(sales).values_list("owner__username", flat=True)
    )
    assert visible_to_sales == {"sales", "sales2"}


def test_running_the_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=None)
    before = (User.objects.count(), Contact.all_objects.count(), ChangeRecord.objects.count())
    call_command("seed_demo", stdout=None)
    assert (
        User.objects.count(),
        Contact.all_objects.count(),
        ChangeRecord.objects.count(),
    ) == before


def test_the_demo_customer_can_use_the_portal(client):
    call_command("seed_demo", stdout=None)
    [customer] = login_contacts("+989121234567")
    assert Invoice.objects.filter(contact=customer).exists() and customer.requests.exists()
    client.post(reverse("portal:login"), {"mobile": "09121234567"})
    assert Message.objects.filter(to="+989121234567", body__contains="پرتال").exists()


def test_the_demo_sends_its_invoices_to_the_fake_moadian_with_the_company_identity():
    from peyvand.core.models import SiteSettings
    from peyvand.sales.documents import missing_buyer_fields
    from peyvand.tax.client import get_moadian_client
    from peyvand.tax.models import MoadianSettings, TaxSubmission

    call_command("seed_demo", stdout=None)
    company = SiteSettings.load()
    assert company.economic_code and company.postal_code and company.address
    row = MoadianSettings.load()
    assert row.enabled and row.configured and row.base_url.startswith("http://127.0.0.1:")
    get_moadian_client().close()  # the key and the certificate make a valid pair
    # Every issued invoice is queued for the worker, with its tax ID.
    queued = TaxSubmission.objects.filter(status=TaxSubmission.Status.QUEUED)
    assert set(queued.values_list("invoice", flat=True)) == set(
        Invoice.objects.values_list("pk", flat=True)
    )
    legal = Contact.objects.filter(kind=Contact.Kind.ORGANIZATION).first()
    assert missing_buyer_fields(legal) == []
