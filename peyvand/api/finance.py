"""The money side over the API: receipts and payments (with their cheques and what they
settle), cheques and their life cycle, a customer's account and statement, and the
company's bank accounts. The same forms, selectors and services as the finance pages, so
the same rules and Persian messages; the permissions are the pages' (a sales rep reads,
finance records and moves), and a receipt, cheque or customer the caller may not see is
404. Amounts are whole rials; dates are Gregorian (YYYY-MM-DD)."""

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from ninja import Query, Router, Status

from peyvand.api.common import form_errors, list_query, page_of, require
from peyvand.api.conditional import unless_stale
from peyvand.api.schemas import (
    AccountOut,
    AllocationIn,
    AllocationOut,
    AllocationsIn,
    BankAccountOut,
    ChequeDetailOut,
    ChequeMoveIn,
    ChequePage,
    ErrorOut,
    IsoDate,
    ReceiptDetailOut,
    ReceiptIn,
    ReceiptPage,
    StatementOut,
)
from peyvand.contacts.models import Contact
from peyvand.core.access import get_visible_or_404
from peyvand.core.dates import from_jalali, jalali_today
from peyvand.core.lists.filters import ALL
from peyvand.finance import selectors, services
from peyvand.finance.forms import ChequeForm, ReceiptForm
from peyvand.finance.lists import CHEQUES, RECEIPTS
from peyvand.finance.models import BankAccount, Cheque, Entry, Method, Receipt

router = Router(tags=["finance"])

INVALID = "داده‌های ارسالی معتبر نیست."

# Form and service field names as the payload names them.
RECEIPT_FIELDS = {"bank_account": "bank_account_id", "due_date": "cheque.due_date"}
MOVE_FIELDS = {"bank_account": "bank_account_id"}


def _refused(error: ValidationError, names: dict[str, str] | None = None) -> Status:
    """A service's refusal: 422 with its Persian message, keyed by the payload's field
    where it names one (as ``api.on_service_refusal`` answers, with the payload's names)."""
    names = names or {}
    errors = (
        {names.get(name, name): [{"message": str(message)} for message in messages]
         for name, messages in error.message_dict.items() if name != "__all__"}
        if hasattr(error, "error_dict") else {}
    )  # fmt: skip
    return Status(422, {"detail": error.messages[0], "errors": errors})


class _Invalid(Exception):
    """Input refused before any service runs: the errors keyed as the payload names them."""

    def __init__(self, errors: dict):
        super().__init__()
        self.errors = errors


def _invalid(errors: dict) -> Status:
    return Status(422, {"detail": INVALID, "errors": errors})


# Access: one helper per record, 404 when not visible -------------------------------------


def _receipts():
    return Receipt.objects.select_related("contact").annotate(cheque_id=F("cheque"))


def _receipt(user, receipt_id: int) -> Receipt:
    return get_visible_or_404(Receipt, user, receipt_id, _receipts())


def _receipt_detail(user, receipt_id: int) -> Receipt:
    """The receipt with its cheque and what it settled, for ReceiptDetailOut."""
    receipt = _receipt(user, receipt_id)
    receipt.shown_cheque = (
        Cheque.objects.select_related("contact").filter(receipt=receipt).first()
        if receipt.cheque_id
        else None
    )
    receipt.shown_allocations = _allocations(receipt)
    return receipt


def _allocations(receipt: Receipt) -> list:
    return selectors.allocations_of_receipt(receipt)


def _cheque(user, cheque_id: int) -> Cheque:
    return get_visible_or_404(
        Cheque, user, cheque_id, Cheque.objects.select_related("contact", "receipt")
    )


