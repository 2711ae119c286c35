"""The money lists' exports (``core.background_exports``): the rows the list shows under
its filters (finance.lists), for Excel, CSV, PDF and the background."""

from operator import attrgetter

from django.http import QueryDict

from peyvand.core.exports import Column, choice_label
from peyvand.finance.lists import CHEQUES, RECEIPTS
from peyvand.finance.models import Cheque, Method, Receipt


def _bank_account(record) -> str:
    return record.bank_account.name if record.bank_account_id else ""


def receipt_rows(user, params: QueryDict):
    columns = [
        Column("شماره", attrgetter("number")),
        Column("نوع", lambda receipt: choice_label(Receipt.Direction, receipt.direction)),
        Column("تاریخ", attrgetter("date"), "date"),
        Column("طرف حساب", lambda receipt: receipt.contact.name),
        Column("روش", lambda receipt: choice_label(Method, receipt.method)),
        Column("مبلغ (ریال)", attrgetter("amount"), "number"),
        Column("حساب بانکی شرکت", _bank_account),
        Column("شماره پیگیری / مرجع", attrgetter("reference")),
        Column("شماره پایانه", attrgetter("terminal")),
        Column("ثبت‌کننده", lambda receipt: str(receipt.owner)),
        Column("توضیحات", attrgetter("note")),
    ]
    return RECEIPTS.rows(user, params), columns


def cheque_rows(user, params: QueryDict):
    columns = [
        Column("سررسید", attrgetter("due_date"), "date"),
        Column("شناسه صیادی", attrgetter("sayad_id")),
        Column("سری و سریال", attrgetter("serial")),
        Column("طرف حساب", lambda cheque: cheque.contact.name),
        Column("صادرکننده", attrgetter("drawer")),
        Column("بانک", attrgetter("bank")),
        Column("شعبه", attrgetter("branch")),
        Column("مبلغ (ریال)", attrgetter("amount"), "number"),
        Column("وضعیت", lambda cheque: choice_label(Cheque.Status, cheque.status)),
        Column("خوابانده در حساب", _bank_account),
        Column("شماره دریافت", lambda cheque: cheque.receipt.number),
        Column("تاریخ دریافت", lambda cheque: cheque.receipt.date, "date"),
    ]
    return CHEQUES.rows(user, params), columns
