"""Writes of sales: leads and their follow-ups (with the reminders of their next dates),
the pipeline, and turning a follow-up into a task."""

import datetime
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from peyvand.activities.models import Task
from peyvand.activities.reminders import (
    notify,
    pending_reminders,
    reminder_clear,
    reminder_set,
)
from peyvand.activities.services import task_save
from peyvand.contacts.models import Contact
from peyvand.contacts.services import contact_create
from peyvand.core import events
from peyvand.core.dates import to_jalali
from peyvand.core.history import snapshot
from peyvand.core.models import SiteSettings
from peyvand.core.sequences import ensure_sequence, next_code
from peyvand.core.services import record_delete, record_save
from peyvand.core.text import to_persian_digits
from peyvand.core.versions import check_version
from peyvand.messaging.models import Channel, Message
from peyvand.messaging.services import message_queue
from peyvand.sales.credit import enforce_credit_limit
from peyvand.sales.documents import document_filename, document_pdf
from peyvand.sales.models import (
    FiscalYear,
    FollowUp,
    Invoice,
    InvoiceInstalment,
    InvoiceLine,
    InvoiceSubject,
    Lead,
    PaymentTerms,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    QuoteInstalment,
    QuoteLine,
    current_fiscal_year,
    plain_decimal,
)
from peyvand.sales.pricing import fill_customer_prices, price_lines, vat_rate_on
from peyvand.sales.selectors import carried_into
from peyvand.sales.terms import InstalmentPlan, due_date, instalment_schedule, rescheduled

LEAD_SEQUENCE = "lead"
FOLLOWUP_REMINDER = "followup"


# Leads ---------------------------------------------------------------------------------


@transaction.atomic
def lead_save(
    *,
    lead: Lead,
    by,
    before: dict | None = None,
    version: datetime.datetime | None = None,
    new_contact: Contact | None = None,
    new_contact_phones: list[dict] | None = None,
    tell: bool = True,
) -> Lead:
    """Creates (``before`` None) or changes a lead (refused if stale: ``version``, see
    core.versions). ``new_contact`` is a contact typed into the lead form: it is created
    in the same transaction and becomes the lead's. A new responsible is told, unless
    ``tell`` is off (a hand-over of many tells once)."""
    if new_contact is not None:
        lead.contact = contact_create(contact=new_contact, phones=new_contact_phones or [], by=by)
    creating = before is None
    if creating:
        ensure_sequence(LEAD_SEQUENCE, "سرنخ‌ها", pattern="L{سال}{شماره}", padding=5)
        lead.code = next_code(LEAD_SEQUENCE, model=Lead, field="code")
        if not lead.responsible_id:
            lead.responsible = by
    record_save(record=lead, by=by, before=before, version=version)
    handed_over = creating or before.get("responsible_id") != lead.responsible_id
    if tell and handed_over and lead.responsible_id != by.pk:
        _tell_responsible(lead, by)
    return lead


def _tell_responsible(lead: Lead, by) -> None:
    notify(
        user=lead.responsible,
        title=f"سرنخ {lead.code} از {by} به شما سپرده شد",
        body=f"{lead.title} — {lead.contact}",
        url=lead.get_absolute_url(),
    )


@transaction.atomic
def leads_hand_over(*, leads, responsible, by) -> int:
    """Hands the given leads to ``responsible`` (the lead list's bulk action): each one
    saved as the lead form saves it (history); how many changed. The newcomer is told
    once — of one lead as the form tells, of several in one notification that opens
    their leads — not five thousand times for a big hand-over."""
    changed = []
    for lead in leads.select_for_update():
        if lead.responsible_id == responsible.pk:
            continue
        before = snapshot(lead)
        lead.responsible = responsible
        lead_save(lead=lead, by=by, before=before, tell=False)
        changed.append(lead)
    if not changed or responsible.pk == by.pk:
        pass
    elif len(changed) == 1:
        _tell_responsible(changed[0], by)
    else:
        notify(
            user=responsible,
            title=f"{len(changed):,} سرنخ از {by} به شما سپرده شد",
            url=reverse("sales:lead_list") + "?responsible=me",
        )
    return len(changed)