def _targets(contact: Contact, allocations: list[AllocationIn]) -> list[tuple[int, int]]:
    """The (entry id, amount) pairs the services take, from the payload's invoices (or
    account lines). An invoice on instalments owes one line per instalment: its amount is
    spread over them, the earliest due first. The debts are checked by the services;
    here only that each names debts of this customer, once."""
    invoice_ids = [row.invoice_id for row in allocations if row.invoice_id is not None]
    lines_of_invoice: dict[int, list[Entry]] = {}
    for line in Entry.objects.filter(contact=contact, invoice_id__in=invoice_ids).order_by(
        "due_date", "id"
    ):
        lines_of_invoice.setdefault(line.invoice_id, []).append(line)
    targets, errors = [], {}
    for index, row in enumerate(allocations):
        where = f"allocations.{index}"
        if (row.invoice_id is None) == (row.entry_id is None):
            errors[where] = [{"message": "یکی از invoice_id یا entry_id را بفرستید، نه هر دو."}]
            continue
        parts = [(row.entry_id, row.amount)]
        if row.invoice_id is not None:
            lines = lines_of_invoice.get(row.invoice_id)
            if not lines:
                errors[f"{where}.invoice_id"] = [{"message": "این فاکتور از حساب همین مشتری نیست."}]
                continue
            parts, left = [], row.amount
            if row.amount <= 0:  # the service explains why
                parts = [(lines[0].pk, row.amount)]
            for number, line in enumerate(lines if row.amount > 0 else [], start=1):
                # The last line takes what is left: past what is owed, the service refuses.
                take = left if number == len(lines) else min(left, line.open_amount)
                if take > 0:
                    parts.append((line.pk, take))
                    left -= take
        if {pk for pk, _amount in parts} & {pk for pk, _amount in targets}:
            errors[where] = [{"message": "هر فاکتور یا بدهی را یک بار بیاورید."}]
            continue
        targets.extend(parts)
    if errors:
        raise _Invalid(errors)
    return targets


# Receipts and payments ---------------------------------------------------------------------


RECEIPT_QUERY = list_query(RECEIPTS)
CHEQUE_QUERY = list_query(CHEQUES)


@router.get("/receipts", response=ReceiptPage, summary="فهرست دریافت‌ها و پرداخت‌ها")
def receipt_list(request, filters: Query[RECEIPT_QUERY]):
    """دریافت‌ها و پرداخت‌هایی که کاربر می‌بیند (مشتریان خود و تیمش؛ همه برای مدیر و مالی)،
    با همان فیلترهای صفحهٔ فهرست (finance.lists.RECEIPTS). ``q``: شماره، شمارهٔ پیگیری یا
    مرجع، یا نام یا تلفن مشتری؛ ``direction``: in (دریافت) یا out (پرداخت)؛ ``method``:
    cash، pos، card، paya، satna، cheque یا online؛ ``owner``: شناسهٔ ثبت‌کننده؛
    ``bank_account``: شناسهٔ حساب بانکی شرکت؛ ``date_from``/``date_to``: بازهٔ تاریخ
    (میلادی، YYYY-MM-DD) یا ``date_period`` (today، this_week، this_month، last_month،
    this_year…)؛ ``amount_min``/``amount_max``: ریال؛ ``sort``: date (تازه‌ترین نخست، پیش‌فرض)
    یا amount (بیشترین نخست)، با ``-`` پیش از آن برای جهت دیگر."""
    require(request.auth, RECEIPTS.permission)
    receipts = RECEIPTS.rows(request.auth, request.GET)
    return page_of(receipts.annotate(cheque_id=F("cheque")), filters.page)


@router.get("/receipts/{receipt_id}", response=ReceiptDetailOut, summary="یک دریافت یا پرداخت")
def receipt_detail(request, receipt_id: int):
    """با چک آن (اگر با چک بوده) و بدهی‌هایی که تسویه کرده است."""
    require(request.auth, "finance.view_receipt")
    return _receipt_detail(request.auth, receipt_id)


