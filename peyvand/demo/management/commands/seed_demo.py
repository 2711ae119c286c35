"""python manage.py seed_demo — loads the demo users and records. Idempotent: a second
run finds everything in place and changes nothing."""

import datetime
import os
import random

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from peyvand.accounts.models import Team, User
from peyvand.accounts.roles import FINANCE, MANAGER, SALES, SUPPORT, ensure_roles
from peyvand.activities import services as activity_services
from peyvand.activities.calls import pbx_report
from peyvand.activities.models import Call, Event, Task
from peyvand.contacts import services as contact_services
from peyvand.contacts.models import Category, Contact, ContactPhone, PhoneBookEntry, Region
from peyvand.core.history import snapshot
from peyvand.core.models import HolidayOverride, Sequence, SiteSettings
from peyvand.core.services import record_delete
from peyvand.demo import data
from peyvand.finance import services as finance_services
from peyvand.finance.models import BankAccount, Cheque, Entry, FinanceSettings, Method, Receipt
from peyvand.lookups.models import AcquaintanceSource, FollowUpResult, Urgency
from peyvand.lookups.models import Channel as LookupChannel
from peyvand.messaging import bale, inbound, mail_in
from peyvand.messaging.forms import OCCASION_PRESETS
from peyvand.messaging.gateways import Incoming
from peyvand.messaging.models import (
    BaleSettings,
    ContactGroup,
    ContactGroupMember,
    Mailbox,
    Message,
    MessageTemplate,
    MessagingSettings,
    MessengerLink,
    Occasion,
)
from peyvand.portal.models import PortalAccess
from peyvand.sales import services as sales_services
from peyvand.sales.models import FollowUp, Invoice, Lead, Product, Quote, QuoteLine
from peyvand.sales.terms import InstalmentPlan, add_jalali_months
from peyvand.service import services as service_services
from peyvand.service.models import Complaint, Request, ServiceSettings
from peyvand.surveys import services as survey_services
from peyvand.surveys.models import Project, Question, Questionnaire, SurveyResponse
from peyvand.tax.models import MoadianSettings

PASSWORD = "peyvand-demo"  # noqa: S105 - the documented demo password
USERS = [
    # username, first, last, role, team, mobile
    ("manager", "مهناز", "سعیدی", MANAGER, None, "+989121110001"),
    ("sales", "علیرضا", "کرمانی", SALES, "تیم فروش", "+989121110002"),
    ("sales2", "نیلوفر", "بهرامی", SALES, "تیم فروش", "+989121110003"),
    ("support", "کاوه", "مرادی", SUPPORT, "تیم پشتیبانی", "+989121110004"),
    ("finance", "سارا", "رضایی", FINANCE, None, "+989121110005"),
]
CONTACT_COUNT = 80
PRODUCTS = [
    # code, name, goods or service, unit, price in rials, VAT applies, شناسه کالا/خدمت
    ("P-101", "تابلو برق صنعتی ۴۰۰ آمپر", "goods", "دستگاه", 1_850_000_000, True, "2720000114542"),
    ("P-102", "کابل مسی ۴×۱۶ افشان", "goods", "متر", 4_200_000, True, "2720000114559"),
    ("P-103", "یو پی اس ۱۰ کیلوولت‌آمپر", "goods", "دستگاه", 690_000_000, True, ""),
    ("S-201", "نصب و راه‌اندازی", "service", "ساعت", 12_000_000, True, "2330000000017"),
    ("S-202", "قرارداد پشتیبانی سالانه", "service", "سال", 240_000_000, False, ""),
]
FOLLOWUP_NOTES = [
    "با مدیر خرید صحبت شد؛ کاتالوگ خواستند.",
    "قیمت‌ها را با رقیب مقایسه می‌کنند؛ هفته بعد تماس بگیریم.",
    "جلسه حضوری در دفتر مشتری برگزار شد.",
    "پیش‌فاکتور را دیدند و تخفیف خواستند.",
    "منتظر تأیید هیئت‌مدیره هستند.",
]


# The demo customer's mobile for the portal (README: «پرتال مشتریان»).
PORTAL_MOBILE = "+989121234567"
PORTAL_MOBILE_NATIONAL = "09121234567"


def national_id_for(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        if len(set(digits)) > 1:
            break
    remainder = sum(d * (10 - i) for i, d in enumerate(digits)) % 11
    check = remainder if remainder < 2 else 11 - remainder
    return "".join(map(str, digits)) + str(check)


def legal_id_for(rng: random.Random) -> str:
    """A شناسه ملی (11 digits) whose check digit is right (core.validators' rule)."""
    weights = (29, 27, 23, 19, 17)
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(9)]
    shift = digits[9] + 2
    remainder = sum((d + shift) * weights[i % 5] for i, d in enumerate(digits)) % 11
    return "".join(map(str, digits)) + str(0 if remainder == 10 else remainder)


def address_for(rng: random.Random, city: str) -> tuple[str, str]:
    """A plausible street address and a 10-digit postal code."""
    street = rng.choice(data.STREETS)
    address = f"{city}، {street}، پلاک {rng.randint(2, 180)}"
    return address, str(rng.randint(1000000000, 9999999999))


# The demo company's identity on its official invoices (صورتحساب فروش کالا و خدمات).
COMPANY_IDENTITY = {
    "legal_name": "شرکت بازرگانی نمونه پیوند (سهامی خاص)",
    "economic_code": "10320845671",
    "registration_number": "۴۵۸۷۱۲",
    "province": "تهران",
    "city": "تهران",
    "address": "تهران، خیابان ولیعصر، بالاتر از میدان ونک، کوچه نیلوفر، پلاک ۱۸، طبقه ۳",
    "postal_code": "1435916471",
    "phone": "+982188776655",
}


# The fake Moadian that `make demo` starts (MOADIAN_PORT), and the memory id it serves.
DEMO_MEMORY_ID = "A11216"
DEMO_MOADIAN_URL = "http://127.0.0.1:8003/requestsmanager/api/v2/"


