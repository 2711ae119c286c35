"""Surveys and projects: managers define questionnaires, reps ask them about an invoice
or a project (each score in its question's range, errors in Persian), and the results
reach the customer's page and the reports."""

import pytest
from django.urls import reverse

from peyvand.accounts.roles import MANAGER, SALES
from peyvand.core.dates import format_date
from peyvand.sales.models import Quote, QuoteLine
from peyvand.sales.services import quote_save, quote_set_status, quote_to_invoice
from peyvand.surveys.models import Project, Question, Questionnaire, SurveyResponse
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    manager = UserFactory(username="chief", role=MANAGER)
    rep = UserFactory(username="rep", role=SALES, first_name="رضا", last_name="رضایی")
    return manager, rep


def invoice_for(rep, name: str = "فروشگاه آریا"):
    customer = ContactFactory(owner=rep, name=name)
    quote = quote_save(
        quote=Quote(contact=customer),
        lines=[QuoteLine(description="نصب", unit_price=1_000_000)],
        by=rep,
    )
    quote_set_status(quote=quote, by=rep, status="accepted")
    return quote_to_invoice(quote=quote, by=rep)


def question_rows(rows: list[tuple]) -> dict:
    data = {
        "questions-TOTAL_FORMS": str(len(rows)),
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "1",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for number, (text, low, high) in enumerate(rows):
        data |= {
            f"questions-{number}-text": text,
            f"questions-{number}-min_score": low,
            f"questions-{number}-max_score": high,
        }
    return data


def test_a_manager_defines_a_questionnaire_and_a_rep_asks_it_about_an_invoice(client, people):
    manager, rep = people
    client.force_login(manager)
    url = reverse("surveys:questionnaire_create")
    rows = [("رفتار کارشناس فروش چطور بود؟", "1", "5"), ("به دیگران معرفی می‌کنید؟", "5", "5")]
    data = {"name": "رضایت از خرید", "subject": "invoice", "is_active": "on"}
    refused = client.post(url, data | question_rows(rows))
    assert "بیشترین امتیاز باید از کمترین امتیاز بیشتر باشد." in refused.content.decode()
    assert "به دیگران معرفی می‌کنید؟" in refused.content.decode()  # kept as typed
    rows[1] = ("به دیگران معرفی می‌کنید؟", "۰", "۱۰")
    saved = client.post(url, data | question_rows([*rows, ("", "1", "5")]))
    assert saved.status_code == 302
    questionnaire = Questionnaire.objects.get()
    first, second = questionnaire.questions.all()
    assert (second.min_score, second.max_score) == (0, 10)

    invoice = invoice_for(rep)
    client.force_login(rep)
    page = client.get(invoice.get_absolute_url()).content.decode()
    ask = reverse("surveys:survey_create", args=["invoice", invoice.pk])
    assert f"{ask}?questionnaire={questionnaire.pk}" in page
    ask += f"?questionnaire={questionnaire.pk}"
    answers = {"date": format_date(invoice.date), f"q{first.pk}": "4"}
    missing = client.post(ask, answers)
    assert "امتیاز این پرسش را بدهید." in missing.content.decode()
    assert missing.context["form"][f"q{first.pk}"].value() == "4"  # kept
    out_of_range = client.post(ask, answers | {f"q{second.pk}": "11"})
    assert out_of_range.context["form"].errors[f"q{second.pk}"]
    client.post(ask, answers | {f"q{second.pk}": "10", "notes": "راضی بود"})
    response = SurveyResponse.objects.get()
    # 4 of 1–5 is 75 of 100, 10 of 0–10 is 100: the mean is 87.5.
    assert response.score == 87.5 and response.contact == invoice.contact
    assert response.owner == rep
    assert f'id="survey-{response.pk}"' in client.get(invoice.get_absolute_url()).content.decode()
    card = client.get(invoice.contact.get_absolute_url()).content.decode()
    assert "۱ تماس نظرسنجی" in card and "۸۷٫۵" in card

    questions = client.get(reverse("reports:show", args=["survey_questions"])).context["result"]
    assert [(row["label"], row["average"], row["percent"]) for row in questions.rows] == [
        ("رفتار کارشناس فروش چطور بود؟", 4.0, 75.0),
        ("به دیگران معرفی می‌کنید؟", 10.0, 100.0),
    ]
    customers = client.get(reverse("reports:show", args=["survey_customers"])).context["result"]
    assert customers.rows == [
        {"label": "فروشگاه آریا", "quotes": 1, "invoices": 1, "calls": 1, "average": 87.5}
    ]


def test_a_project_is_registered_and_surveyed(client, people):
    _manager, rep = people
    customer = ContactFactory(owner=rep, name="شرکت نوین")
    questionnaire = Questionnaire.objects.create(name="تحویل پروژه", subject="project")
    question = Question.objects.create(questionnaire=questionnaire, text="کیفیت کار", max_score=5)
    client.force_login(rep)
    url = reverse("surveys:project_create") + f"?contact={customer.pk}"
    assert client.get(url).context["form"]["contact"].value() == customer.pk
    data = {
        "name": "راه‌اندازی شبکه",
        "contact": customer.pk,
        "start": "1405/09/10",
        "end": "1405/09/01",
        "status": "active",
    }
    refused = client.post(url, data)
    assert "تاریخ پایان نمی‌تواند پیش از تاریخ شروع باشد." in refused.content.decode()
    data["end"] = "1405/10/01"
    client.post(url, data)
    project = Project.objects.get()
    assert project.owner == rep and project.contact == customer
    page = client.get(project.get_absolute_url()).content.decode()
    ask = reverse("surveys:survey_create", args=["project", project.pk])
    assert ask in page
    client.post(
        f"{ask}?questionnaire={questionnaire.pk}", {"date": "1405/10/01", f"q{question.pk}": "5"}
    )
    assert SurveyResponse.objects.get().project == project
    history = client.get(reverse("contacts:history", args=[customer.pk])).content.decode()
    assert "پروژه: راه‌اندازی شبکه" in history
    # An invoice questionnaire is not asked about a project.
    wrong = Questionnaire.objects.create(name="رضایت از خرید", subject="invoice")
    assert client.get(f"{ask}?questionnaire={wrong.pk}").status_code == 404


def test_another_team_neither_sees_the_project_nor_surveys_it(client, people):
    _manager, rep = people
    outsider = UserFactory(role=SALES)
    customer = ContactFactory(owner=rep)
    project = Project.objects.create(owner=rep, name="نصب", contact=customer)
    questionnaire = Questionnaire.objects.create(name="تحویل", subject="project")
    client.force_login(outsider)
    assert client.get(project.get_absolute_url()).status_code == 404
    ask = reverse("surveys:survey_create", args=["project", project.pk])
    assert client.get(f"{ask}?questionnaire={questionnaire.pk}").status_code == 404
    assert client.get(reverse("surveys:questionnaire_list")).status_code == 403