@router.post(
    "/receipts", response={201: ReceiptDetailOut, 422: dict}, summary="ثبت دریافت یا پرداخت"
)
def receipt_create(request, payload: ReceiptIn):
    """دریافت از مشتری (``direction`` in) یا پرداخت به او (out) را ثبت می‌کند، با همان قواعد
    صفحهٔ ثبت: شمارهٔ پیگیری یا مرجع برای کارتخوان، کارت به کارت، پایا و ساتنا؛ شمارهٔ
    پایانه برای کارتخوان؛ برای روش cheque، مشخصات چک در ``cheque`` (شناسه صیادی ۱۶ رقمی،
    سررسید نه پیش از تاریخ دریافت). دریافت، نخست فاکتورهای ``allocations`` را به مبلغ هر یک
    تسویه می‌کند و با باقی‌مانده، قدیمی‌ترین بدهی‌ها را؛ آنچه بماند بستانکاری مشتری است. پول
    چک تا وصول نشود تسویهٔ قطعی نیست. خطاها با پیام فارسی و ۴۲۲، و چیزی ثبت نمی‌شود."""
    require(request.auth, "finance.add_receipt")
    if payload.direction not in Receipt.Direction.values:
        return _invalid({"direction": [{"message": "direction باید in یا out باشد."}]})
    contact = get_visible_or_404(Contact, request.auth, payload.contact_id)
    receipt = Receipt(contact=contact, direction=payload.direction)
    form = ReceiptForm(
        {
            "date": payload.date or timezone.localdate(),
            "amount": str(payload.amount),
            "method": payload.method,
            "bank_account": payload.bank_account_id,
            "terminal": payload.terminal,
            "reference": payload.reference,
            "note": payload.note,
        },
        instance=receipt,
        direction=payload.direction,
    )
    cheque_form = None
    if payload.method == Method.CHEQUE and payload.cheque is not None:
        cheque = payload.cheque.dict()
        cheque["drawer"] = cheque["drawer"] or contact.name
        cheque_form = ChequeForm({f"cheque-{name}": value for name, value in cheque.items()})
    errors = {}
    if not form.is_valid():
        errors |= {RECEIPT_FIELDS.get(k, k): v for k, v in form_errors(form).items()}
    if cheque_form is not None and not cheque_form.is_valid():
        errors |= {f"cheque.{k}": v for k, v in form_errors(cheque_form).items()}
    if payload.allocations and payload.direction != Receipt.Direction.IN:
        errors["allocations"] = [{"message": "پرداخت به مشتری فاکتوری را تسویه نمی‌کند."}]
    if errors:
        return _invalid(errors)
    try:
        targets = _targets(contact, payload.allocations or [])
    except _Invalid as refused:
        return _invalid(refused.errors)
    try:
        services.receipt_record(
            receipt=form.save(commit=False),
            cheque=cheque_form.save(commit=False) if cheque_form is not None else None,
            targets=targets,
            by=request.auth,
        )
    except ValidationError as error:
        return _refused(error, RECEIPT_FIELDS)
    return Status(201, _receipt_detail(request.auth, receipt.pk))


@router.delete(
    "/receipts/{receipt_id}", response={204: None, 422: ErrorOut}, summary="حذف دریافت یا پرداخت"
)
def receipt_delete(request, receipt_id: int):
    """به سطل بازیافت، با ردیف‌های آن در حساب مشتری و تسویه‌هایش (مدیر آن را بازمی‌گرداند).
    دریافتی که چکش گردش دارد (خوابانده، وصول یا برگشت خورده) حذف نمی‌شود: ۴۲۲."""
    require(request.auth, "finance.delete_receipt")
    receipt = _receipt(request.auth, receipt_id)
    try:
        with unless_stale(request, receipt):
            services.receipt_delete(receipt=receipt, by=request.auth)
    except ValidationError as error:
        return Status(422, {"detail": error.messages[0]})
    return Status(204, None)


@router.get(
    "/receipts/{receipt_id}/allocations",
    response=list[AllocationOut],
    summary="تسویه‌های یک دریافت",
)
def receipt_allocations(request, receipt_id: int):
    """بدهی‌هایی (فاکتور، مانده اول دوره، چک برگشتی) که این دریافت تسویه کرده و مبلغ هر یک."""
    require(request.auth, "finance.view_receipt")
    return _allocations(_receipt(request.auth, receipt_id))


@router.post(
    "/receipts/{receipt_id}/allocations",
    response={200: list[AllocationOut], 422: dict},
    summary="تغییر تسویه‌های یک دریافت",
)
def receipt_reallocate(request, receipt_id: int, payload: AllocationsIn):
    """تسویه‌های دریافت را با ``allocations`` جایگزین می‌کند (هر ردیف: ``invoice_id`` یا
    ``entry_id`` و ``amount``). باقی‌ماندهٔ دریافت بستانکاری مشتری می‌ماند و خودبه‌خود تسویه
    نمی‌شود. جمع تسویه‌ها نباید از مبلغ دریافت، و تسویهٔ هر بدهی از ماندهٔ آن بیشتر باشد.
    پرداخت‌ها و دریافت چکی که برگشت خورده یا عودت شده تسویه‌پذیر نیستند: ۴۲۲."""
    require(request.auth, "finance.change_receipt")
    receipt = _receipt(request.auth, receipt_id)
    try:
        targets = _targets(receipt.contact, payload.allocations)
    except _Invalid as refused:
        return _invalid(refused.errors)
    try:
        services.receipt_reallocate(receipt=receipt, targets=targets, by=request.auth)
    except ValidationError as error:
        return _refused(error)
    return _allocations(receipt)


