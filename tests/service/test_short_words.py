"""A one- or two-character query finds requests and complaints with it as a whole word
of their subject or description (issue 26, point 4), and still finds one by the number
of its tracking code."""

import pytest

from peyvand.core.dates import jalali_today
from peyvand.lookups.models import Urgency
from peyvand.service import services
from peyvand.service.lists import COMPLAINTS, REQUESTS
from peyvand.service.models import Complaint, Request
from tests.factories import ContactFactory
from tests.lists import query

pytestmark = pytest.mark.django_db


def test_a_short_query_finds_a_request_by_a_whole_word_or_its_code(personas):
    owner = personas.owner
    urgency = Urgency.objects.get_or_create(name="عادی", defaults={"deadline_days": 3})[0]

    def register(subject, description="شرح"):
        request = Request(subject=subject, description=description, urgency=urgency, assignee=owner)
        return services.request_register(request=request, by=owner)

    register("خرابی دستگاه ۱۲")
    register("", "چاپگر اتاق ۷ کار نمی‌کند")
    register("خرابی دستگاه ۱۲۰")
    register("اتاق ۷۷")
    coded = register("نصب نرم‌افزار")
    Request.objects.filter(pk=coded.pk).update(tracking_code=f"{jalali_today().year}00012")

    def subjects(text):
        rows = REQUESTS.rows(owner, query(q=text, status="all"))
        return set(rows.values_list("subject", flat=True))

    assert subjects("۱۲") == {"خرابی دستگاه ۱۲", "نصب نرم‌افزار"}
    assert subjects("۷") == {""}  # the description's word, not «۷۷»


def test_a_short_query_finds_a_complaint_by_a_whole_word_or_its_code(personas):
    owner = personas.owner
    customer = ContactFactory(owner=owner, name="بازرگانی سپهر")

    def register(description):
        complaint = Complaint(contact=customer, officer=owner, description=description)
        return services.complaint_register(complaint=complaint, by=owner)

    register("تأخیر ۱۲ روزه در ارسال")
    register("تأخیر ۱۲۰ روزه")
    register("کالای معیوب A")
    coded = register("رفتار نامناسب")
    Complaint.objects.filter(pk=coded.pk).update(tracking_code=f"{jalali_today().year}-0012")

    def descriptions(text):
        rows = COMPLAINTS.rows(owner, query(q=text, view="all", status="all"))
        return set(rows.values_list("description", flat=True))

    assert descriptions("۱۲") == {"تأخیر ۱۲ روزه در ارسال", "رفتار نامناسب"}
    assert descriptions("a") == {"کالای معیوب A"}
    assert descriptions("ار") == set()  # inside «ارسال» only
