import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.core.dates import JalaliDateField, from_jalali, jalali_today
from peyvand.core.forms import MoneyField
from peyvand.core.text import to_latin_digits
from peyvand.core.validators import identifier_form_field
from peyvand.finance.models import BankAccount, Cheque, FinanceSettings, Method, Receipt

# Methods that leave a bank trace the customer can be asked about.
NEEDS_REFERENCE = (Method.POS, Method.CARD, Method.PAYA, Method.SATNA)

# The banks whose cheques Iranian businesses receive, for the bank field's suggestions.
IRANIAN_BANKS = (
    "ملی", "ملت", "صادرات", "تجارت", "سپه", "کشاورزی", "مسکن", "رفاه کارگران", "پست بانک",
    "توسعه صادرات", "صنعت و معدن", "توسعه تعاون", "پارسیان", "پاسارگاد", "سامان", "اقتصاد نوین",
    "کارآفرین", "سینا", "شهر", "دی", "سرمایه", "آینده", "خاورمیانه", "ایران زمین",
    "گردشگری", "قرض‌الحسنه مهر ایران", "قرض‌الحسنه رسالت",
)  # fmt: skip


def _active_bank_accounts():
    return BankAccount.objects.filter(is_active=True)


class ReceiptForm(forms.ModelForm):
    date = JalaliDateField(label=_("تاریخ"))
    amount = MoneyField(label=_("مبلغ (ریال)"))

    class Meta:
        model = Receipt
        fields = ["date", "amount", "method", "bank_account", "terminal", "reference", "note"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "terminal": forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
            "reference": forms.TextInput(attrs={"dir": "ltr"}),
        }

    def __init__(self, *args, direction: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.direction = direction
        self.fields["bank_account"].queryset = _active_bank_accounts()
        if direction == Receipt.Direction.OUT:
            self.fields["method"].choices = [
                choice
                for choice in Method.choices
                if choice[0] not in (Method.CHEQUE, Method.ONLINE)
            ]
        else:
            # Online payments are recorded by the gateway's verification, never typed.
            self.fields["method"].choices = [c for c in Method.choices if c[0] != Method.ONLINE]

    def clean_amount(self) -> int:
        # Before the model's constraint (the API posts negative amounts too).
        amount = self.cleaned_data["amount"]
        if amount is not None and amount <= 0:
            raise forms.ValidationError(_("مبلغ باید بیشتر از صفر باشد."))
        return amount

    # Trace and reference numbers are read back to a bank: stored in ASCII digits however
    # they were typed (a Persian keyboard gives ۵۸۷۴۱۲).
    def clean_reference(self) -> str:
        return to_latin_digits(self.cleaned_data["reference"]).strip()

    def clean_terminal(self) -> str:
        return to_latin_digits(self.cleaned_data["terminal"]).strip()

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method in NEEDS_REFERENCE and not cleaned.get("reference", "").strip():
            self.add_error("reference", _("شماره پیگیری یا مرجع را وارد کنید."))
        if method == Method.POS and not cleaned.get("terminal", "").strip():
            self.add_error("terminal", _("شماره پایانه کارتخوان را وارد کنید."))
        return cleaned


class ChequeForm(forms.ModelForm):
    prefix = "cheque"
    sayad_id = identifier_form_field("sayad_id", label=_("شناسه صیادی"))
    due_date = JalaliDateField(label=_("سررسید"))

    class Meta:
        model = Cheque
        fields = ["sayad_id", "serial", "bank", "branch", "drawer", "due_date"]
        widgets = {
            "serial": forms.TextInput(attrs={"dir": "ltr"}),
            "bank": forms.TextInput(attrs={"list": "iranian-banks"}),
        }

    def clean_serial(self) -> str:
        return to_latin_digits(self.cleaned_data["serial"]).strip()


class AllocationForm(forms.Form):
    """How much of the receipt settles each open debt the customer has; left empty, the
    oldest debts first."""

    def __init__(self, *args, debts, **kwargs):
        super().__init__(*args, **kwargs)
        self.debts = list(debts)
        for debt in self.debts:
            self.fields[f"entry_{debt.pk}"] = MoneyField(label=debt.description, required=False)

    def targets(self) -> list[tuple[int, int]]:
        return [
            (debt.pk, self.cleaned_data[f"entry_{debt.pk}"])
            for debt in self.debts
            if self.cleaned_data.get(f"entry_{debt.pk}")
        ]

    def rows(self):
        return [(debt, self[f"entry_{debt.pk}"]) for debt in self.debts]


class ChequeMoveForm(forms.Form):
    status = forms.ChoiceField(
        label=_("وضعیت تازه"),
        error_messages={"invalid_choice": _("چک در وضعیت کنونی‌اش به این وضعیت نمی‌رود.")},
    )
    date = JalaliDateField(label=_("تاریخ"))
    bank_account = forms.ModelChoiceField(
        label=_("حساب بانکی (برای خواباندن)"), queryset=BankAccount.objects.none(), required=False
    )
    endorsed_to = forms.CharField(label=_("خرج شده به"), max_length=200, required=False)
    reason = forms.CharField(label=_("علت برگشت"), max_length=300, required=False)
    note = forms.CharField(label=_("توضیح"), max_length=300, required=False)

    def __init__(self, *args, cheque: Cheque, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = cheque.next_statuses
        self.fields["bank_account"].queryset = _active_bank_accounts()


class OpeningBalanceForm(forms.Form):
    SIDES = (
        ("debtor", _("بدهکار (مشتری به ما بدهکار است)")),
        ("creditor", _("بستانکار (ما به مشتری بدهکاریم)")),
    )

    side = forms.ChoiceField(label=_("نوع مانده"), choices=SIDES, widget=forms.RadioSelect)
    amount = MoneyField(
        label=_("مبلغ (ریال)"), required=False, help_text=_("خالی یا صفر: بدون مانده.")
    )
    date = JalaliDateField(label=_("تاریخ"))

    def signed_amount(self) -> int:
        amount = self.cleaned_data.get("amount") or 0
        return amount if self.cleaned_data["side"] == "debtor" else -amount


class BankAccountForm(forms.ModelForm):
    iban = identifier_form_field("iban", label=_("شماره شبا"), required=False)

    class Meta:
        model = BankAccount
        fields = ["name", "bank", "branch", "number", "iban", "is_active"]
        widgets = {
            "number": forms.TextInput(attrs={"dir": "ltr"}),
            "bank": forms.TextInput(attrs={"list": "iranian-banks"}),
        }


class FinanceSettingsForm(forms.ModelForm):
    class Meta:
        model = FinanceSettings
        fields = ["cheque_reminder_days", "remind_by_email", "remind_by_sms"]


def this_year() -> tuple[datetime.date, datetime.date]:
    """A statement's default period: the Jalali year so far."""
    return from_jalali(jalali_today().year, 1, 1), timezone.localdate()


class PeriodForm(forms.Form):
    """A statement's period (Jalali «از تاریخ / تا تاریخ»), for the account page, its PDF,
    Excel and sending, and the portal's statement."""

    start = JalaliDateField(label=_("از تاریخ"), required=False)
    end = JalaliDateField(label=_("تا تاریخ"), required=False)

    @classmethod
    def from_query(cls, query) -> tuple["PeriodForm", datetime.date | None, datetime.date | None]:
        """The form and the period ``?start=&end=`` chose, by default this Jalali year; a
        period that does not parse is shown back with its error, and the default is used.
        Other parameters (``page``) leave the default alone."""
        start, end = this_year()
        chosen = "start" in query or "end" in query
        form = cls(query if chosen else None, initial={"start": start, "end": end})
        if chosen and form.is_valid():
            return form, form.cleaned_data["start"], form.cleaned_data["end"]
        return form, start, end

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("پایان دوره نمی‌تواند پیش از آغاز آن باشد."))
        return cleaned