@transaction.atomic
def lead_close(*, lead: Lead, by, status: str, reason: str = "") -> Lead:
    """Closes a lead as won or lost (lost needs a reason); its pending follow-ups are
    settled and their reminders dropped."""
    if status not in (Lead.Status.WON, Lead.Status.LOST):
        raise ValidationError("نتیجه سرنخ را موفق یا ناموفق انتخاب کنید.")
    if status == Lead.Status.LOST and not reason.strip():
        raise ValidationError("علت ناموفق بودن سرنخ را بنویسید.")
    before = snapshot(lead)
    lead.status = status
    lead.lost_reason = reason.strip() if status == Lead.Status.LOST else ""
    lead.closed_at = timezone.now()
    lead.next_at = None
    lead.next_by = None
    record_save(record=lead, by=by, before=before)
    settle_followups(FollowUp.objects.filter(lead=lead))
    return lead


@transaction.atomic
def lead_reopen(*, lead: Lead, by) -> Lead:
    before = snapshot(lead)
    lead.status = Lead.Status.OPEN
    lead.lost_reason = ""
    lead.closed_at = None
    record_save(record=lead, by=by, before=before)
    return lead


@transaction.atomic
def lead_set_stage(*, lead: Lead, by, stage: str) -> bool:
    """Moves an open lead to a pipeline stage (the board's drag and drop); False if it
    was there already."""
    if stage not in Lead.Stage.values:
        raise ValueError(stage)
    if lead.stage == stage:
        return False
    before = snapshot(lead)
    lead.stage = stage
    record_save(record=lead, by=by, before=before)
    return True


@transaction.atomic
def lead_delete(*, lead: Lead, by) -> None:
    """To the trash; its pending follow-ups are settled and their reminders dropped (no
    alarm rings for a lead nobody sees), and come back with it when it is restored."""
    pending = list(_pending(FollowUp.objects.filter(lead=lead)))
    record_delete(
        record=lead,
        by=by,
        touching=[pending, pending_reminders(targets=pending, purpose=FOLLOWUP_REMINDER)],
    )
    settle_followups(FollowUp.objects.filter(lead=lead))


# Follow-ups ----------------------------------------------------------------------------


def _pending(followups):
    return followups.filter(settled_at__isnull=True, next_at__isnull=False)


def settle_followups(followups) -> None:
    """Settles follow-ups whose next date is now answered (or moot) and drops their
    reminders."""
    pending = list(_pending(followups))
    if not pending:
        return
    FollowUp.all_objects.filter(pk__in=[f.pk for f in pending]).update(settled_at=timezone.now())
    for followup in pending:
        reminder_clear(target=followup, purpose=FOLLOWUP_REMINDER)


def followup_audience(followup: FollowUp) -> list:
    """Who is reminded of a follow-up's next date: its author, the lead's responsible
    user, and the user it was referred to."""
    people = {followup.owner_id: followup.owner}
    if followup.lead_id:
        people.setdefault(followup.lead.responsible_id, followup.lead.responsible)
    elif followup.complaint_id:
        people.setdefault(followup.complaint.officer_id, followup.complaint.officer)
    if followup.referred_to_id:
        people.setdefault(followup.referred_to_id, followup.referred_to)
    return list(people.values())


def _remind(followup: FollowUp) -> None:
    subject = followup.subject
    for user in followup_audience(followup):
        reminder_set(
            user=user,
            due_at=followup.next_at,
            title=f"پیگیری {subject}",
            body=followup.description[:300],
            target=followup,
            purpose=FOLLOWUP_REMINDER,
        )


