"""The issue's journey in a real browser: a rep gives a customer portal access on the
contact's page; the customer signs in at /portal/ with their mobile and the code the
fake Kavenegar received over HTTP from the real worker, sees their own request and
invoice (not another customer's), opens the invoice PDF, answers the pending survey,
registers a request of their own and signs out."""

import re

import pytest
from playwright.sync_api import expect

from peyvand.core.text import to_persian_digits
from peyvand.service.models import Request, ServiceSettings
from peyvand.surveys.models import Question, Questionnaire, SurveyResponse
from tests.e2e.test_messaging_journey import run_worker
from tests.factories import ContactFactory
from tests.portal.test_portal import a_request, an_invoice

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_customer_signs_in_with_an_sms_code_and_sees_only_their_own(
    page, live_server, log_in, rep, kavenegar, screenshots
):
    customer = ContactFactory(owner=rep, name="شهرام فرهادی", phones=["+989121234567"])
    other = ContactFactory(owner=rep, name="مشتری دیگر", phones=["+989351112233"])
    mine, theirs = a_request(customer, rep), a_request(other, rep, description="دیگری")
    invoice = an_invoice(customer, rep)
    questionnaire = Questionnaire.objects.create(name="رضایت از خرید", subject="invoice")
    question = Question.objects.create(questionnaire=questionnaire, text="کالا به‌موقع رسید؟")
    ServiceSettings.objects.update_or_create(pk=1, defaults={"portal_assignee": rep})

    # The rep opens portal access on the contact's page.
    log_in(rep)
    page.goto(customer.get_absolute_url())
    card = page.locator("#portal-access-card")
    expect(card).to_contain_text("دسترسی ندارد")
    card.get_by_role("link", name="تنظیم دسترسی").click()
    page.locator("#id_enabled").check()
    page.get_by_role("button", name="ذخیره").click()
    expect(page.get_by_text("دسترسی پرتال ذخیره شد.")).to_be_visible()
    expect(card).to_contain_text("دسترسی دارد")
    expect(card).to_contain_text(to_persian_digits("0912"))

    # The customer, in a browser of their own, asks for a code.
    page.context.clear_cookies()
    page.goto("/portal/")
    expect(page).to_have_url(f"{live_server.url}/portal/login/")
    page.locator("#id_mobile").fill("۰۹۱۲۱۲۳۴۵۶۷")
    page.get_by_role("button", name="دریافت کد ورود").click()
    expect(page.get_by_text("کد ۶ رقمی ورود برایش پیامک شد")).to_be_visible()
    run_worker()  # the outbox sends the SMS over HTTP to the fake Kavenegar
    [sms] = kavenegar.received
    assert sms["to"] == "09121234567"
    code = re.search(r"\d{6}", sms["body"]).group()

    page.locator("#id_code").fill("123")
    page.get_by_role("button", name="ورود").click()
    expect(page.get_by_text("کد ۶ رقم است")).to_be_visible()
    page.locator("#id_code").fill(code)
    page.get_by_role("button", name="ورود").click()
    expect(page).to_have_url(f"{live_server.url}/portal/")
    expect(page.locator("#portal-customer")).to_contain_text("شهرام فرهادی")
    requests = page.locator("#portal-requests")
    expect(requests).to_contain_text(to_persian_digits(mine.tracking_code))
    expect(requests).not_to_contain_text(to_persian_digits(theirs.tracking_code))
    expect(page.locator("#portal-invoices")).to_contain_text(to_persian_digits(invoice.number))
    page.screenshot(path=screenshots / "portal-home.png", full_page=True)

    # The invoice's PDF.
    link = page.locator("#portal-invoices").get_by_role("link", name="PDF")
    pdf = page.request.get(link.get_attribute("href"))
    assert pdf.status == 200 and pdf.body()[:4] == b"%PDF"

    # The request's page, then the pending survey.
    requests.get_by_role("link", name=to_persian_digits(mine.tracking_code)).click()
    expect(page.get_by_text("در دست انجام")).to_be_visible()
    page.get_by_role("link", name="پیشخوان").click()
    page.get_by_role("link", name="پاسخ به نظرسنجی").click()
    page.get_by_role("button", name="ثبت نظر").click()
    expect(page.get_by_text("امتیاز این پرسش را بدهید")).to_be_visible()
    page.get_by_label(to_persian_digits(str(question.max_score))).check()
    page.get_by_role("button", name="ثبت نظر").click()
    expect(page.get_by_text("از اینکه نظرتان را گفتید سپاسگزاریم.")).to_be_visible()
    assert SurveyResponse.objects.get().invoice == invoice
    expect(page.get_by_role("link", name="پاسخ به نظرسنجی")).to_have_count(0)

    # A request of their own, registered in the portal, with its tracking code.
    page.get_by_role("link", name="ثبت درخواست").click()
    page.locator("#id_subject").fill("نصب چاپگر تازه")
    page.get_by_role("button", name="ثبت درخواست").click()
    expect(page.get_by_text("بنویسید چه کاری لازم است.")).to_be_visible()
    expect(page.locator("#id_subject")).to_have_value("نصب چاپگر تازه")
    page.locator("#id_description").fill("چاپگر طبقه دوم را نصب و به شبکه وصل کنید.")
    page.get_by_role("button", name="ثبت درخواست").click()
    registered = Request.objects.get(subject="نصب چاپگر تازه")
    expect(page.get_by_text("با کد پیگیری")).to_contain_text(
        to_persian_digits(registered.tracking_code)
    )
    assert registered.contact == customer and registered.assignee == rep

    page.get_by_role("button", name="خروج").click()
    expect(page.get_by_text("از پرتال خارج شدید.")).to_be_visible()
    page.goto("/portal/")
    expect(page).to_have_url(f"{live_server.url}/portal/login/")
