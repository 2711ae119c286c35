"""Online payment of invoices (پرداخت آنلاین) through a gateway (finance.gateways).

A customer opens the invoice's pay link (signed, like a proforma's share link: the link
is the credential), which starts a payment of what the invoice still owes — or of one
of its instalments (its account line, ``Entry``; a link may name one) — and sends them
to the gateway. The gateway sends them back to the callback, which is never trusted
alone: the payment must be ours (its authority), the server verifies it with the amount
stored here, and only then is a receipt recorded — once, under the payment's row lock,
so a replayed or concurrent callback finds it paid and records nothing."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from peyvand.core.digits import localize_text
from peyvand.core.money import format_money
from peyvand.finance import services
from peyvand.finance.gateways import (
    PaymentGatewayError,
    PaymentRequest,
    get_payment_gateway,
    payment_gateway_class,
)
from peyvand.finance.models import Entry, Method, OnlinePayment, Receipt
from peyvand.sales.models import Invoice

PAY_LINK_SALT = "finance.invoice-pay"
PAY_LINK_AGE = datetime.timedelta(days=30)


class PaymentRefused(Exception):
    """A payment that cannot start or a callback that records nothing, in Persian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PayLink:
    """What a pay link opens: an invoice and, for a link of one instalment, its line."""

    invoice: Invoice
    instalment_id: int | None = None


def pay_token(invoice: Invoice, instalment: Entry | None = None) -> str:
    data = {"invoice": invoice.pk}
    if instalment is not None:
        data["part"] = instalment.pk
    return signing.dumps(data, salt=PAY_LINK_SALT, compress=True)