# Why a subject takes no follow-up, by its kind.
CLOSED_SUBJECT = {
    "lead": "این سرنخ بسته شده است؛ برای پیگیری، اول آن را باز کنید.",
    "quote": "این پیش فاکتور دیگر در جریان نیست؛ پیگیری فقط روی پیش‌نویس یا ارسال‌شده ثبت می‌شود.",
    "complaint": "این شکایت بسته شده است؛ برای پیگیری، اول آن را دوباره باز کنید.",
}


def _responsible(subject):
    """Whose turn a subject's next follow-up is when nobody is referred to."""
    name = subject._meta.model_name
    if name == "lead":
        return subject.responsible
    return subject.officer if name == "complaint" else subject.owner


@transaction.atomic
def followup_log(*, followup: FollowUp, by) -> FollowUp:
    """Logs a follow-up on a lead, a proforma or a complaint: it settles the earlier
    pending one, becomes the lead's last result, and its next date (if any) is reminded
    to the author, the responsible user (the lead's, the proforma's owner, the
    complaint's control officer) and the referred user, whose turn it then is."""
    lead = followup.lead
    subject = followup.subject
    if not subject.is_open:
        raise ValidationError(CLOSED_SUBJECT[subject._meta.model_name])
    followup.owner = by
    followup.priority = followup.result.priority
    if followup.next_at is not None:
        followup.next_by = followup.referred_to or _responsible(subject)
    settle_followups(subject.followups.all())
    record_save(record=followup, by=by)
    if followup.next_at is not None:
        _remind(followup)
    if followup.referred_to_id and followup.referred_to_id != by.pk:
        notify(
            user=followup.referred_to,
            title=f"پیگیری {followup.subject} از {by} به شما ارجاع شد",
            body=followup.description[:300],
            url=followup.get_absolute_url(),
        )
    if lead is not None:
        # The lead's denormalised columns, written without a history line of their own
        # (the follow-up is the history); the caller's lead object follows.
        lead.last_result = followup.result
        lead.last_followup_at = followup.at
        lead.next_at = followup.next_at
        lead.next_by = followup.next_by
        if lead.stage == Lead.Stage.NEW:
            lead.stage = Lead.Stage.CONTACTED
        lead.updated_at = timezone.now()
        columns = ["last_result", "last_followup_at", "next_at", "next_by", "stage", "updated_at"]
        Lead.objects.filter(pk=lead.pk).update(**{name: getattr(lead, name) for name in columns})
    return followup


@transaction.atomic
def followup_to_task(*, followup: FollowUp, by) -> Task:
    """Turns a follow-up into a task for whoever's turn the next step is (the user
    themself when that is not theirs to hand out), due on its next date."""
    if followup.task_id:
        return followup.task
    assignee = followup.next_by or by
    if assignee != by and not by.has_perm("activities.assign_task"):
        assignee = by
    due = followup.next_at or timezone.now()
    text = followup.description or str(followup.result)
    task = Task(
        assignee=assignee,
        date=timezone.localtime(due).date(),
        description=f"پیگیری {followup.subject}: {text}",
        related=followup.subject if followup.lead_id else followup.subject.contact,
    )
    task_save(task=task, by=by)
    FollowUp.objects.filter(pk=followup.pk).update(task=task)
    followup.task = task
    return task


# Proformas and invoices ----------------------------------------------------------------

QUOTE_SEQUENCE = "quote"
INVOICE_SEQUENCE = "invoice"


def _number(kind: str) -> str:
    """The next number of a yearly series: «1405/00012», restarting each Jalali year."""
    name, model = ("پیش فاکتورها", Quote) if kind == QUOTE_SEQUENCE else ("فاکتورها", Invoice)
    ensure_sequence(kind, name, pattern="{سال}/{شماره}", padding=5, yearly=True)
    return next_code(kind, model=model, field="number")


def _price(document, lines) -> None:
    """The customer's prices where the rep left them empty, the VAT rate in force on
    the document's date, and its totals."""
    fill_customer_prices(lines, document.contact)
    document.vat_percent = vat_rate_on(document.date)
    for name, value in price_lines(lines, document.vat_percent).items():
        setattr(document, name, value)