class Command(BaseCommand):
    help = "بارگذاری داده نمایشی (کاربران و مخاطبین)"

    @transaction.atomic
    def handle(self, *args, **options):
        ensure_roles()
        settings = SiteSettings.load()
        if settings.company_name == "پیوند":
            settings.company_name = "بازرگانی نمونه پیوند"
            for name, value in COMPANY_IDENTITY.items():
                setattr(settings, name, value)
            settings.national_id = settings.economic_code  # a legal entity's: the same
            settings.full_clean(exclude=["weekend"])
            settings.save()
        self._moadian()
        users = {row[0]: self._user(*row) for row in USERS}
        created = self._contacts(users)
        self._phonebook(users)
        self._messaging(users)
        self._tasks(users)
        self._calendar(users)
        self._calls(users)
        self._leads(users)
        self._quotes(users)
        self._money(users)
        self._requests(users)
        self._mail(users)
        self._bale(users)
        self._complaints(users)
        self._surveys(users)
        self._portal(users)
        self._webhooks(users)
        self._rules(users)
        self._forms(users)
        HolidayOverride.objects.get_or_create(
            date=datetime.date(2026, 12, 24),
            defaults={"is_holiday": True, "note": "جشن سالگرد تأسیس شرکت"},
        )
        self.stdout.write(self.style.SUCCESS(f"داده نمایشی آماده است ({created} مخاطب تازه)."))
        self.stdout.write(
            "ورود با گذرواژه peyvand-demo: manager (مدیر)، sales (فروش)، support (پشتیبانی)، "
            "finance (مالی)"
        )
        self.stdout.write(
            f"پرتال مشتریان: /portal/ با تلفن همراه {PORTAL_MOBILE_NATIONAL} (کد ورود پیامک می‌شود)"
        )

    def _user(self, username, first, last, role, team_name, mobile) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "mobile": mobile,
                "email": f"{username}@example.ir",
            },
        )
        if created:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        if team_name:
            team, _created = Team.objects.get_or_create(name=team_name)
            team.members.add(user)
        return user

    def _messaging(self, users: dict[str, User]) -> None:
        """Message templates, a saved group, birthday greetings on, and a short history
        (a delivered SMS, one refused for lack of credit) to look at on contact pages."""
        templates = {}
        for name, channel, subject, body in data.MESSAGE_TEMPLATES:
            templates[name], _created = MessageTemplate.objects.get_or_create(
                name=name,
                defaults={
                    "channel": channel,
                    "subject": subject,
                    "body": body,
                    "created_by": users["manager"],
                },
            )
        config = MessagingSettings.load()
        if config.birthday_template is None:
            config.birthday_template = templates["تبریک تولد"]
            config.birthday_enabled = True
            config.birthday_sender = users["manager"]
            config.inbound_owner = users["sales"]
            config.save()
        group, created = ContactGroup.objects.get_or_create(
            name="مشتریان ویژه",
            owner=users["sales"],
            defaults={"description": "برای تبریک مناسبت‌ها و جشنواره‌های فروش"},
        )
        if created:
            members = Contact.objects.filter(owner=users["sales"]).exclude(mobile="")[:12]
            group.memberships.bulk_create(
                [ContactGroupMember(group=group, contact=contact) for contact in members]
            )
        # Yearly greetings to the group: Yalda and Nowruz, from the presets.
        for key in ("yalda", "nowruz"):
            title, month, day, hour, body = OCCASION_PRESETS[key]
            Occasion.objects.get_or_create(
                title=title,
                defaults={
                    "owner": users["sales"],
                    "channel": "sms",
                    "group": group,
                    "month": month,
                    "day": day,
                    "hour": hour,
                    "body": body,
                },
            )
        if Message.objects.exists():
            return
        contacts = list(Contact.objects.filter(owner=users["sales"]).exclude(mobile="")[:2])
        now = timezone.now()
        for contact, status, error in (
            (contacts[0], Message.Status.DELIVERED, ""),
            (contacts[1], Message.Status.FAILED, "اعتبار حساب پیامک کافی نیست (کد ۴۱۸)."),
        ):
            Message.objects.create(
                channel="sms",
                to=contact.mobile,
                contact=contact,
                owner=users["sales"],
                body=f"{contact.name} عزیز، پیش‌فاکتور درخواستی برای شما ارسال شد.",
                status=status,
                backend="console",
                attempts=1 if status == Message.Status.DELIVERED else 6,
                last_error=error,
                error_code="418" if error else "",
                sent_at=now if not error else None,
                delivered_at=now if not error else None,
                scheduled_at=now - datetime.timedelta(hours=3),
            )
        # Customers writing back to the line, recorded as the worker records what the
        # provider hands over (messaging.inbound): a reply on the delivered proforma, an
        # unknown number asking a price, and an opt-out.
        line = "30004505000017"
        for minutes, sender, text in (
            (95, contacts[0].mobile, "سلام، پیش‌فاکتور رسید. فردا با شما تماس می‌گیرم."),
            (40, "+989190001122", "قیمت یخچال ساید بای ساید ۷۰۰ لیتری چند است؟"),
            (10, contacts[1].mobile, "لغو۱۱"),
        ):
            inbound.record_sms(
                Incoming(
                    provider_id=f"demo-{minutes}",
                    sender=sender,
                    line=line,
                    text=text,
                    received_at=now - datetime.timedelta(minutes=minutes),
                ),
                backend="console",
                unknown_owner=config.inbound_owner or users["sales"],
            )

    def _tasks(self, users: dict[str, User]) -> None:
        """A rep's day: an overdue task, today's (one from the manager, with a reminder
        this afternoon), one done yesterday; through the services, so the reminder and
        the rep's notification exist as they would."""
        if Task.all_objects.exists():
            return
        today = timezone.localdate()
        urgent = Urgency.objects.filter(name="فوری").first()
        contact = Contact.objects.filter(owner=users["sales"]).first()
        afternoon = timezone.localtime().replace(hour=16, minute=0, second=0, microsecond=0)
        for by, description, day, urgency, remind_at in (
            (users["sales"], "تماس دوباره با مدیر خرید دربارهٔ نمونه‌ها", -2, None, None),
            (users["manager"], "ارسال پیش‌فاکتور تابلوهای برق", 0, urgent, afternoon),
            (users["sales"], "هماهنگی جلسهٔ معرفی محصول", 0, None, None),
        ):
            task = Task(
                description=description,
                date=today + datetime.timedelta(days=day),
                assignee=users["sales"],
                urgency=urgency,
                remind_at=remind_at if remind_at and remind_at > timezone.now() else None,
                related=contact if day == 0 and urgency else None,
            )
            activity_services.task_save(task=task, by=by)
        done = Task(
            description="ارسال کاتالوگ به نمایشگاه‌داران",
            date=today - datetime.timedelta(days=1),
            assignee=users["sales"],
        )
        activity_services.task_save(task=done, by=users["manager"])
        activity_services.task_done(task=done, by=users["sales"])

    def _calendar(self, users: dict[str, User]) -> None:
        """This week of the sales team: a team meeting with a reminder, a customer
        visit, a whole-day exhibition, and one event already done."""
        if Event.all_objects.exists():
            return
        today = timezone.localdate()
        team = Team.objects.filter(members=users["sales"], is_active=True).first()
        for by, title, day, start, end, team_event, location in (
            (users["manager"], "جلسهٔ هفتگی تیم فروش", 1, (10, 0), (11, 0), True, "اتاق جلسات"),
            (users["sales"], "بازدید از کارخانهٔ مشتری", 0, (15, 30), (17, 0), False, "شهرک صنعتی"),
            (users["sales"], "نمایشگاه صنعت برق", 3, None, None, False, "نمایشگاه بین‌المللی"),
            (users["sales"], "تماس با تأمین‌کنندهٔ کابل", -1, (9, 0), None, False, ""),
        ):
            event = Event(
                title=title,
                date=today + datetime.timedelta(days=day),
                start_time=datetime.time(*start) if start else None,
                end_time=datetime.time(*end) if end else None,
                team=team if team_event else None,
                location=location,
                remind=day >= 0,
            )
            activity_services.event_save(event=event, by=by)
            if day < 0:
                activity_services.event_set_done(event=event, by=by)

    def _calls(self, users: dict[str, User]) -> None:
        """Calls as the PBX reports them: an answered one from a customer, a missed one
        from an unknown number (a call-back task), and an outgoing one."""
        if Call.all_objects.exists():
            return
        phone = ContactPhone.objects.filter(contact__owner=users["sales"]).first()
        known = phone.number if phone else "+989121234567"
        sales_extension = users["sales"].extension or "102"
        for call_id, event, number, direction, duration, disposition in (
            ("demo-1", "end", known, "in", 185, "ANSWERED"),
            ("demo-2", "end", "۰۹۳۵۱۱۱۲۲۳۳", "in", 0, "NO ANSWER"),
            ("demo-3", "end", known, "out", 92, "ANSWERED"),
        ):
            pbx_report(
                integration=users["manager"],
                event=event,
                call_id=call_id,
                number=number,
                extension=sales_extension,
                direction=direction,
                duration=duration,
                answered=disposition == "ANSWERED",
            )

    def _leads(self, users: dict[str, User]) -> None:
        """A rep's pipeline: leads at every stage for the sales team's contacts, each with
        a few follow-ups logged through the services, so that «پیگیری‌های من» shows
        overdue and today's ones and the reminders exist as they would."""
        if Lead.all_objects.exists():
            return
        rng = random.Random(7)  # noqa: S311 - demo data, not security
        results = list(FollowUpResult.objects.order_by("priority", "id"))
        channels = list(LookupChannel.objects.all())
        sources = list(AcquaintanceSource.objects.all())
        now, today = timezone.now(), timezone.localdate()
        contacts = list(
            Contact.objects.filter(owner__in=[users["sales"], users["sales2"]]).order_by("id")[:24]
        )
        for number, contact in enumerate(contacts):
            rep = users["sales"] if number % 3 else users["sales2"]
            lead = sales_services.lead_save(
                lead=Lead(
                    title=data.LEAD_TITLES[number % len(data.LEAD_TITLES)],
                    contact=contact,
                    source=rng.choice(sources) if sources else None,
                    person_name=contact.name if contact.kind == Contact.Kind.PERSON else "",
                    stars=rng.choice([1, 1, 2, 2, 3]),
                    responsible=rep,
                    owner=rep,
                    expected_value=rng.choice([45, 120, 380, 950, 2400]) * 1_000_000,
                    expected_close=today + datetime.timedelta(days=rng.randint(7, 60)),
                ),
                by=rep,
            )
            for step in range(rng.randint(1, 3)):
                at = now - datetime.timedelta(days=(3 - step) * 4, hours=rng.randint(1, 5))
                last = step == 2 or rng.random() < 0.4
                # The last follow-up's next date: some overdue, some today, some later.
                next_at = at + datetime.timedelta(days=3)
                if last:
                    next_at = now + datetime.timedelta(days=rng.choice([-2, -1, 0, 0, 1, 3, 7]))
                    next_at = next_at.replace(minute=0, second=0, microsecond=0)
                followup = FollowUp(
                    lead=lead,
                    at=at,
                    channel=rng.choice(channels),
                    person=lead.person_name,
                    result=results[min(step, len(results) - 1)],
                    description=FOLLOWUP_NOTES[(number + step) % len(FOLLOWUP_NOTES)],
                    next_at=next_at if next_at > at else None,
                )
                sales_services.followup_log(followup=followup, by=rep)
                if last:
                    break
            if number % 8 == 5:
                sales_services.lead_close(lead=lead, by=rep, status=Lead.Status.WON)
            elif number % 8 == 7:
                sales_services.lead_close(
                    lead=lead, by=rep, status=Lead.Status.LOST, reason="قیمت رقیب پایین‌تر بود"
                )
            elif number % 4 == 2:
                sales_services.lead_set_stage(lead=lead, by=rep, stage=Lead.Stage.PROPOSAL)

    def _quotes(self, users: dict[str, User]) -> None:
        """The catalogue, a proforma sent for the first lead, and one accepted and
        invoiced for the second."""
        if Product.objects.exists():
            return
        for code, name, kind, unit, price, vat, tax_id in PRODUCTS:
            Product.objects.create(
                code=code, name=name, kind=kind, unit=unit, price=price, vat_applies=vat,
                tax_id=tax_id,
            )  # fmt: skip
        lead = Lead.objects.filter(responsible=users["sales"]).order_by("id").first()
        if lead is None:
            return
        lines = [
            QuoteLine(product=product, description=product.name, quantity=quantity,
                      unit=product.unit, unit_price=product.price, discount=discount,
                      vat_applies=product.vat_applies)
            for product, quantity, discount in zip(
                Product.objects.order_by("code")[:3], (2, 120, 1), (0, 5_000_000, 0), strict=False
            )
        ]  # fmt: skip
        quote = sales_services.quote_save(
            quote=Quote(lead=lead, contact=lead.contact, date=timezone.localdate(),
                        valid_until=timezone.localdate() + datetime.timedelta(days=10)),
            lines=lines,
            by=users["sales"],
        )  # fmt: skip
        sales_services.quote_set_status(quote=quote, by=users["sales"], status=Quote.Status.SENT)
        # A second customer bought: an accepted proforma turned into an invoice.
        other = Lead.objects.filter(responsible=users["sales"]).order_by("id")[1:2].first()
        if other is not None:
            sold = sales_services.quote_save(
                quote=Quote(lead=other, contact=other.contact, date=timezone.localdate()),
                lines=[QuoteLine(product=lines[0].product, description=lines[0].description,
                                 quantity=1, unit=lines[0].unit, unit_price=lines[0].unit_price,
                                 vat_applies=lines[0].vat_applies)],
                by=users["sales"],
            )  # fmt: skip
            sales_services.quote_set_status(
                quote=sold, by=users["sales"], status=Quote.Status.ACCEPTED
            )
            sales_services.quote_to_invoice(quote=sold, by=users["sales"])

    def _money(self, users: dict[str, User]) -> None:
        """The money side: the company's bank accounts; invoices of a few customers over
        the last months; receipts of every method; cheques in every state (two due this
        week, one bounced); opening balances; and a customer past their credit limit."""
        if BankAccount.objects.exists():
            return
        today = timezone.localdate()
        days = datetime.timedelta
        mellat = BankAccount.objects.create(
            name="جاری ملت مرکزی", bank="ملت", branch="مرکزی تهران", number="4456120981",
            iban="IR820540102680020817909002",
        )  # fmt: skip
        BankAccount.objects.create(name="جاری صادرات بازار", bank="صادرات", branch="بازار")
        FinanceSettings.load()
        rep, clerk = users["sales"], users["finance"]
        customers = list(
            Contact.objects.filter(owner__in=[users["sales"], users["sales2"]]).order_by("id")[:6]
        )
        if len(customers) < 6:
            return
        products = {
            "goods": Product.objects.order_by("code").first(),
            "service": Product.objects.get(code="S-202"),  # the support contract
        }

        def invoice(
            contact, amount: int, age: int, credit_days: int = 0, plan=None, kind="goods"
        ) -> Invoice:
            terms = "installments" if plan else ("credit" if credit_days else "cash")
            product = products[kind]
            quote = Quote(
                contact=contact,
                kind=kind,
                date=today - days(age),
                payment_terms=terms,
                credit_days=credit_days,
            )
            line = QuoteLine(
                product=product,
                description=product.name,
                unit=product.unit,
                quantity=1,
                unit_price=amount,
                vat_applies=False,
            )
            quote = sales_services.quote_save(
                quote=quote, lines=[line], by=rep, plan=plan, credit_confirmed=True
            )
            sales_services.quote_set_status(quote=quote, by=rep, status=Quote.Status.ACCEPTED)
            issued = sales_services.quote_to_invoice(quote=quote, by=rep, credit_confirmed=True)
            # Issued «today» by the service; the demo's history goes back months.
            Invoice.objects.filter(pk=issued.pk).update(date=today - days(age))
            Entry.objects.filter(invoice=issued).update(date=today - days(age))
            if plan is None:
                due = {"due_date": today - days(age - credit_days)}
                Invoice.objects.filter(pk=issued.pk).update(**due)
                Entry.objects.filter(invoice=issued).update(**due)
            return issued

        def receipt(contact, amount, method, age, cheque=None, **extra):
            finance_services.receipt_record(
                receipt=Receipt(contact=contact, amount=amount, method=method,
                                date=today - days(age), **extra),
                cheque=cheque, by=clerk,
            )  # fmt: skip

        def cheque(contact, sayad, amount, due_in, age, bank="ملی"):
            paper = Cheque(
                sayad_id=sayad,
                serial=f"{sayad[:4]}/{sayad[-6:]}",
                bank=bank,
                branch="مرکزی",
                drawer=contact.name,
                due_date=today + days(due_in),
            )
            receipt(contact, amount, Method.CHEQUE, age, cheque=paper)
            return Cheque.objects.get(sayad_id=sayad)

        def move(paper, status, age, **extra):
            finance_services.cheque_move(
                cheque=paper, status=status, by=clerk, date=today - days(age), **extra
            )

        noor, pars, arya, kian, tak, sepid = customers
        finance_services.opening_balance_set(
            contact=noor, amount=120_000_000, date=today - days(200), by=users["manager"]
        )
        finance_services.opening_balance_set(
            contact=pars, amount=-35_000_000, date=today - days(200), by=users["manager"]
        )
        invoice(noor, 480_000_000, 100, 30)
        invoice(noor, 260_000_000, 45, 30)
        invoice(pars, 150_000_000, 20)
        invoice(arya, 900_000_000, 70, 60)
        invoice(kian, 320_000_000, 10, 60, kind="service")
        invoice(tak, 1_250_000_000, 130, 30)
        invoice(sepid, 75_000_000, 5, kind="service")
        # An instalment plan: a down payment, then four monthly instalments.
        plan = InstalmentPlan(
            count=4, first_due=add_jalali_months(today, 1) - days(20), down_payment=100_000_000
        )
        invoice(pars, 500_000_000, 0, plan=plan)
        receipt(pars, 100_000_000, Method.ONLINE, 0, reference="20100000731")
        receipt(noor, 120_000_000, Method.CASH, 150)
        receipt(noor, 200_000_000, Method.POS, 90, bank_account=mellat, terminal="71234567",
                reference="093114")  # fmt: skip
        receipt(pars, 115_000_000, Method.CARD, 18, reference="587412")
        receipt(arya, 300_000_000, Method.PAYA, 60, bank_account=mellat, reference="140509121")
        receipt(tak, 500_000_000, Method.SATNA, 100, bank_account=mellat, reference="SATNA88123")
        # Cheques in every state: two due this week, one bounced.
        cleared = cheque(arya, "1404012345678901", 300_000_000, -20, 60)
        move(cleared, Cheque.Status.DEPOSITED, 25, bank_account=mellat)
        move(cleared, Cheque.Status.CLEARED, 18)
        cheque(arya, "1404012345678902", 300_000_000, 2, 60, bank="ملت")
        deposited = cheque(kian, "1404098765432101", 160_000_000, 4, 9, bank="تجارت")
        move(deposited, Cheque.Status.DEPOSITED, 1, bank_account=mellat)
        cheque(kian, "1404098765432102", 160_000_000, 40, 9, bank="تجارت")
        bounced = cheque(tak, "1403055511122233", 400_000_000, -12, 100, bank="سپه")
        move(bounced, Cheque.Status.DEPOSITED, 12, bank_account=mellat)
        move(bounced, Cheque.Status.BOUNCED, 10, reason="کسری موجودی")
        returned = cheque(sepid, "1404077700011122", 75_000_000, 30, 4, bank="پاسارگاد")
        move(returned, Cheque.Status.RETURNED, 2, note="مشتری چک را با واریز نقدی عوض کرد")
        receipt(sepid, 75_000_000, Method.CARD, 2, reference="660021")
        endorsed = cheque(noor, "1404033300044455", 100_000_000, 25, 30, bank="پارسیان")
        move(endorsed, Cheque.Status.ENDORSED, 20, endorsed_to="شرکت تأمین کابل البرز")
        # Past their limit: a large open invoice and a small limit.
        Contact.objects.filter(pk=tak.pk).update(credit_limit=500_000_000, payment_method="credit")
        Contact.objects.filter(pk=noor.pk).update(credit_limit=2_000_000_000)

    def _phonebook(self, users: dict[str, User]) -> None:
        """Extensions for the staff, a few shared numbers and one personal number each
        for sales and support (idempotent: entries are matched by owner and name)."""
        for number, username in enumerate(["manager", "sales", "sales2", "support"], start=101):
            User.objects.filter(pk=users[username].pk, extension="").update(extension=str(number))
        entries = [
            ("manager", "نگهبانی ساختمان", {"extension": "100", "is_public": True}),
            ("manager", "پیک موتوری سریع", {"mobile": "+989121230001", "is_public": True}),
            (
                "manager",
                "حسابداری پخش البرز",
                {"phone": "+982166554433", "company": "پخش البرز", "is_public": True},
            ),
            ("sales", "تعمیرکار کولر", {"mobile": "+989351230002"}),
            ("support", "کارشناس شبکه (پیمانکار)", {"mobile": "+989191230003"}),
        ]
        for owner, name, fields in entries:
            if PhoneBookEntry.objects.filter(owner=users[owner], name=name).exists():
                continue
            contact_services.phonebook_save(
                entry=PhoneBookEntry(owner=users[owner], name=name, **fields), by=users[owner]
            )

    def _moadian(self) -> None:
        """Sending to سامانه مودیان, on, against the fake Moadian that ``make demo`` starts
        (MOADIAN_DEMO_URL): a memory id and a self-signed key pair made here, as a company
        gets them from the tax organisation. Before the invoices, so issuing queues them."""
        row = MoadianSettings.load()
        if row.configured:
            return
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, "Peyvand demo company"),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, COMPANY_IDENTITY["economic_code"]),
                x509.NameAttribute(NameOID.COUNTRY_NAME, "IR"),
            ]
        )
        now = timezone.now()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=730))
            .sign(key, hashes.SHA256())
        )
        row.enabled = True
        row.memory_id = DEMO_MEMORY_ID
        row.private_key = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        row.certificate = certificate.public_bytes(serialization.Encoding.PEM).decode()
        row.environment = MoadianSettings.Environment.CUSTOM
        row.custom_base_url = os.environ.get("MOADIAN_DEMO_URL", DEMO_MOADIAN_URL)
        row.save()

    def _contacts(self, users: dict[str, User]) -> int:
        rng = random.Random(1405)  # noqa: S311 - deterministic demo data, not security
        sources = list(AcquaintanceSource.objects.order_by("order"))
        cities = {region.name: region for region in Region.objects.filter(depth=1)}
        categories = list(Category.objects.filter(depth=1).order_by("path"))
        owners = [
            users["sales"],
            users["sales"],
            users["sales2"],
            users["support"],
            users["manager"],
        ]
        created = 0
        for number in range(1, CONTACT_COUNT + 1):
            code = f"C{number:06d}"
            owner = owners[number % len(owners)]
            is_company = number % 4 == 0
            first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
            company, city = rng.choice(data.COMPANIES)
            area, _area_city = rng.choice(data.AREA_CODES)
            domain = rng.choice(data.EMAIL_DOMAINS)
            mobile = f"+98{rng.choice(data.MOBILE_PREFIXES)}{rng.randint(1000000, 9999999)}"
            landline = f"+98{area}{rng.randint(22000000, 88999999)}"
            email = f"{data.LATIN_SURNAMES[last]}{number}@{domain}"
            birthday = datetime.date(
                rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28)
            )
            legal_id = legal_id_for(rng) if is_company else ""
            address, postal_code = address_for(rng, city)
            contact = Contact(
                code=code,
                kind=Contact.Kind.ORGANIZATION if is_company else Contact.Kind.PERSON,
                name=company if is_company else f"{first} {last}",
                company="" if is_company else company,
                email="" if is_company else email,
                national_id=legal_id or national_id_for(rng),
                economic_code=legal_id,
                registration_number=str(rng.randint(10000, 999999)) if is_company else "",
                address=address,
                postal_code=postal_code,
                source=rng.choice(sources),
                region=cities.get(city),
                category=rng.choice(categories),
                birthday=None if is_company else birthday,
                notes=rng.choice(data.NOTES) + (f" دفتر مرکزی در {city}." if is_company else ""),
                owner=owner,
            )
            if Contact.all_objects.filter(code=code).exists():
                continue
            contact.created_at = timezone.now() - datetime.timedelta(
                days=CONTACT_COUNT - number, hours=rng.randint(0, 8)
            )
            phones = [
                {"kind": "mobile", "number": mobile, "note": ""},
                {"kind": "landline", "number": landline, "note": "دفتر"},
            ]
            contact_services.contact_create(contact=contact, phones=phones, by=owner)
            created += 1
            if number % 10 == 0:  # some history worth looking at
                before = snapshot(contact)
                contact.notes = (contact.notes + " تلفن جدید اعلام شد.").strip()
                phones[1]["number"] = f"+98{area}{rng.randint(22000000, 88999999)}"
                contact_services.contact_update(
                    contact=contact, phones=phones, before=before, by=users["manager"]
                )
            if number == CONTACT_COUNT:
                record_delete(record=contact, by=users["manager"])
        contact_services.ensure_contact_sequence()
        Sequence.objects.filter(
            kind=contact_services.CODE_SEQUENCE, last_number__lt=CONTACT_COUNT
        ).update(last_number=CONTACT_COUNT)
        return created

    def _surveys(self, users: dict[str, User]) -> None:
        """A satisfaction questionnaire for invoices and one for projects, a project,
        and survey calls about the demo invoices."""
        if Questionnaire.objects.exists():
            return
        after_sale = Questionnaire.objects.create(name="رضایت از خرید", subject="invoice")
        texts = [
            ("رفتار کارشناس فروش چطور بود؟", 1, 5),
            ("کالا به‌موقع رسید؟", 1, 5),
            ("چقدر احتمال دارد ما را به دیگران معرفی کنید؟", 0, 10),
        ]
        questions = [
            Question.objects.create(
                questionnaire=after_sale, text=text, min_score=low, max_score=high, order=n
            )
            for n, (text, low, high) in enumerate(texts)
        ]
        delivery = Questionnaire.objects.create(name="تحویل پروژه", subject="project")
        Question.objects.create(questionnaire=delivery, text="کیفیت اجرای پروژه", max_score=5)
        customer = Contact.objects.order_by("id").first()
        if customer is not None:
            Project.objects.create(
                owner=users["sales"],
                name="راه‌اندازی شبکه دفتر مرکزی",
                contact=customer,
                status=Project.Status.ACTIVE,
                description="کابل‌کشی، نصب تجهیزات و آموزش کاربران",
            )
        phone = LookupChannel.objects.filter(name="تلفن").first()
        for number, invoice in enumerate(Invoice.objects.order_by("id")):
            scores = {q.pk: (q.max_score - number % 2) for q in questions}
            survey_services.survey_record(
                response=SurveyResponse(questionnaire=after_sale, invoice=invoice, channel=phone),
                scores=scores,
                by=users["sales"],
            )

    def _portal(self, users: dict[str, User]) -> None:
        """The customer who bought (the demo invoice) may use the portal with a known
        mobile, and has a request, a complaint and a finished project to rate there."""
        invoice = Invoice.objects.order_by("id").first()
        if invoice is None or PortalAccess.objects.exists():
            return
        customer = invoice.contact
        phones = [
            {"kind": phone.kind, "number": phone.number, "note": phone.note}
            for phone in customer.phones.exclude(number=PORTAL_MOBILE)
        ]
        contact_services.contact_phones_set(
            contact=customer,
            phones=[{"kind": "mobile", "number": PORTAL_MOBILE, "note": ""}, *phones],
        )
        customer.save(update_fields=["mobile", "phones_text"])
        PortalAccess.objects.create(
            contact=customer, enabled=True, show_statement=True, updated_by=users["sales"]
        )
        support, manager = users["support"], users["manager"]
        # Requests customers register in the portal go to the support agent.
        ServiceSettings.objects.update_or_create(pk=1, defaults={"portal_assignee": support})
        urgency = Urgency.objects.filter(name="عادی").first() or Urgency.objects.first()
        service_services.request_register(
            request=Request(
                contact=customer,
                subject="راه‌اندازی دوربین‌های انبار",
                description="دو دوربین انبار تصویر ندارند؛ مشتری بازدید کارشناس خواست.",
                urgency=urgency,
                assignee=manager,
            ),
            by=support,
        )
        service_services.complaint_register(
            complaint=Complaint(
                contact=customer,
                description="کالا دو روز دیرتر از موعد رسید.",
                officer=manager,
            ),
            by=support,
        )
        Project.objects.create(
            owner=users["sales"],
            name="نصب سامانه حضور و غیاب",
            contact=customer,
            status=Project.Status.DONE,
            start=timezone.localdate() - datetime.timedelta(days=30),
            end=timezone.localdate() - datetime.timedelta(days=2),
        )

    def _complaints(self, users: dict[str, User]) -> None:
        """Complaints followed by the support agent (control officer): one being
        followed with a follow-up due today, one closed with its final result."""
        if Complaint.all_objects.exists():
            return
        support, manager = users["support"], users["manager"]
        phone = LookupChannel.objects.filter(name="تلفن").first()
        result = FollowUpResult.objects.order_by("priority", "id").first()
        product = Product.objects.order_by("id").first()
        customers = list(Contact.objects.order_by("id")[6:9])
        rows = [
            ("کالا با دو هفته تأخیر رسید و کارتن آن آسیب دیده بود.", "after_sales", None),
            ("کارشناس فروش قول تخفیف داده بود ولی در فاکتور نیامد.", "crm", "تخفیف اعمال شد."),
        ]
        for number, (text, source, final) in enumerate(rows):
            complaint = service_services.complaint_register(
                complaint=Complaint(
                    contact=customers[number % len(customers)],
                    channel=phone,
                    source=source,
                    description=text,
                    product=product if source == "after_sales" else None,
                    staff=users["sales"] if source == "crm" else None,
                    officer=support,
                ),
                by=manager,
            )
            if result is not None:
                sales_services.followup_log(
                    followup=FollowUp(
                        complaint=complaint,
                        result=result,
                        description="با مشتری تماس گرفته شد و پوزش خواستیم.",
                        at=timezone.now() - datetime.timedelta(hours=3),
                        next_at=timezone.now() + datetime.timedelta(hours=1),
                    ),
                    by=support,
                )
            if final:
                service_services.complaint_close(complaint=complaint, by=support, result=final)

    def _forms(self, users: dict[str, User]) -> None:
        """The website's «درخواست مشاوره» form, published, and one visitor's submission
        (made as the public page makes it: a contact, a lead, the answers)."""
        from peyvand.automation.models import Form, FormField
        from peyvand.automation.submissions import PublicForm, submit
        from peyvand.lookups.models import AcquaintanceSource

        if Form.objects.exists():
            return
        Kind = FormField.Kind
        form = Form.objects.create(
            name="درخواست مشاوره (وب‌سایت)",
            title="درخواست مشاوره رایگان",
            intro="کارشناسان ما در نخستین روز کاری با شما تماس می‌گیرند.",
            owner=users["sales"],
            source=AcquaintanceSource.objects.get(name="وب‌سایت"),
            creates=Form.Creates.LEAD,
            confirm_sms=True,
            is_published=True,
        )
        specs = [
            (Kind.SECTION, "درباره‌ی شما", False, "", ""),
            (Kind.NAME, "نام و نام خانوادگی", True, "", ""),
            (Kind.MOBILE, "تلفن همراه", True, "", ""),
            (Kind.EMAIL, "ایمیل", False, "", ""),
            (Kind.COMPANY, "شرکت", False, "", ""),
            (Kind.SECTION, "نیاز شما", False, "", ""),
            (Kind.CHOICE, "خدمت", True, "تابلو برق\nروشنایی صنعتی\nدوربین مداربسته\nسایر", "title"),
            (Kind.TEXT, "کدام خدمت؟", True, "", ""),
            (Kind.MONEY, "بودجه تقریبی", False, "", "expected_value"),
            (Kind.TEXTAREA, "توضیح", False, "", ""),
            (Kind.CONSENT, "با تماس کارشناسان پیوند موافقم", True, "", ""),
        ]
        fields = [
            FormField.objects.create(
                form=form, order=order, kind=kind, label=label, required=required,
                options=options, target=target,
            )
            for order, (kind, label, required, options, target) in enumerate(specs, start=1)
        ]  # fmt: skip
        fields[7].show_if, fields[7].show_value = fields[6], "سایر"
        fields[7].save()
        # A returning customer asks again: the form finds them by their mobile.
        known = (
            Contact.objects.filter(owner=users["sales"], phones__kind="mobile")
            .order_by("pk")
            .first()
        )
        mobile = known.phones.filter(kind="mobile").first().number
        answers = {
            fields[1].name: known.name,
            fields[2].name: "0" + mobile.removeprefix("+98"),
            fields[4].name: known.company,
            fields[6].name: "تابلو برق",
            fields[8].name: "3,500,000,000",
            fields[9].name: "برای خط تولید تازه در شهرک صنعتی.",
            fields[10].name: "on",
        }
        visitor = PublicForm(answers, form=form)
        if visitor.is_valid():
            submit(form, visitor)

    def _rules(self, users: dict[str, User]) -> None:
        """The default rules (off) and one rule of the sales manager's, on, with its run
        on the website's big lead: «a lead from the website over ۵۰۰ میلیون ریال → tell
        the manager and give its responsible a call for tomorrow»."""
        from peyvand.automation import rules
        from peyvand.automation.defaults import ensure_default_rules
        from peyvand.automation.models import Rule, RuleRun
        from peyvand.core.models import ChangeRecord
        from peyvand.lookups.models import AcquaintanceSource

        manager = users["manager"]
        ensure_default_rules(manager)
        if Rule.objects.filter(key="").exists():
            return
        website = AcquaintanceSource.objects.get(name="وب‌سایت")
        rule = Rule.objects.create(
            name="سرنخ بزرگ از وب‌سایت",
            list_key="leads",
            trigger=Rule.Trigger.CREATED,
            conditions=f"status=all&source={website.pk}&expected_min=500000000",
            owner=manager,
            is_active=True,
            link_base="http://127.0.0.1:8000/",
            actions=[
                {"kind": "notify", "who": "user", "user": manager.pk,
                 "title": "سرنخ بزرگ از وب‌سایت: {موضوع}"},
                {"kind": "task", "who": "responsible", "days": 1,
                 "description": "تماس با {نام} دربارهٔ «{موضوع}» و فرستادن پیش‌فاکتور"},
            ],
        )  # fmt: skip
        lead = rules.matching(rule).order_by("pk").first()
        if lead is None:
            return
        change = ChangeRecord.objects.get(
            content_type__model="lead", object_id=lead.pk, action="created"
        )
        RuleRun.objects.create(
            rule=rule,
            content_type=change.content_type,
            object_id=lead.pk,
            cause=f"change:{change.pk}",
            change=change,
            created_at=change.at,
        )
        rules.run_due()

    def _webhooks(self, users: dict[str, User]) -> None:
        """The accounting system's webhook (switched off: the demo has no such system)
        and the deliveries it took while it was on: a new lead, and one it refused."""
        from peyvand.automation import webhooks
        from peyvand.automation.models import WebhookDelivery, WebhookSubscription
        from peyvand.core.models import ChangeRecord

        if WebhookSubscription.objects.exists():
            return
        manager = users["manager"]
        subscription = WebhookSubscription.objects.create(
            name="سامانه حسابداری",
            url="https://hesab.peyvand.example/webhooks/crm",
            events=["sales.lead.created", "sales.lead.state_changed", "sales.invoice.created"],
            owner=manager,
            is_active=False,
        )
        leads = Lead.objects.order_by("pk")[:2]
        outcomes = (
            (WebhookDelivery.Status.DELIVERED, 200, '{"ok": true}', ""),
            (
                WebhookDelivery.Status.FAILED,
                503,
                "Service Unavailable",
                "گیرنده نپذیرفت: پاسخ 503.",
            ),
        )
        for lead, (status, answer, text, error) in zip(leads, outcomes, strict=True):
            change = ChangeRecord.objects.get(
                content_type__model="lead", object_id=lead.pk, action="created"
            )
            delivery = WebhookDelivery.objects.create(
                subscription=subscription,
                event="sales.lead.created",
                change=change,
                content_type=change.content_type,
                object_id=lead.pk,
                created_at=change.at,
                status=WebhookDelivery.Status.SENDING,
            )
            delivery = webhooks.deliveries_to_send([delivery.pk]).get()
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=status,
                body=webhooks.encode_body(webhooks.payload(delivery)),
                attempts=1 if answer == 200 else webhooks.MAX_ATTEMPTS,
                response_status=answer,
                response_body=text,
                delivered_at=change.at if answer == 200 else None,
                last_error=error,
            )

    def _mail(self, users: dict[str, User]) -> None:
        """The support mailbox (switched off: the demo has no mail server) and what
        customers wrote to it, recorded as the worker records what it reads
        (messaging.mail_in): a new email that opened a request, with its photo, and an
        answer that found its request by the tracking code in the subject."""
        if Mailbox.objects.exists():
            return
        mailbox = Mailbox.objects.create(
            name="پشتیبانی",
            address="support@peyvand.example",
            host="imap.peyvand.example",
            username="support@peyvand.example",
            password="demo-password",  # noqa: S106 - the demo's mailbox reads nothing
            is_active=False,
            owner=users["manager"],
            opens="service.request",
            assignee=users["support"],
        )
        customer = Contact.objects.exclude(email="").order_by("id").first()
        answered = Request.objects.order_by("id").first()
        emails = [
            data.customer_email(
                sender="Babak Nouri <babak.nouri@example.ir>",
                subject="خرابی دستگاه کارت‌خوان فروشگاه",
                text="سلام، دستگاه کارت‌خوان فروشگاه از دیروز روشن نمی‌شود. عکس صفحه پیوست است."
                "\nبا تشکر، بابک نوری — ۰۹۱۲۳۴۵۶۷۸۹",
                photo=True,
            )
        ]
        if customer is not None and answered is not None:
            emails.append(
                data.customer_email(
                    sender=f"{customer.name} <{customer.email}>",
                    subject=f"پاسخ: درخواست {answered.tracking_code}",
                    text="ممنون از پیگیری؛ کارشناس شما امروز تماس گرفت و مشکل برطرف شد.",
                )
            )
        for uid, raw in enumerate(emails, start=1):
            mail_in.record_email(mailbox, raw, uid_validity=1, uid=uid)
        Mailbox.objects.filter(pk=mailbox.pk).update(uid_validity=1, last_uid=len(emails))

    def _bale(self, users: dict[str, User]) -> None:
        """The company's Bale bot (make demo runs a fake Bale Bot API for it) and a
        customer who wrote to it, handled as the worker handles what it reads
        (messaging.bale): the customer who answered our SMS shares their number with the
        bot and asks about the proforma, in the same conversation."""
        if MessengerLink.objects.exists():
            return
        config = BaleSettings.load()
        config.is_active = True
        config.owner = users["support"]
        config.opens = "service.request"
        config.assignee = users["support"]
        config.bot_username = "peyvand_bot"
        config.save()
        answered = (
            Message.objects.filter(channel="sms", direction="in", contact__isnull=False)
            .order_by("pk")
            .first()
        )
        if answered is None:
            return
        customer = answered.contact
        chat = 7001
        person = {"id": chat, "is_bot": False, "first_name": customer.name}
        now = int(timezone.now().timestamp())
        steps = [
            {"contact": {"phone_number": customer.mobile, "user_id": chat}},
            {"text": "سلام، پیش‌فاکتور را دیدم. برای ۱۰ دستگاه هم همین قیمت است؟"},
        ]
        for offset, step in enumerate(steps):
            update = {
                # Far above the fake's own update ids, which start at 1 every demo.
                "update_id": 900_001 + offset,
                "message": {
                    "message_id": offset + 1,
                    "from": person,
                    "chat": {"id": chat, "type": "private"},
                    "date": now - 600 + offset * 60,
                    **step,
                },
            }
            bale.handle_update(config, update)

    def _requests(self, users: dict[str, User]) -> None:
        """The service desk: requests between support and the manager at each step of
        the workflow, registered through the services (tracking codes, deadlines)."""
        if Request.all_objects.exists():
            return
        support, manager = users["support"], users["manager"]
        phone = LookupChannel.objects.filter(name="تلفن").first()
        urgencies = {u.name: u for u in Urgency.objects.all()}
        normal = urgencies.get("عادی") or Urgency.objects.first()
        urgent = urgencies.get("فوری") or normal
        customers = list(Contact.objects.order_by("id")[:6])
        rows = [
            ("دستگاه یو پی اس روشن نمی‌شود", urgent, manager, "open"),
            ("درخواست نصب تابلو در کارگاه دوم", normal, manager, "done"),
            ("صورت‌حساب اسفند دوباره فرستاده شود", normal, support, "open"),
            ("کابل‌کشی طبقه همکف ناقص مانده است", normal, manager, "rejected"),
            ("آموزش کار با نرم‌افزار انبار", normal, manager, "archived"),
        ]
        for number, (text, urgency, assignee, step) in enumerate(rows):
            creator = support if assignee == manager else manager
            item = service_services.request_register(
                request=Request(
                    contact=customers[number % len(customers)] if customers else None,
                    channel=phone,
                    subject=text,
                    description=f"{text}. مشتری تلفنی تماس گرفت و پیگیری خواست.",
                    urgency=urgency,
                    assignee=assignee,
                ),
                by=creator,
            )
            if step in ("done", "rejected", "archived"):
                service_services.request_done(request=item, by=assignee, result="انجام شد.")
            if step == "rejected":
                service_services.request_reject(
                    request=item, by=creator, note="پریزهای اتاق جلسه هنوز برق ندارند."
                )
            if step == "archived":
                service_services.request_archive(request=item, by=creator)