# Cheques ----------------------------------------------------------------------------------


@router.get("/cheques", response=ChequePage, summary="فهرست چک‌های دریافتی")
def cheque_list(request, filters: Query[CHEQUE_QUERY]):
    """چک‌هایی که کاربر می‌بیند، با همان فیلترهای صفحهٔ فهرست (finance.lists.CHEQUES).
    ``q``: شناسهٔ صیادی، سری و سریال، صادرکننده، یا نام یا تلفن مشتری؛ ``status``: in_hand
    (در دست وصول: دریافت‌شده، خوابانده یا خرج‌شده)، received، deposited، cleared، bounced،
    returned یا endorsed؛ خالی یا all: همه (صفحهٔ فهرست بی آن از in_hand آغاز می‌کند)؛
    ``bank``: بانک چک (ملت، ملی…)؛ ``bank_account``: شناسهٔ حساب بانکی شرکت که چک در آن
    خوابانده شده؛ ``due_from``/``due_to``: بازهٔ سررسید (میلادی، YYYY-MM-DD) یا
    ``due_period`` (overdue، today، tomorrow، this_week، next_week، next_30_days،
    this_month)؛ ``amount_min``/``amount_max``: ریال؛ ``sort``: due (نزدیک‌ترین سررسید
    نخست، پیش‌فرض) یا amount (بیشترین نخست)، با ``-`` پیش از آن برای جهت دیگر."""
    require(request.auth, CHEQUES.permission)
    params = request.GET.copy()
    # The page starts at the cheques in hand; the API has always answered every cheque
    # when no status is asked, and its clients rely on that.
    params.setdefault("status", ALL)
    return page_of(CHEQUES.rows(request.auth, params), filters.page)


@router.get("/cheques/{cheque_id}", response=ChequeDetailOut, summary="یک چک و گردش آن")
def cheque_detail(request, cheque_id: int):
    """چک با همهٔ گردش‌هایش (از کدام وضعیت به کدام، در چه تاریخی، به دست چه کسی)."""
    require(request.auth, "finance.view_cheque")
    return _cheque(request.auth, cheque_id)


@router.post(
    "/cheques/{cheque_id}/move",
    response={200: ChequeDetailOut, 422: dict},
    summary="تغییر وضعیت چک",
)
def cheque_move(request, cheque_id: int, payload: ChequeMoveIn):
    """چک را در چرخهٔ عمرش جلو می‌برد: دریافت‌شده ← خوابانده (با ``bank_account_id``)، وصول،
    برگشتی (با ``reason``)، عودت یا خرج (با ``endorsed_to``)؛ خوابانده یا خرج‌شده ← وصول یا
    برگشتی؛ برگشتی ← خوابانده (ارائهٔ دوباره) یا عودت. وصول، تسویه‌های چک را قطعی می‌کند؛
    برگشت و عودت آن‌ها را پس می‌گیرد و مبلغ چک را دوباره به بدهی مشتری می‌نویسد. حرکتی که
    چرخهٔ عمر چک اجازه نمی‌دهد، یا تاریخی پیش از دریافت چک: ۴۲۲ با پیام فارسی."""
    require(request.auth, "finance.view_cheque")
    require(request.auth, "finance.manage_cheque")
    cheque = _cheque(request.auth, cheque_id)
    bank_account = None
    if payload.bank_account_id is not None:
        bank_account = BankAccount.objects.filter(
            pk=payload.bank_account_id, is_active=True
        ).first()
        if bank_account is None:
            message = "چنین حساب بانکی فعالی برای شرکت نیست."
            return _invalid({"bank_account_id": [{"message": message}]})
    try:
        services.cheque_move(
            cheque=cheque,
            status=payload.status,
            by=request.auth,
            date=payload.date or timezone.localdate(),
            bank_account=bank_account,
            endorsed_to=payload.endorsed_to,
            reason=payload.reason,
            note=payload.note,
        )
    except ValidationError as error:
        return _refused(error, MOVE_FIELDS)
    return _cheque(request.auth, cheque_id)