def _replace_lines(document, lines, line_model) -> None:
    document.lines.all().delete()
    for order, line in enumerate(lines):
        line.pk = None
        line.document = document
        line.order = order
    line_model.objects.bulk_create(lines)


def _schedule(document, plan: InstalmentPlan | None) -> list[tuple[datetime.date, int]]:
    """The document's instalments for its terms (none but for an instalment plan)."""
    if document.payment_terms != PaymentTerms.INSTALLMENTS:
        return []
    if plan is None:
        raise ValidationError({"instalment_count": "برای فروش اقساطی، تعداد اقساط را بنویسید."})
    return instalment_schedule(total=document.total, plan=plan, start=document.date)


def _replace_instalments(document, schedule, model) -> None:
    document.instalments.all().delete()
    model.objects.bulk_create(
        model(document=document, due_date=day, amount=amount, order=order)
        for order, (day, amount) in enumerate(schedule)
    )


@transaction.atomic
def quote_save(
    *,
    quote: Quote,
    lines: list[QuoteLine],
    by,
    before: dict | None = None,
    version: datetime.datetime | None = None,
    plan: InstalmentPlan | None = None,
    credit_confirmed: bool = False,
) -> Quote:
    """Creates or changes a proforma with its lines and payment terms (an instalment
    plan's ``plan`` gives its schedule); a change is refused if stale (``version``, see
    core.versions). The VAT rate in force on its date is stored on it, so a later change
    of the rate table leaves it as it was sent."""
    if before is not None and quote.status not in Quote.IN_PLAY:
        raise ValidationError("پیش فاکتور پذیرفته، لغو یا منقضی شده را نمی‌توان ویرایش کرد.")
    if not lines:
        raise ValidationError("پیش فاکتور دست‌کم یک ردیف لازم دارد.")
    if before is None:
        quote.number = _number(QUOTE_SEQUENCE)
        quote.fiscal_year = to_jalali(quote.date).year
        if quote.lead_id and not quote.contact_id:
            quote.contact = quote.lead.contact
    _price(quote, lines)
    schedule = _schedule(quote, plan)
    enforce_credit_limit(quote.contact, quote.total, by=by, confirmed=credit_confirmed)
    record_save(record=quote, by=by, before=before, version=version)
    _replace_lines(quote, lines, QuoteLine)
    _replace_instalments(quote, schedule, QuoteInstalment)
    if quote.lead_id and before is None and quote.lead.is_open:
        lead_set_stage(lead=quote.lead, by=by, stage=Lead.Stage.PROPOSAL)
    return quote


@transaction.atomic
def quote_set_status(*, quote: Quote, by, status: str, reason: str = "") -> Quote:
    """sent / accepted / expired / cancelled (with a reason). An invoiced proforma stays
    as it is."""
    allowed = {
        Quote.Status.SENT: {Quote.Status.DRAFT},
        Quote.Status.ACCEPTED: {Quote.Status.DRAFT, Quote.Status.SENT},
        Quote.Status.EXPIRED: {Quote.Status.DRAFT, Quote.Status.SENT},
        Quote.Status.CANCELLED: {Quote.Status.DRAFT, Quote.Status.SENT, Quote.Status.ACCEPTED},
    }
    if status not in allowed or quote.status not in allowed[status]:
        raise ValidationError("این تغییر وضعیت برای این پیش فاکتور ممکن نیست.")
    if hasattr(quote, "invoice"):
        raise ValidationError("از این پیش فاکتور فاکتور صادر شده است.")
    if status == Quote.Status.CANCELLED and not reason.strip():
        raise ValidationError("علت لغو را بنویسید.")
    before = snapshot(quote)
    quote.status = status
    quote.cancel_reason = reason.strip() if status == Quote.Status.CANCELLED else ""
    record_save(record=quote, by=by, before=before)
    if status != Quote.Status.SENT:
        settle_followups(FollowUp.objects.filter(quote=quote))
    return quote


