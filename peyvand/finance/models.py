"""Money (مالی): the customer's side of it — receipts and payments, cheques and their life
cycle, and each customer's account (کارت حساب), settled item by item.

The account is open-item: every money event on a contact is an ``Entry``, a debit (the
customer owes: an invoice, an opening debt, a payment to them, a bounced or returned
cheque) or a credit (the customer paid: a receipt, an opening credit). An ``Allocation``
matches part of a credit with part of a debit (a receipt settling an invoice). So

    balance = Σ debits − Σ credits = Σ open parts of debits − Σ unallocated parts of credits

which is why the aging report, bucketing the open parts, adds up to the balances. A credit
is *cleared* when the money is really in (cash, transfer, a verified online payment at once;
a cheque only when it clears): an invoice is *paid* by cleared allocations only, and a
cheque that bounces takes its allocations back.

Totals are kept, not recomputed on each view: ``Entry.allocated``/``settled``, the
invoice's ``paid``, and ``Account`` (one row per contact with its debits, credits and cheques
in hand). The services recompute them for the rows a write touched, under that contact's
account row lock, so two writers on one customer take turns."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.core.models import (
    AllRecordsManager,
    BusinessRecord,
    LiveManager,
    SettingsRow,
    VisibleQuerySet,
    customer_copy_field,
    customer_key_field,
    search_key_field,
)


class ContactVisibleQuerySet(VisibleQuerySet):
    """Money follows its customer: whoever sees the contact sees its receipts and cheques,
    as does whoever recorded them (and their team)."""

    def visibility(self, user) -> Q | None:
        if user.has_perm("accounts.see_all"):
            return None
        team = user.team_member_ids()
        # The customer's owner is on the row (customer_copy_field): no join.
        return Q(customer_owner_id__in=team) | Q(owner_id__in=team)


class BankAccount(models.Model):
    """One of the company's own bank accounts: where receipts land and cheques are
    deposited (خواباندن)."""

    name = models.CharField(_("عنوان"), max_length=100, help_text=_("مثلاً جاری ملت مرکزی"))
    bank = models.CharField(_("بانک"), max_length=60)
    branch = models.CharField(_("شعبه"), max_length=100, blank=True)
    number = models.CharField(_("شماره حساب"), max_length=30, blank=True)
    iban = models.CharField(_("شماره شبا"), max_length=26, blank=True)
    is_active = models.BooleanField(_("فعال"), default=True)

    class Meta:
        verbose_name = _("حساب بانکی شرکت")
        verbose_name_plural = _("حساب‌های بانکی شرکت")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Method(models.TextChoices):
    CASH = "cash", _("نقد")
    POS = "pos", _("کارتخوان")
    CARD = "card", _("کارت به کارت")
    PAYA = "paya", _("پایا")
    SATNA = "satna", _("ساتنا")
    CHEQUE = "cheque", _("چک")
    ONLINE = "online", _("پرداخت آنلاین")


class Receipt(BusinessRecord):
    """دریافت (money from the customer) or پرداخت (money to them: a refund, a returned
    deposit). The owner is whoever recorded it. A cheque receipt carries its ``Cheque``."""

    class Direction(models.TextChoices):
        IN = "in", _("دریافت")
        OUT = "out", _("پرداخت")

    # Receipts and payments are numbered apart («دریافت ۱۴۰۵/۰۰۰۱۲», «پرداخت ۱۴۰۵/۰۰۰۰۳»).
    number = models.CharField(_("شماره"), max_length=30)
    direction = models.CharField(
        _("نوع"), max_length=3, choices=Direction.choices, default=Direction.IN
    )
    contact = models.ForeignKey(
        "contacts.Contact", verbose_name=_("طرف حساب"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("تاریخ"), default=timezone.localdate)
    amount = models.BigIntegerField(_("مبلغ (ریال)"))
    method = models.CharField(_("روش"), max_length=6, choices=Method.choices)
    bank_account = models.ForeignKey(
        BankAccount,
        verbose_name=_("حساب بانکی شرکت"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    terminal = models.CharField(_("شماره پایانه"), max_length=20, blank=True)
    # شماره پیگیری (POS, card-to-card) or شماره مرجع (پایا، ساتنا، online).
    reference = models.CharField(_("شماره پیگیری / مرجع"), max_length=40, blank=True)
    note = models.TextField(_("توضیحات"), blank=True)
    customer_key = customer_key_field()
    customer_owner = customer_copy_field(settings.AUTH_USER_MODEL, _("کارشناس مشتری"))
    # The list's text: number, reference or the customer (trigram index receipt_search_trgm).
    search_key = search_key_field("number", "reference", "customer_key")

    objects = LiveManager.from_queryset(ContactVisibleQuerySet)()
    all_objects = AllRecordsManager.from_queryset(ContactVisibleQuerySet)()

    class Meta:
        verbose_name = _("دریافت و پرداخت")
        verbose_name_plural = _("دریافت‌ها و پرداخت‌ها")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["contact", "-date", "-id"], name="receipt_contact"),
            models.Index(fields=["-date", "-id"], name="receipt_recent"),
            models.Index(fields=["owner", "date"], name="receipt_owner_date"),
            # A rep's rows: their team's customers' (with receipt_owner_date, what they
            # recorded), newest first.
            models.Index(fields=["customer_owner", "-date", "-id"], name="receipt_customer_owner"),
            # The list sorted by amount, and its amount range.
            models.Index(fields=["amount", "id"], name="receipt_amount"),
            models.Index(
                fields=["-deleted_at"], name="receipt_trash", condition=Q(deleted_at__isnull=False)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="receipt_amount_positive",
                violation_error_message=_("مبلغ باید بیشتر از صفر باشد."),
            ),
            models.UniqueConstraint("direction", "number", name="receipt_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse("finance:receipt_detail", args=[self.pk])

    @property
    def is_in(self) -> bool:
        return self.direction == self.Direction.IN

    def restored(self, *, by) -> None:
        from peyvand.finance.services import receipt_restored

        receipt_restored(receipt=self, by=by)


class Cheque(BusinessRecord):
    """چک دریافتی: a customer's cheque, usually post-dated, from its receipt until it is
    cleared, bounced, given back or passed on. Each move is a ``ChequeEvent``."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("در جریان وصول")
        DEPOSITED = "deposited", _("خوابانده شده")
        CLEARED = "cleared", _("وصول شده")
        BOUNCED = "bounced", _("برگشتی")
        RETURNED = "returned", _("عودت داده شده")
        ENDORSED = "endorsed", _("خرج شده")

    # The life cycle: from each state, where a cheque may go next. A bounced cheque may be
    # presented again (the customer funded the account) or given back; an endorsed one
    # clears or bounces at the third party's bank.
    MOVES: dict[str, tuple[str, ...]] = {
        Status.RECEIVED: (
            Status.DEPOSITED, Status.CLEARED, Status.BOUNCED, Status.RETURNED, Status.ENDORSED,
        ),
        Status.DEPOSITED: (Status.CLEARED, Status.BOUNCED),
        Status.ENDORSED: (Status.CLEARED, Status.BOUNCED),
        Status.BOUNCED: (Status.DEPOSITED, Status.RETURNED),
        Status.CLEARED: (),
        Status.RETURNED: (),
    }  # fmt: skip
    # Still the company's to collect: what the credit check counts and the due list shows.
    IN_HAND = (Status.RECEIVED, Status.DEPOSITED, Status.ENDORSED)

    receipt = models.OneToOneField(
        Receipt, verbose_name=_("دریافت"), on_delete=models.PROTECT, related_name="cheque"
    )
    contact = models.ForeignKey(
        "contacts.Contact", verbose_name=_("طرف حساب"), on_delete=models.PROTECT, related_name="+"
    )
    sayad_id = models.CharField(_("شناسه صیادی"), max_length=16)
    serial = models.CharField(_("سری و سریال"), max_length=30, blank=True)
    bank = models.CharField(_("بانک"), max_length=60)
    branch = models.CharField(_("شعبه"), max_length=100, blank=True)
    drawer = models.CharField(
        _("صادرکننده"), max_length=200, help_text=_("صاحب حساب چک، اگر کسی جز خود مشتری است.")
    )
    amount = models.BigIntegerField(_("مبلغ (ریال)"))
    due_date = models.DateField(_("سررسید"))
    status = models.CharField(
        _("وضعیت"), max_length=9, choices=Status.choices, default=Status.RECEIVED
    )
    bank_account = models.ForeignKey(
        BankAccount,
        verbose_name=_("خوابانده در حساب"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    endorsed_to = models.CharField(_("خرج شده به"), max_length=200, blank=True)
    customer_key = customer_key_field()
    customer_owner = customer_copy_field(settings.AUTH_USER_MODEL, _("کارشناس مشتری"))
    # The list's text: sayad id, serial, drawer or the customer (cheque_search_trgm).
    search_key = search_key_field("sayad_id", "serial", "drawer", "customer_key")
    bounce_reason = models.CharField(_("علت برگشت"), max_length=300, blank=True)
    # The credit entry that stands for this cheque on the account now: its receipt's, or
    # the one written when a bounced cheque was presented again.
    entry = models.ForeignKey(
        "finance.Entry", null=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = LiveManager.from_queryset(ContactVisibleQuerySet)()
    all_objects = AllRecordsManager.from_queryset(ContactVisibleQuerySet)()

    # A cheque goes and comes back with its receipt.
    in_trash = False
    history_exclude = (*BusinessRecord.history_exclude, "entry")

    class Meta:
        verbose_name = _("چک")
        verbose_name_plural = _("چک‌ها")
        ordering = ["due_date", "id"]
        permissions = [("manage_cheque", _("تغییر وضعیت چک‌ها"))]
        indexes = [
            # The due list: cheques in hand by due date, nothing else.
            models.Index(
                fields=["due_date", "id"],
                name="cheque_in_hand_due",
                condition=Q(
                    status__in=["received", "deposited", "endorsed"], deleted_at__isnull=True
                ),
            ),
            models.Index(fields=["status", "due_date"], name="cheque_status_due"),
            # The list of every cheque (status «همه») by due date, and sorted by amount.
            models.Index(fields=["due_date", "id"], name="cheque_due"),
            models.Index(fields=["amount", "id"], name="cheque_amount"),
            models.Index(fields=["contact", "due_date"], name="cheque_contact"),
            # A rep's cheques: their team's customers' and what they recorded, by due date.
            models.Index(fields=["customer_owner", "due_date", "id"], name="cheque_customer_owner"),
            models.Index(fields=["owner", "due_date", "id"], name="cheque_owner_due"),
            models.Index(fields=["sayad_id"], name="cheque_sayad"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="cheque_amount_positive",
                violation_error_message=_("مبلغ باید بیشتر از صفر باشد."),
            ),
        ]

    def __str__(self) -> str:
        return f"چک {self.sayad_id}"

    def get_absolute_url(self) -> str:
        return reverse("finance:cheque_detail", args=[self.pk])

    @property
    def next_statuses(self) -> list[tuple[str, str]]:
        labels = dict(self.Status.choices)
        return [(status, labels[status]) for status in self.MOVES[self.status]]

    @property
    def is_in_hand(self) -> bool:
        return self.status in self.IN_HAND

    @property
    def is_overdue(self) -> bool:
        return self.is_in_hand and self.due_date < timezone.localdate()


class ChequeEvent(models.Model):
    """One move of a cheque's life cycle: from → to, on a date, by whom, with a note."""

    cheque = models.ForeignKey(Cheque, on_delete=models.CASCADE, related_name="events")
    date = models.DateField(_("تاریخ"))
    from_status = models.CharField(
        _("از وضعیت"), max_length=9, choices=Cheque.Status.choices, blank=True
    )
    status = models.CharField(_("وضعیت"), max_length=9, choices=Cheque.Status.choices)
    note = models.CharField(_("توضیح"), max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("گردش چک")

    def __str__(self) -> str:
        return self.get_status_display()


class Entry(models.Model):
    """One line of a customer's account: a debit or a credit (exactly one is non-zero).
    Written by the services only; never edited but for its kept totals."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("مانده اول دوره")
        INVOICE = "invoice", _("فاکتور فروش")
        # Takes back a replaced invoice's debt (its correction, return or cancellation
        # owes what is owed now): a credit settling exactly that invoice's lines.
        REPLACED = "replaced", _("برگشت فاکتور جایگزین‌شده")
        RECEIPT = "receipt", _("دریافت")
        PAYMENT = "payment", _("پرداخت")
        CHEQUE_BOUNCED = "bounced", _("برگشت چک")
        CHEQUE_RETURNED = "returned", _("عودت چک")
        CHEQUE_PRESENTED = "presented", _("ارائه دوباره چک برگشتی")

    contact = models.ForeignKey(
        "contacts.Contact", verbose_name=_("طرف حساب"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("تاریخ"))
    kind = models.CharField(_("نوع"), max_length=9, choices=Kind.choices)
    debit = models.BigIntegerField(_("بدهکار"), default=0)
    credit = models.BigIntegerField(_("بستانکار"), default=0)
    # Debits: when it is owed (an invoice's due date; the date itself otherwise).
    due_date = models.DateField(_("سررسید"))
    description = models.CharField(_("شرح"), max_length=300, blank=True)
    # An invoice owes one line, or one per instalment of its plan (each with its date).
    invoice = models.ForeignKey(
        "sales.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    receipt = models.ForeignKey(
        Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    cheque = models.ForeignKey(
        Cheque, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    # Kept totals: how much of this entry is matched with the other side, and (for a
    # debit) how much of that by cleared money. A credit is cleared when its money is in.
    allocated = models.BigIntegerField(default=0)
    settled = models.BigIntegerField(default=0)
    cleared = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ردیف حساب")
        verbose_name_plural = _("ردیف‌های حساب")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["contact", "date", "id"], name="entry_contact_date"),
            # Open debits and unallocated credits: allocation and aging read only these.
            # The amounts ride along (INCLUDE, PostgreSQL only) so that a sum over every
            # open line — the aging's total — is an index-only scan of a few megabytes
            # instead of a heap page per line (bench/finance_scale.py: 0.4–0.9 s down to
            # 45–80 ms for 180,000 open lines). Each condition apart, UNION ALL: an OR of
            # the two looks like half the table to the planner, which then reads it all.
            models.Index(
                fields=["contact", "due_date", "id"],
                name="entry_open_debit",
                condition=Q(debit__gt=F("allocated")),
                include=["debit", "allocated"],
            ),
            models.Index(
                fields=["contact", "date", "id"],
                name="entry_open_credit",
                condition=Q(credit__gt=F("allocated")),
                include=["credit", "allocated"],
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0, credit=0) | Q(debit=0, credit__gt=0)),
                name="entry_one_side",
            ),
            models.CheckConstraint(
                condition=Q(allocated__gte=0, settled__gte=0, settled__lte=F("allocated"))
                & (Q(allocated__lte=F("debit")) | Q(allocated__lte=F("credit"))),
                name="entry_allocated_within",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def amount(self) -> int:
        return self.debit or self.credit

    @property
    def is_debit(self) -> bool:
        return self.debit > 0

    @property
    def open_amount(self) -> int:
        return self.amount - self.allocated

    @property
    def record(self):
        """The record behind the line, for a link: invoice, cheque or receipt."""
        return self.invoice or self.cheque or self.receipt


class Allocation(models.Model):
    """تسویه: ``amount`` of the credit entry settles that much of the debit entry."""

    debit = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="debit_allocations")
    credit = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="credit_allocations")
    amount = models.BigIntegerField(_("مبلغ"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("تسویه")
        constraints = [
            models.UniqueConstraint("debit", "credit", name="allocation_once_per_pair"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.credit_id} → {self.debit_id}: {self.amount}"


class Account(models.Model):
    """A contact's account totals, kept by the services (see the module docstring): what
    the contact page, the credit check and the lists read instead of the history."""

    contact = models.OneToOneField(
        "contacts.Contact", primary_key=True, on_delete=models.PROTECT, related_name="account"
    )
    debit = models.BigIntegerField(_("جمع بدهکار"), default=0)
    credit = models.BigIntegerField(_("جمع بستانکار"), default=0)
    # The customer's cheques still in hand (not cleared): the credit check adds them back.
    cheques_in_hand = models.BigIntegerField(_("چک‌های در جریان"), default=0)

    class Meta:
        verbose_name = _("حساب مشتری")
        verbose_name_plural = _("حساب‌های مشتریان")
        indexes = [
            models.Index(F("debit") - F("credit"), name="account_balance"),
        ]

    def __str__(self) -> str:
        return str(self.contact_id)

    @property
    def balance(self) -> int:
        """Positive: the customer owes (بدهکار); negative: we owe them (بستانکار)."""
        return self.debit - self.credit


class FinanceSettings(SettingsRow):
    """The money side's installation settings (a single row, pk=1)."""

    cheque_reminder_days = models.PositiveSmallIntegerField(
        _("یادآوری سررسید چک (روز پیش از آن)"), default=2
    )
    remind_by_email = models.BooleanField(_("یادآوری با ایمیل"), default=True)
    remind_by_sms = models.BooleanField(_("یادآوری با پیامک"), default=False)

    class Meta:
        verbose_name = _("تنظیمات مالی")
        permissions = [("receive_cheque_alerts", _("دریافت هشدار سررسید و برگشت چک‌ها"))]


class OnlinePayment(models.Model):
    """One attempt of a customer to pay an invoice (what is left of it, or one of its
    instalments) through an online gateway: started, then paid (verified by the server
    with the amount stored here, and recorded as a receipt once), cancelled by the
    buyer, or failed."""

    class Status(models.TextChoices):
        STARTED = "started", _("در انتظار پرداخت")
        PAID = "paid", _("پرداخت شده")
        CANCELLED = "cancelled", _("انصراف خریدار")
        FAILED = "failed", _("ناموفق")

    invoice = models.ForeignKey(
        "sales.Invoice", on_delete=models.PROTECT, related_name="online_payments"
    )
    # One instalment of the invoice (its account line) when the buyer pays just that;
    # empty when they pay what is left of the whole invoice.
    instalment = models.ForeignKey(
        Entry,
        verbose_name=_("قسط"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="online_payments",
    )
    contact = models.ForeignKey("contacts.Contact", on_delete=models.PROTECT, related_name="+")
    amount = models.BigIntegerField(_("مبلغ (ریال)"))
    gateway = models.CharField(_("درگاه"), max_length=20)
    # The gateway's id of the payment (ZarinPal's Authority): what its callback names.
    authority = models.CharField(max_length=64, unique=True, null=True, blank=True)
    status = models.CharField(
        _("وضعیت"), max_length=9, choices=Status.choices, default=Status.STARTED
    )
    ref_id = models.CharField(_("شماره پیگیری درگاه"), max_length=40, blank=True)
    card_pan = models.CharField(_("کارت"), max_length=24, blank=True)
    error = models.CharField(_("خطا"), max_length=300, blank=True)
    receipt = models.OneToOneField(
        Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="online_payment"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("پرداخت آنلاین")
        verbose_name_plural = _("پرداخت‌های آنلاین")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["invoice", "-created_at"], name="online_payment_invoice")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="online_payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.amount}"
