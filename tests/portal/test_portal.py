"""The customer portal: staff grant access per contact; a customer signs in with their
mobile and a code texted through the outbox (over HTTP to the fake Kavenegar), and sees
their own records only."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peyvand.accounts.roles import SUPPORT
from peyvand.core.models import ChangeRecord
from peyvand.core.text import to_persian_digits as fa
from peyvand.finance import payments
from peyvand.lookups.models import Urgency
from peyvand.messaging.models import Message, MessagingSettings
from peyvand.messaging.outbox import due_messages
from peyvand.portal import services
from peyvand.portal.models import PortalAccess, PortalCode
from peyvand.portal.views import SEND_LIMIT
from peyvand.sales.models import Quote, QuoteLine
from peyvand.sales.services import quote_save, quote_set_status, quote_to_invoice
from peyvand.sales.terms import InstalmentPlan
from peyvand.service.models import Complaint, Request, ServiceSettings
from peyvand.service.services import complaint_register, request_register
from peyvand.surveys.models import Question, Questionnaire, SurveyResponse
from tests.factories import ContactFactory, UserFactory
from tests.finance.money import issue_invoice, receive
from tests.messaging.fixtures import run_worker

MOBILE = "+989121234567"
OTHER_MOBILE = "+989351112233"


def a_request(contact, by, description="چاپگر کار نمی‌کند"):
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 1})[0]
    item = Request(contact=contact, description=description, urgency=urgency, assignee=by)
    return request_register(request=item, by=by)


def a_complaint(contact, by):
    item = Complaint(contact=contact, description="تأخیر در ارسال", officer=by)
    return complaint_register(complaint=item, by=by)


def a_quote(contact, by, status="sent"):
    quote = quote_save(
        quote=Quote(contact=contact),
        lines=[QuoteLine(description="نصب و راه‌اندازی", unit_price=12_000_000)],
        by=by,
    )
    if status != "draft":
        quote_set_status(quote=quote, by=by, status=status)
    return quote


def an_invoice(contact, by):
    return quote_to_invoice(quote=a_quote(contact, by, status="accepted"), by=by)


@pytest.fixture
def customer(personas):
    contact = ContactFactory(owner=personas.owner, name="علی کریمی", phones=[MOBILE])
    PortalAccess.objects.create(contact=contact, enabled=True)
    return contact


@pytest.fixture
def stranger(personas):
    """Another customer with portal access: nothing of theirs may show."""
    contact = ContactFactory(owner=personas.owner, name="زهرا احمدی", phones=[OTHER_MOBILE])
    PortalAccess.objects.create(contact=contact, enabled=True)
    return contact


def texted_code(mobile: str = MOBILE) -> str:
    body = Message.objects.filter(to=mobile).latest("created_at").body
    return re.search(r"\d{6}", body).group()


def sign_in(client, mobile: str = MOBILE):
    response = client.post(reverse("portal:login"), {"mobile": mobile})
    assert response.status_code == 302
    return client.post(reverse("portal:code"), {"code": texted_code(mobile)})


@pytest.mark.django_db(transaction=True)  # the worker runs after the request commits
def test_customer_signs_in_with_a_code_from_the_provider_and_sees_only_their_own(
    client, personas, customer, stranger, kavenegar
):
    mine = a_request(customer, personas.owner)
    theirs = a_request(stranger, personas.owner, description="محرمانه دیگری")
    my_complaint = a_complaint(customer, personas.owner)
    their_complaint = a_complaint(stranger, personas.owner)
    my_invoice = an_invoice(customer, personas.owner)
    their_invoice = an_invoice(stranger, personas.owner)
    draft = a_quote(customer, personas.owner, status="draft")

    response = client.post(reverse("portal:login"), {"mobile": "۰۹۱۲ ۱۲۳ ۴۵۶۷"})
    assert response.status_code == 302 and response.url == reverse("portal:code")
    run_worker()  # the real worker sends the outbox over HTTP to the fake provider
    [sms] = kavenegar.received
    assert sms["to"] == "09121234567"
    code = re.search(r"\d{6}", sms["body"]).group()
    assert "پرتال" in sms["body"]

    response = client.post(reverse("portal:code"), {"code": code})
    assert response.status_code == 302 and response.url == reverse("portal:home")
    page = client.get(reverse("portal:home")).content.decode()
    assert "علی کریمی" in page
    assert fa(mine.tracking_code) in page and fa(my_complaint.tracking_code) in page
    assert fa(my_invoice.number) in page
    assert fa(theirs.tracking_code) not in page and fa(their_complaint.tracking_code) not in page
    assert fa(their_invoice.number) not in page and fa(draft.number) not in page

    assert client.get(reverse("portal:request_detail", args=[mine.pk])).status_code == 200
    for url in (
        reverse("portal:request_detail", args=[theirs.pk]),
        reverse("portal:complaint_detail", args=[their_complaint.pk]),
        reverse("portal:document_pdf", args=["invoices", their_invoice.pk]),
        reverse("portal:document_pdf", args=["quotes", draft.pk]),
    ):
        assert client.get(url).status_code == 404, url
    pdf = client.get(reverse("portal:document_pdf", args=["invoices", my_invoice.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content])[:4] == b"%PDF"
    assert PortalAccess.objects.get(contact=customer).last_login_at is not None


def test_a_code_works_once_and_wrong_codes_are_counted(client, customer):
    client.post(reverse("portal:login"), {"mobile": MOBILE})
    code = texted_code()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("portal:code"), {"code": wrong})
    assert response.status_code == 200
    assert "کد درست نیست" in response.content.decode()
    assert PortalCode.objects.get().attempts == 1
    # Persian digits are fine.
    persian = code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert client.post(reverse("portal:code"), {"code": persian}).status_code == 302
    client.post(reverse("portal:logout"))
    session = client.session
    session["portal_pending"] = {"mobile": MOBILE}
    session.save()
    response = client.post(reverse("portal:code"), {"code": code})
    assert "منقضی شده یا به کار رفته" in response.content.decode()


def test_five_wrong_guesses_spend_the_code(client, customer):
    client.post(reverse("portal:login"), {"mobile": MOBILE})
    code = texted_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(services.MAX_ATTEMPTS):
        client.post(reverse("portal:code"), {"code": wrong})
    response = client.post(reverse("portal:code"), {"code": code})
    assert "چند بار کد نادرست" in response.content.decode()
    assert client.get(reverse("portal:home")).status_code == 302


def test_an_unknown_number_gets_the_same_page_and_no_sms(client, customer):
    response = client.post(reverse("portal:login"), {"mobile": "09130000000"})
    assert response.status_code == 302 and response.url == reverse("portal:code")
    assert not Message.objects.exists()
    page = client.get(reverse("portal:code")).content.decode()
    assert "اگر شماره" in page


def test_bad_input_is_explained_and_kept(client, customer):
    response = client.post(reverse("portal:login"), {"mobile": "12ab"})
    page = response.content.decode()
    assert response.status_code == 200 and 'value="۱۲ab"' in page
    assert "تلفن همراه" in page and not Message.objects.exists()
    client.post(reverse("portal:login"), {"mobile": MOBILE})
    response = client.post(reverse("portal:code"), {"code": "12"})
    assert "کد ۶ رقم است" in response.content.decode()


def test_codes_cannot_be_asked_for_again_at_once(client, customer):
    client.post(reverse("portal:login"), {"mobile": MOBILE})
    response = client.post(reverse("portal:login"), {"mobile": MOBILE})
    assert response.status_code == 200
    assert "ثانیه دیگر دوباره بخواهید" in response.content.decode()
    assert Message.objects.count() == 1


def test_sign_in_codes_go_out_in_the_quiet_hours(customer):
    config = MessagingSettings.load()
    config.quiet_start, config.quiet_end = datetime.time(0, 0), datetime.time(23, 59)
    config.save()
    services.code_send(mobile=MOBILE, company="پیوند")
    code_message = Message.objects.get()
    assert code_message.immediate
    assert list(due_messages()) == [code_message]


def test_turning_access_off_signs_the_customer_out(client, customer):
    sign_in(client)
    assert client.get(reverse("portal:home")).status_code == 200
    PortalAccess.objects.filter(contact=customer).update(enabled=False)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and response.url == reverse("portal:login")


def test_hidden_sections_are_not_there(client, personas, customer):
    item = a_request(customer, personas.owner)
    PortalAccess.objects.filter(contact=customer).update(show_requests=False)
    sign_in(client)
    assert fa(item.tracking_code) not in client.get(reverse("portal:home")).content.decode()
    assert client.get(reverse("portal:section", args=["requests"])).status_code == 404
    assert client.get(reverse("portal:request_detail", args=[item.pk])).status_code == 404
    assert client.get(reverse("portal:section", args=["nothing"])).status_code == 404


def test_the_sign_in_lasts_its_hours(client, settings, customer):
    settings.PORTAL_SESSION_HOURS = 2
    sign_in(client)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=3)):
        assert client.get(reverse("portal:home")).status_code == 302


def test_people_of_an_organisation_sign_in_to_it_and_choose(client, personas):
    company = ContactFactory(owner=personas.owner, name="صنایع مهرگان", kind="organization")
    PortalAccess.objects.create(contact=company, enabled=True, include_people=True)
    person = ContactFactory(owner=personas.owner, name="رضا نوری", phones=[MOBILE])
    person.organization = company
    person.save()
    order = a_request(company, personas.owner)
    sign_in(client)
    assert fa(order.tracking_code) in client.get(reverse("portal:home")).content.decode()
    # With a portal of their own too, they choose which to enter.
    PortalAccess.objects.create(contact=person, enabled=True)
    client.post(reverse("portal:logout"))
    Message.objects.all().delete()
    PortalCode.objects.all().delete()
    response = sign_in(client)
    assert response.url == reverse("portal:choose")
    page = client.get(reverse("portal:choose")).content.decode()
    assert "صنایع مهرگان" in page and "رضا نوری" in page
    response = client.post(reverse("portal:choose"), {"contact": str(person.pk)})
    assert response.url == reverse("portal:home")
    assert fa(order.tracking_code) not in client.get(reverse("portal:home")).content.decode()


def test_customer_answers_a_pending_survey(client, personas, customer):
    questionnaire = Questionnaire.objects.create(name="رضایت از خرید", subject="invoice")
    first = Question.objects.create(questionnaire=questionnaire, text="کیفیت کالا", max_score=5)
    second = Question.objects.create(questionnaire=questionnaire, text="برخورد فروشنده", order=1)
    invoice = an_invoice(customer, personas.owner)
    sign_in(client)
    page = client.get(reverse("portal:home")).content.decode()
    url = reverse("portal:survey", args=["invoice", invoice.pk])
    assert url in page
    response = client.post(url, {f"q{first.pk}": "5"})
    assert response.status_code == 200
    assert "امتیاز این پرسش را بدهید" in response.content.decode()
    response = client.post(url, {f"q{first.pk}": "5", f"q{second.pk}": "3", "notes": "عالی"})
    assert response.status_code == 302
    answered = SurveyResponse.objects.get()
    assert answered.invoice == invoice and answered.owner == personas.owner
    assert answered.score == 75 and answered.notes == "عالی"
    assert client.get(url).status_code == 404  # answered: no longer pending
    assert url not in client.get(reverse("portal:home")).content.decode()


def test_staff_grant_access_on_the_contact_page(client, personas, contact):
    contact_phones = ContactFactory(owner=personas.owner, phones=[MOBILE])
    url = reverse("portal:access_edit", args=[contact_phones.pk])
    client.force_login(personas.owner)
    page = client.get(contact_phones.get_absolute_url()).content.decode()
    assert "پرتال مشتریان" in page and url in page
    response = client.post(url, {"enabled": "on", "show_requests": "on", "show_invoices": "on"})
    assert response.status_code == 302
    access = PortalAccess.objects.get(contact=contact_phones)
    assert access.enabled and access.show_requests and not access.show_quotes
    assert access.updated_by == personas.owner
    assert ChangeRecord.objects.filter(object_id=access.pk, user=personas.owner).exists()
    page = client.get(contact_phones.get_absolute_url()).content.decode()
    assert "دسترسی دارد" in page and fa("0912") in page
    # A contact without a mobile: saved, with a warning that nobody can sign in.
    response = client.post(
        reverse("portal:access_edit", args=[contact.pk]), {"enabled": "on"}, follow=True
    )
    assert "تلفن همراهی ندارد" in response.content.decode()


def test_who_may_grant_access(client, personas, contact):
    url = reverse("portal:access_edit", args=[contact.pk])
    client.force_login(personas.outsider)  # cannot see the contact
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(username="agent", role=SUPPORT))
    assert client.get(url).status_code in (403, 404)
    client.force_login(personas.manager)
    assert client.get(url).status_code == 200


def test_one_address_cannot_ask_for_codes_without_end(client, customer):
    for number in range(SEND_LIMIT):
        client.post(reverse("portal:login"), {"mobile": f"0913000{number:04d}"})
    response = client.post(reverse("portal:login"), {"mobile": MOBILE})
    assert response.status_code == 429
    assert "چند دقیقه دیگر" in response.content.decode()
    assert not Message.objects.exists()


def test_customer_registers_a_request_in_the_portal(client, personas, customer):
    sign_in(client)
    url = reverse("portal:request_new")
    # Nobody receives portal requests yet: no button, no page.
    assert url not in client.get(reverse("portal:home")).content.decode()
    assert client.get(url).status_code == 404
    ServiceSettings.objects.update_or_create(pk=1, defaults={"portal_assignee": personas.owner})
    assert url in client.get(reverse("portal:home")).content.decode()
    response = client.post(url, {"subject": "نصب چاپگر", "description": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "بنویسید چه کاری لازم است" in page
    assert 'value="نصب چاپگر"' in page  # what was typed is kept
    response = client.post(url, {"subject": "نصب چاپگر", "description": "چاپگر تازه را نصب کنید"})
    item = Request.objects.get()
    assert response.url == reverse("portal:request_detail", args=[item.pk])
    assert item.contact == customer and item.assignee == personas.owner
    assert item.owner == personas.owner and item.tracking_code and item.deadline
    page = client.get(response.url).content.decode()
    assert fa(item.tracking_code) in page and "ثبت شد" in page
    # Turning requests off for this customer closes the form too.
    PortalAccess.objects.filter(contact=customer).update(show_requests=False)
    assert client.get(url).status_code == 404


def test_every_section_lists_all_the_customers_records_page_by_page(
    client, personas, customer, stranger, monkeypatch
):
    """The home page shows five of each; «همه» must reach the older ones (the section
    template once read a paginator attribute ours does not have, and was always empty)."""
    monkeypatch.setattr("peyvand.portal.views.PAGE_SIZE", 4)
    records = {
        "requests": [a_request(customer, personas.owner, f"درخواست {n}") for n in range(6)],
        "complaints": [a_complaint(customer, personas.owner) for _n in range(6)],
        "quotes": [a_quote(customer, personas.owner) for _n in range(6)],
        "invoices": [an_invoice(customer, personas.owner) for _n in range(6)],
    }
    theirs = {
        "requests": a_request(stranger, personas.owner).tracking_code,
        "complaints": a_complaint(stranger, personas.owner).tracking_code,
        "quotes": a_quote(stranger, personas.owner).number,
        "invoices": an_invoice(stranger, personas.owner).number,
    }
    sign_in(client)
    for name, items in records.items():
        url = reverse("portal:section", args=[name])
        pages = [client.get(url).content.decode()]
        while f"page={len(pages) + 1}" in pages[-1]:  # the pager's «بعدی»
            pages.append(client.get(url, {"page": len(pages) + 1}).content.decode())
        assert len(pages) > 1, name
        seen = "".join(pages)
        for item in items:
            assert fa(getattr(item, "tracking_code", None) or item.number) in seen, name
        assert fa(theirs[name]) not in seen, name


def test_an_invoice_in_instalments_offers_each_open_instalment_to_pay_online(
    client, personas, customer, stranger
):
    def sold_by_instalments(contact):
        first_due = timezone.localdate() + datetime.timedelta(days=31)
        plan = InstalmentPlan(count=2, first_due=first_due, down_payment=4_000_000)
        return issue_invoice(contact, personas.owner, 12_000_000, plan=plan)

    invoice = sold_by_instalments(customer)
    sold_by_instalments(stranger)
    receive(customer, personas.manager, 4_000_000)  # the down payment
    parts = list(invoice.entries.order_by("due_date", "id"))
    sign_in(client)
    url = reverse("portal:section", args=["invoices"])
    with CaptureQueriesContext(connection) as one_invoice:
        page = client.get(url).content.decode()
    links = re.findall(r'href="/finance/pay/([^/"]+)/"', page)
    opened = [payments.pay_link_from_token(token) for token in links]
    # The whole rest, then the open instalments 2 and 3 (the down payment is paid).
    assert [(link.invoice, link.instalment_id) for link in opened] == [
        (invoice, None), (invoice, parts[1].pk), (invoice, parts[2].pk),
    ]  # fmt: skip
    assert "پرداخت آنلاین همه مانده" in page and "قسط ۳ به سررسید" in page
    assert "قسط ۱ به سررسید" not in page
    assert "۴٬۰۰۰٬۰۰۰ ریال" in page
    # The home page lists them too; the instalments cost no query per invoice.
    assert "قسط ۲ به سررسید" in client.get(reverse("portal:home")).content.decode()
    for _n in range(3):
        sold_by_instalments(customer)
    with CaptureQueriesContext(connection) as four_invoices:
        page = client.get(url).content.decode()
    assert page.count("قسط ۳ به سررسید") == 4
    assert len(four_invoices) == len(one_invoice)