@transaction.atomic
def quote_to_invoice(*, quote: Quote, by, credit_confirmed: bool = False) -> Invoice:
    """Issues the invoice of an accepted proforma: same party, kind, lines, VAT rate and
    payment terms, today's date and the next invoice number. Once only (a one-to-one
    link), and within the customer's credit limit (sales.credit)."""
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status != Quote.Status.ACCEPTED:
        raise ValidationError("فقط از پیش فاکتور پذیرفته‌شده فاکتور صادر می‌شود.")
    if Invoice.all_objects.filter(quote=quote).exists():
        raise ValidationError("از این پیش فاکتور پیش‌تر فاکتور صادر شده است.")
    enforce_credit_limit(quote.contact, quote.total, by=by, confirmed=credit_confirmed)
    today = timezone.localdate()
    invoice = Invoice(
        number=_number(INVOICE_SEQUENCE),
        fiscal_year=to_jalali(today).year,
        quote=quote,
        contact_id=quote.contact_id,
        lead_id=quote.lead_id,
        kind=quote.kind,
        money_unit=quote.money_unit,
        date=today,
        notes=quote.notes,
        payment_terms=quote.payment_terms,
        credit_days=quote.credit_days,
        owner=by,
        # The proforma's rate and amounts: what the customer accepted.
        **{
            name: getattr(quote, name)
            for name in ("vat_percent", "subtotal", "discount_total", "vat_total", "total")
        },
    )
    # What the customer accepted: the proforma's plan as it was agreed.
    schedule = [(row.due_date, row.amount) for row in quote.instalments.all()]
    invoice.due_date = due_date(invoice, schedule)
    record_save(record=invoice, by=by)
    _replace_instalments(invoice, schedule, InvoiceInstalment)
    lines = [
        InvoiceLine(
            document=invoice,
            **{
                field: getattr(line, field)
                for field in ("product_id", "description", "quantity", "unit", "unit_price",
                              "discount", "vat_applies", "amount", "vat", "order")
            },
        )
        for line in quote.lines.all()
    ]  # fmt: skip
    InvoiceLine.objects.bulk_create(lines)
    if quote.lead_id and quote.lead.is_open:
        lead_close(lead=quote.lead, by=by, status=Lead.Status.WON)
    # The customer owes it now (the finance app opens it on their account).
    events.publish(INVOICE_ISSUED, invoice=invoice, by=by, replaces=None)
    return invoice


# Published when an invoice is issued: invoice=, by=, and replaces= (the invoice it
# replaces: a correction, return or cancellation of it; None for an original).
INVOICE_ISSUED = "sales.invoice_issued"

# Copied from the replaced invoice onto its correction, return or cancellation.
_CARRIED = ("contact_id", "lead_id", "kind", "money_unit", "payment_terms", "credit_days")
_LINE_FIELDS = (
    "product_id", "description", "quantity", "unit", "unit_price", "discount", "vat_applies",
)  # fmt: skip


def _returned_lines(invoice: Invoice, returned: dict[int, Decimal]) -> list[InvoiceLine]:
    """The lines left after goods come back (برگشت از فروش): each row's quantity less
    what was returned, its price as sold and its discount in proportion; rows returned
    whole are dropped. The rules are the tax organisation's: quantities only go down,
    at least one does, and not every one to nothing (that is a cancellation)."""
    kept, reduced = [], False
    for line in invoice.lines.all():
        back = returned.get(line.pk) or Decimal(0)
        if back < 0 or back > line.quantity:
            raise ValidationError(
                f"ردیف «{line.description}»: مقدار برگشتی باید بین صفر و "
                f"{to_persian_digits(str(plain_decimal(line.quantity)))} باشد."
            )
        reduced = reduced or back > 0
        left = line.quantity - back
        if left == 0:
            continue
        fields = {name: getattr(line, name) for name in _LINE_FIELDS}
        fields["quantity"] = left
        fields["discount"] = round(Decimal(line.discount) * left / line.quantity)
        kept.append(InvoiceLine(**fields))
    if not reduced:
        raise ValidationError("مقدار برگشتی دست‌کم یک ردیف را بنویسید.")
    if not kept:
        raise ValidationError(
            "همه ردیف‌ها برگشت داده شده‌اند؛ به جای برگشت از فروش، فاکتور را ابطال کنید."
        )
    return kept