# The customer's account -------------------------------------------------------------------


@router.get(
    "/contacts/{contact_id}/account", response=AccountOut, summary="حساب مشتری (مانده و اعتبار)"
)
def account(request, contact_id: int):
    """کارت حساب: جمع بدهکار و بستانکار، مانده (مثبت: مشتری بدهکار است)، چک‌های در دست
    وصول، سقف اعتبار و آنچه از آن گرفته شده (مانده به‌اضافهٔ چک‌های وصول‌نشده) و آنچه
    مانده است، و بدهی‌های باز به ترتیب سررسید (حداکثر ۵۰)."""
    require(request.auth, "finance.view_account")
    contact = get_visible_or_404(Contact, request.auth, contact_id)
    kept = selectors.account_of(contact)
    credit = selectors.credit_of(contact, kept)
    return {
        "contact_id": contact.pk,
        "contact_name": contact.name,
        "balance": kept.balance,
        "debit": kept.debit,
        "credit": kept.credit,
        "cheques_in_hand": kept.cheques_in_hand,
        "credit_limit": credit.limit,
        "credit_used": credit.used,
        "credit_available": credit.available,
        "open_debts": list(selectors.open_debts(contact)[:50]),
    }


@router.get(
    "/contacts/{contact_id}/statement",
    response={200: StatementOut, 422: ErrorOut},
    summary="صورت حساب مشتری در یک دوره",
)
def statement(
    request,
    contact_id: int,
    start: IsoDate | None = None,
    end: IsoDate | None = None,
):
    """ردیف‌های حساب مشتری از ``start`` تا ``end`` (میلادی، YYYY-MM-DD) به ترتیب تاریخ، هر یک
    با ماندهٔ پس از آن؛ با ماندهٔ پیش از دوره (brought_forward) و ماندهٔ پایان دوره. بی
    ``start`` و ``end``: از آغاز سال خورشیدی جاری، چنان که صفحهٔ حساب نشان می‌دهد."""
    require(request.auth, "finance.view_account")
    contact = get_visible_or_404(Contact, request.auth, contact_id)
    if start is not None and end is not None and end < start:
        return Status(422, {"detail": "پایان دوره نمی‌تواند پیش از آغاز آن باشد."})
    if start is None and end is None:
        start = from_jalali(jalali_today().year, 1, 1)
    result = selectors.statement(contact, start, end)
    return {
        "contact_id": contact.pk,
        "start": result.start,
        "end": result.end,
        "brought_forward": result.brought_forward,
        "debit": result.debit,
        "credit": result.credit,
        "closing": result.closing,
        "lines": [
            {
                "entry_id": line.entry.pk,
                "date": line.entry.date,
                "due_date": line.entry.due_date,
                "kind": line.entry.kind,
                "kind_display": str(line.entry.get_kind_display()),
                "description": line.entry.description,
                "debit": line.entry.debit,
                "credit": line.entry.credit,
                "balance": line.balance,
                "invoice_id": line.entry.invoice_id,
                "receipt_id": line.entry.receipt_id,
                "cheque_id": line.entry.cheque_id,
                "cleared": line.entry.cleared,
            }
            for line in result.lines
        ],
    }


# The company's bank accounts ------------------------------------------------------------


@router.get("/bank-accounts", response=list[BankAccountOut], summary="حساب‌های بانکی شرکت")
def bank_account_list(request, active: bool | None = None):
    """حساب‌های بانکی خود شرکت (برای ``bank_account_id`` دریافت‌ها و خواباندن چک)؛
    ``active=true``: فقط فعال‌ها. فقط خواندنی؛ تعریف آن‌ها در تنظیمات مالی است."""
    require(request.auth, "finance.view_receipt")
    accounts = BankAccount.objects.all()
    if active is not None:
        accounts = accounts.filter(is_active=active)
    return list(accounts.order_by("name", "id"))
