"""A follow-up from anywhere (the quick-create menu; «ثبت تماس در پیگیری» on a contact's
page): the lead is picked among the open ones its user may see."""

import pytest
from django.urls import reverse

from peyvand.lookups.models import Channel
from peyvand.sales.models import FollowUp, Lead
from tests.factories import ContactFactory, LeadFactory
from tests.sales.test_leads import log, result

QUICK = reverse("sales:followup_quick")


def entry(lead, **fields) -> dict:
    """The quick form as posted: the entry row's fields and the lead."""
    data = {"lead": lead.pk if lead else "", "result": result("پیگیری").pk}
    data |= {"channel": Channel.objects.get(name="تلفن").pk, "person": "", "description": ""}
    data |= {"next_date": "", "next_time": "", "referred_to": ""}
    return data | fields


@pytest.fixture
def now_field(client, personas):
    """The «at» value the form shows (now, in the user's calendar and digits)."""
    client.force_login(personas.owner)
    page = client.get(QUICK).content.decode()
    start = page.index('name="at"')
    value = page.index('value="', start) + len('value="')
    return page[value : page.index('"', value)]


def test_a_follow_up_from_anywhere_is_logged_on_the_chosen_lead(client, personas, now_field):
    lead = LeadFactory(owner=personas.owner, stage="new")
    response = client.post(
        QUICK, entry(lead, at=now_field, description="قرار جلسه", next_date="+2", next="/tasks/")
    )
    assert response.status_code == 302 and response.url == "/tasks/"
    followup = FollowUp.objects.get()
    assert (followup.lead, followup.owner, followup.description) == (
        lead,
        personas.owner,
        "قرار جلسه",
    )
    lead.refresh_from_db()
    assert lead.stage == "contacted" and lead.next_at == followup.next_at
    # Without «next», the lead's page.
    again = client.post(QUICK, entry(lead, at=now_field))
    assert again.url == lead.get_absolute_url()


def test_only_an_open_lead_the_user_sees_can_be_chosen(client, personas, now_field):
    others = LeadFactory(owner=personas.outsider)
    closed = LeadFactory(owner=personas.owner, status=Lead.Status.WON)
    for lead in (others, closed):
        page = client.post(QUICK, entry(lead, at=now_field, description="نوشته‌ی من"))
        html = page.content.decode()
        assert page.status_code == 200
        assert "این سرنخ باز نیست یا دیدن آن برای شما مجاز نیست" in html
        assert "نوشته‌ی من" in html  # what was typed is kept
        assert others.title not in html
    missing = client.post(QUICK, entry(None, at=now_field)).content.decode()
    assert "این فیلد لازم است" in missing
    assert not FollowUp.objects.exists()


def test_the_lead_picker_suggests_open_leads_the_user_sees(client, personas):
    mine = LeadFactory(owner=personas.owner, title="تابلو برق کارخانه")
    LeadFactory(owner=personas.owner, title="تابلو برق انبار", status=Lead.Status.LOST)
    LeadFactory(owner=personas.outsider, title="تابلو برق شعبه")
    client.force_login(personas.owner)
    answer = client.get(reverse("sales:lead_autocomplete"), {"q": "تابلو برق"}).json()
    assert [row["id"] for row in answer["results"]] == [mine.pk]
    text = answer["results"][0]["text"]
    assert "تابلو برق کارخانه" in text and mine.contact.name in text
    assert not any(digit in text for digit in "0123456789")  # Persian digits in the code


def test_logging_the_call_from_a_contact_offers_its_open_leads_by_telephone(client, personas):
    contact = ContactFactory(owner=personas.owner)
    only = LeadFactory(owner=personas.owner, contact=contact)
    LeadFactory(owner=personas.owner, contact=contact, status=Lead.Status.WON)
    LeadFactory(owner=personas.owner)  # another customer's
    client.force_login(personas.owner)
    page = client.get(QUICK, {"contact": contact.pk, "call": "1"}).content.decode()
    lead_field = page[
        page.index('name="lead"') : page.index("</select>", page.index('name="lead"'))
    ]
    assert f'<option value="{only.pk}" selected>' in lead_field
    assert lead_field.count("<option") == 2  # «کدام سرنخ؟» and the one open lead
    phone = Channel.objects.get(name="تلفن").pk
    channel = page[page.index('name="channel"') :]
    assert f'<option value="{phone}" selected>' in channel[: channel.index("</select>")]
    # The contact's page offers it where the contact has an open lead.
    contact_page = client.get(contact.get_absolute_url()).content.decode()
    assert f"{QUICK}?contact={contact.pk}&amp;call=1" in contact_page
    bare = ContactFactory(owner=personas.owner)
    assert f"{QUICK}?contact={bare.pk}" not in client.get(bare.get_absolute_url()).content.decode()
    none = client.get(QUICK, {"contact": bare.pk}).content.decode()
    assert "این مشتری سرنخ بازی ندارد" in none
    # Another's customer is not named.
    assert (
        client.get(QUICK, {"contact": ContactFactory(owner=personas.outsider).pk}).status_code
        == 404
    )


def test_the_same_follow_up_rules_as_on_the_lead_page(client, personas, now_field):
    lead = LeadFactory(owner=personas.owner)
    refused = client.post(QUICK, entry(lead, at=now_field, next_time="10:00"))
    assert "برای ساعت پیگیری بعدی، تاریخ آن را هم بنویسید." in refused.content.decode()
    assert log(client, lead).status_code == 200  # the lead page's row still logs
    assert FollowUp.objects.count() == 1