@transaction.atomic
def invoice_adjust(
    *,
    invoice: Invoice,
    subject: int,
    by,
    lines: list[InvoiceLine] | None = None,
    returned: dict[int, Decimal] | None = None,
    notes: str = "",
) -> Invoice:
    """Replaces an issued invoice, which is never edited, by a new one of the subject
    سامانه مودیان defines (docs/moadian-research.md §4.6): a correction (اصلاحی) with
    the corrected ``lines``, a return (برگشت از فروش) with the quantities ``returned``
    per line id taken off, or a cancellation (ابطالی) owing nothing. The new invoice
    takes the next number and today's date, keeps the party, kind, VAT rate and terms
    (a plan's dates, its amounts rescheduled), and refers to the one it replaces, which
    is marked superseded. ``sales.invoice_issued`` (with ``replaces``) lets the finance
    app move the debt to it and the tax app send it."""
    reference = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if reference.superseded:
        latest = reference.adjustments.order_by("-id").first()
        raise ValidationError(
            f"این فاکتور پیش‌تر با {to_persian_digits(str(latest))} جایگزین شده است؛ "
            "آخرین نسخه را اصلاح کنید."
        )
    if reference.subject == InvoiceSubject.CANCELLATION:
        raise ValidationError("فاکتور ابطالی را نمی‌توان اصلاح یا برگشت کرد.")
    if subject == InvoiceSubject.CORRECTION:
        if not lines:
            raise ValidationError("فاکتور اصلاحی دست‌کم یک ردیف لازم دارد.")
    elif subject == InvoiceSubject.RETURN:
        lines = _returned_lines(reference, returned or {})
    elif subject == InvoiceSubject.CANCELLATION:
        lines = []
        if not notes.strip():
            raise ValidationError({"notes": "علت ابطال را بنویسید."})
    else:
        raise ValidationError("موضوع فاکتور درست نیست.")
    today = timezone.localdate()
    adjustment = Invoice(
        number=_number(INVOICE_SEQUENCE),
        fiscal_year=to_jalali(today).year,
        subject=subject,
        reference=reference,
        date=today,
        notes=notes.strip() or reference.notes,
        owner=by,
        **{name: getattr(reference, name) for name in _CARRIED},
    )
    # The sale's own VAT rate: a correction prices what was sold then, not today.
    fill_customer_prices(lines, reference.contact)
    adjustment.vat_percent = reference.vat_percent
    for name, value in price_lines(lines, reference.vat_percent).items():
        setattr(adjustment, name, value)
    if adjustment.total > reference.total:
        # Only the increase is new credit; a user allowed past the limit needs no
        # second confirmation for a correction.
        enforce_credit_limit(
            reference.contact, adjustment.total - reference.total, by=by, confirmed=True
        )
    schedule = rescheduled(
        [(row.due_date, row.amount) for row in reference.instalments.all()], adjustment.total
    )
    adjustment.due_date = schedule[-1][0] if schedule else reference.due_date
    record_save(record=adjustment, by=by)
    _replace_lines(adjustment, lines, InvoiceLine)
    _replace_instalments(adjustment, schedule, InvoiceInstalment)
    before = snapshot(reference)
    reference.superseded = True
    record_save(record=reference, by=by, before=before)
    events.publish(INVOICE_ISSUED, invoice=adjustment, by=by, replaces=reference)
    return adjustment