def pay_link_from_token(token: str) -> PayLink | None:
    """The link behind a token, or None; tokens made before instalments could be paid
    alone carry the invoice only (the whole rest)."""
    try:
        data = signing.loads(token, salt=PAY_LINK_SALT, max_age=PAY_LINK_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    invoice = Invoice.objects.select_related("contact").filter(pk=data.get("invoice")).first()
    if invoice is None:
        return None
    part = data.get("part")
    return PayLink(invoice=invoice, instalment_id=part if isinstance(part, int) else None)


def instalments(invoice: Invoice) -> list[Entry]:
    """The invoice's account lines in due order: one line, or one per instalment, each
    with its ``number`` (see instalment_number)."""
    parts = list(Entry.objects.filter(invoice=invoice).order_by("due_date", "id"))
    for number, part in enumerate(parts, start=1):
        part.number = number if len(parts) > 1 else None
    return parts


def instalment_number(instalment: Entry) -> int | None:
    """Which instalment of its invoice this line is (1 for the first, the down payment
    if there is one); None for an invoice of one line, which has no instalments."""
    if hasattr(instalment, "number"):
        return instalment.number
    earlier = Q(due_date__lt=instalment.due_date) | Q(
        due_date=instalment.due_date, id__lt=instalment.pk
    )
    counts = Entry.objects.filter(invoice_id=instalment.invoice_id).aggregate(
        earlier=Count("id", filter=earlier), parts=Count("id")
    )
    return counts["earlier"] + 1 if counts["parts"] > 1 else None


def paying_for(invoice: Invoice, instalment: Entry | None = None) -> str:
    """«قسط ۲ فاکتور ۱۴۰۵-۰۰۱۲» for one instalment of a plan, «فاکتور ۱۴۰۵-۰۰۱۲»
    otherwise."""
    text = f"فاکتور {invoice.number}"
    number = instalment_number(instalment) if instalment is not None else None
    return f"قسط {number} {text}" if number else text


def payable(invoice: Invoice) -> int:
    """What is left to pay online: the invoice's parts not settled by anything yet (a
    cheque in hand counts as settling its part until it bounces)."""
    open_parts = Entry.objects.filter(invoice=invoice).aggregate(
        rest=Sum(F("debit") - F("allocated"))
    )["rest"]
    return int(open_parts or 0)


def _gateway():
    try:
        return get_payment_gateway()
    except ImproperlyConfigured as error:  # no merchant id set
        raise PaymentRefused("پرداخت آنلاین هنوز برای این شرکت راه‌اندازی نشده است.") from error


def gateway_origin() -> str:
    """The gateway's own origin ("https://payment.zarinpal.com"): the pay page's form
    redirects there, which the Content-Security-Policy's form-action must allow."""
    try:
        gateway = get_payment_gateway()
    except ImproperlyConfigured:
        return ""
    with gateway:
        url = urlsplit(getattr(gateway, "base_url", ""))
    return f"{url.scheme}://{url.netloc}" if url.scheme in ("http", "https") else ""


def payment_start(
    *, invoice: Invoice, callback_url: str, instalment_id: int | None = None
) -> tuple[OnlinePayment, str]:
    """Starts paying what the invoice still owes, or what is open of one of its
    instalments (``instalment_id``, its account line); returns the payment and the
    gateway's page to send the buyer to."""
    instalment = None
    if instalment_id is None:
        amount = payable(invoice)
        if amount <= 0:
            raise PaymentRefused("این فاکتور مانده‌ای برای پرداخت ندارد.")
    else:
        instalment = Entry.objects.filter(pk=instalment_id, invoice=invoice).first()
        if instalment is None:
            raise PaymentRefused("این قسط از اقساط این فاکتور نیست.")
        amount = instalment.open_amount
        if amount <= 0:
            raise PaymentRefused("این قسط پرداخت شده است.")
    gateway = _gateway()
    payment = OnlinePayment.objects.create(
        invoice=invoice,
        instalment=instalment,
        contact=invoice.contact,
        amount=amount,
        gateway=gateway.name,
    )
    with gateway:
        try:
            started = gateway.start(
                PaymentRequest(
                    amount=amount,
                    # The gateway shows it to the buyer: the display rule's digits.
                    description=localize_text(
                        f"پرداخت {paying_for(invoice, instalment)}", isolate=False
                    ),
                    callback_url=callback_url,
                    order_id=str(payment.pk),
                    mobile=invoice.contact.mobile,
                    email=invoice.contact.email,
                )
            )
        except PaymentGatewayError as error:
            _finish(payment, OnlinePayment.Status.FAILED, error=error.message)
            raise PaymentRefused(error.message) from error
    payment.authority = started.authority
    payment.save(update_fields=["authority"])
    return payment, started.redirect_url


def _finish(payment: OnlinePayment, status: str, **fields) -> None:
    payment.status = status
    payment.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(payment, name, value)
    payment.save(update_fields=["status", "finished_at", *fields])


@transaction.atomic
def payment_callback(query) -> OnlinePayment:
    """The buyer is back from the gateway: verifies and records the payment once."""
    gateway = _gateway()
    with gateway:
        try:
            callback = gateway.parse_callback(query)
        except PaymentGatewayError as error:
            raise PaymentRefused(error.message) from error
        # The payment's row only (of=self): a plain FOR UPDATE would lock the joined
        # invoice too, which a receipt on the same customer writes (its paid total)
        # while holding the account lock this callback waits for — a deadlock.
        payment = (
            OnlinePayment.objects.select_for_update(of=("self",))
            .select_related("invoice__contact", "invoice__owner")
            .filter(authority=callback.authority, gateway=gateway.name)
            .first()
        )
        if payment is None:
            raise PaymentRefused("این پرداخت در سامانه ما ثبت نشده است.")
        if payment.status != OnlinePayment.Status.STARTED:
            return payment  # already settled one way or the other: nothing twice
        if not callback.ok:
            _finish(payment, OnlinePayment.Status.CANCELLED)
            return payment
        try:
            verified = gateway.verify(authority=payment.authority, amount=payment.amount)
        except PaymentGatewayError as error:
            if error.retryable:
                raise PaymentRefused(
                    f"{error.message} پرداخت شما محفوظ است؛ چند دقیقه دیگر همین صفحه را "
                    "دوباره باز کنید."
                ) from error
            _finish(payment, OnlinePayment.Status.FAILED, error=error.message[:300])
            return payment
    payment.receipt = _record(payment, ref_id=verified.ref_id, card=verified.card_pan)
    _finish(
        payment,
        OnlinePayment.Status.PAID,
        ref_id=verified.ref_id[:40],
        card_pan=verified.card_pan[:24],
        receipt=payment.receipt,
    )
    return payment


def _record(payment: OnlinePayment, *, ref_id: str, card: str) -> Receipt:
    """The receipt of a verified payment, settling its instalment first (when it was for
    one), then the invoice's other open parts (oldest due first); what someone settled
    meanwhile leaves the rest as the customer's credit."""
    invoice = payment.invoice
    services.lock_account(invoice.contact_id)  # the open parts stay as read until commit
    parts = list(
        Entry.objects.filter(invoice=invoice, debit__gt=F("allocated")).order_by("due_date", "id")
    )
    # A stable sort: the instalment paid for first, the others keep their due order.
    parts.sort(key=lambda entry: entry.pk != payment.instalment_id)
    targets, left = [], payment.amount
    for entry in parts:
        part = min(entry.open_amount, left)
        if part > 0:
            targets.append((entry.pk, part))
            left -= part
    label = payment_gateway_class().label
    receipt = Receipt(
        contact=invoice.contact,
        amount=payment.amount,
        method=Method.ONLINE,
        date=timezone.localdate(),
        reference=ref_id[:40],
        note=f"پرداخت آنلاین {paying_for(invoice, payment.instalment)} از درگاه {label}"
        + (f"، کارت {card}" if card else ""),
    )
    # Recorded in the name of whoever issued the invoice: no staff user is present.
    return services.receipt_record(receipt=receipt, by=invoice.owner, targets=targets)


def describe(payment: OnlinePayment) -> str:
    return f"{payment.get_status_display()} — {format_money(payment.amount)}"