def invoice_set_paid(*, invoice_id: int, paid: int) -> None:
    """What cleared money has settled of an invoice, as the finance app counts it."""
    Invoice.objects.filter(pk=invoice_id).update(paid=paid)


# A proforma's link in an SMS opens its PDF without a login for this long; the signed
# link carries the proforma's id and the time it was made, nothing to store or guess.
SHARE_LINK_SALT = "sales.quote-pdf"
SHARE_LINK_AGE = datetime.timedelta(days=30)


def quote_share_token(quote: Quote) -> str:
    return signing.TimestampSigner(salt=SHARE_LINK_SALT).sign(str(quote.pk))


def quote_from_share_token(token: str) -> Quote | None:
    """The proforma a link names, while the link is fresh and the proforma not deleted."""
    try:
        pk = signing.TimestampSigner(salt=SHARE_LINK_SALT).unsign(token, max_age=SHARE_LINK_AGE)
    except signing.BadSignature:
        return None
    return Quote.objects.select_related("contact").filter(pk=int(pk)).first()


@transaction.atomic
def quote_send(*, quote: Quote, by, channel: str, to: str, subject: str, body: str) -> Message:
    """Puts the proforma in the outbox for its customer: by email with the PDF attached,
    or by SMS (whose text carries the PDF's link). A draft becomes «ارسال شده».
    Raises messaging's NotSendable with a Persian reason."""
    attachments = []
    if channel == Channel.EMAIL:
        pdf = document_pdf(quote, company=SiteSettings.load())
        attachments = [(document_filename(quote), pdf, "application/pdf")]
    message = message_queue(
        channel=channel,
        to=to,
        subject=subject if channel == Channel.EMAIL else "",
        body=body,
        by=by,
        contact=quote.contact,
        related=quote,
        attachments=attachments,
    )
    if quote.status == Quote.Status.DRAFT:
        quote_set_status(quote=quote, by=by, status=Quote.Status.SENT)
    return message


# Fiscal years -----------------------------------------------------------------------


@transaction.atomic
def fiscal_year_open(*, year: int, by) -> FiscalYear:
    """The opening (افتتاحیه) of a Jalali year, once, from its first day on: the
    proformas still in play (draft or sent) and the open leads of earlier years are
    carried into it, so the new year's lists and reports show what is still being
    worked. Documents already decided stay in their own year."""
    if year > current_fiscal_year():
        raise ValidationError(
            f"سال مالی {year} هنوز نرسیده است؛ افتتاحیه از نخستین روز فروردین آن ممکن است."
        )
    if FiscalYear.objects.filter(year__gte=year).exists():
        raise ValidationError(f"سال مالی {year} یا سالی پس از آن پیش‌تر افتتاح شده است.")
    try:
        with transaction.atomic():
            opening = FiscalYear.objects.create(year=year, opened_by=by)
    except IntegrityError:  # another manager opened it a moment ago
        raise ValidationError(f"سال مالی {year} پیش‌تر افتتاح شده است.") from None
    quotes, leads = carried_into(year)
    opening.carried_quotes = quotes.update(fiscal_year=year)
    opening.carried_leads = leads.update(fiscal_year=year)
    opening.save(update_fields=["carried_quotes", "carried_leads"])
    return opening


@transaction.atomic
def price_list_save(*, price_list: PriceList, items: list[PriceListItem]) -> PriceList:
    """Saves a price list with its prices (replacing the earlier ones)."""
    price_list.save()
    price_list.items.all().delete()
    for item in items:
        item.price_list = price_list
    PriceListItem.objects.bulk_create(items)
    return price_list


@transaction.atomic
@transaction.atomic
def product_save(*, product: Product, version: datetime.datetime | None = None) -> Product:
    """Creates or changes a catalogue line (a change refused if stale: ``version``, see
    core.versions)."""
    check_version(product, version)
    product.save()
    return product
