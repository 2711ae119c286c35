import datetime
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peyvand.contacts.models import Contact
from peyvand.contacts.selectors import contact_duplicates
from peyvand.core.dates import JalaliDateField, JalaliDateTimeField, TimeOfDayField
from peyvand.core.display import localize_digits
from peyvand.core.forms import (
    AutocompleteSelect,
    EditVersionMixin,
    MoneyField,
    WorkingDayDateField,
)
from peyvand.core.text import normalize_persian
from peyvand.core.validators import (
    identifier_form_field,
    normalize_mobile,
    normalize_record_code,
)
from peyvand.customfields.forms import CustomFieldsMixin, PersianDecimalField
from peyvand.lookups.models import AcquaintanceSource, Channel, FollowUpResult, Grade, Position
from peyvand.sales.models import (
    FollowUp,
    Lead,
    PaymentTerms,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    VatRate,
)
from peyvand.sales.selectors import sales_users
from peyvand.sales.terms import InstalmentPlan

# A next follow-up typed without a time is due at the start of the working day.
DEFAULT_NEXT_TIME = datetime.time(9, 0)


class LeadForm(EditVersionMixin, CustomFieldsMixin, forms.ModelForm):
    """A lead, for an existing contact (picked) or a new one typed in the same form."""

    new_contact_kind = forms.ChoiceField(
        label=_("نوع مشتری تازه"),
        choices=Contact.Kind.choices,
        initial=Contact.Kind.PERSON,
        required=False,
    )
    new_contact_name = forms.CharField(label=_("نام مشتری تازه"), max_length=200, required=False)
    new_contact_mobile = forms.CharField(
        label=_("تلفن همراه مشتری تازه"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel"}),
    )
    expected_value = MoneyField(label=_("مبلغ پیش‌بینی (ریال)"), required=False)
    expected_close = JalaliDateField(label=_("تاریخ پیش‌بینی بستن"), required=False)

    class Meta:
        model = Lead
        fields = [
            "contact", "title", "source", "person_name", "position", "stars", "responsible",
            "stage", "expected_value", "expected_close", "notes",
        ]  # fmt: skip
        widgets = {
            "stars": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.new_contact: Contact | None = None
        self.fields["contact"].required = False
        self.fields["contact"].queryset = Contact.objects.filter(
            Q(pk__in=Contact.objects.visible_to(user)) | Q(pk=self.instance.contact_id)
        )
        self.fields["contact"].widget = AutocompleteSelect(reverse("contacts:autocomplete"))
        self.fields["contact"].widget.choices = self.fields["contact"].choices
        for name, model in [("source", AcquaintanceSource), ("position", Position)]:
            current = getattr(self.instance, f"{name}_id")
            self.fields[name].queryset = model.objects.active_or(current)
            self.fields[name].empty_label = _("— انتخاب کنید —")
        self.fields["responsible"].queryset = sales_users(current=self.instance.responsible_id)
        self.fields["responsible"].empty_label = None
        if not self.instance.pk:
            self.initial.setdefault("responsible", user.pk)
            del self.fields["stage"]
        else:
            for name in ("new_contact_kind", "new_contact_name", "new_contact_mobile"):
                del self.fields[name]
        self.add_custom_fields("sales.lead")

    def clean_title(self) -> str:
        return normalize_persian(self.cleaned_data["title"])

    def clean_new_contact_name(self) -> str:
        return normalize_persian(self.cleaned_data.get("new_contact_name", ""))

    def clean_new_contact_mobile(self) -> str:
        value = self.cleaned_data.get("new_contact_mobile", "")
        return normalize_mobile(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact"):
            return cleaned
        if self.instance.pk:
            # An existing lead keeps a customer: an emptied choice is an error, not a
            # lead without one (the database refuses that).
            if "contact" not in self.errors:
                self.add_error("contact", _("مشتری را انتخاب کنید."))
            return cleaned
        name = cleaned.get("new_contact_name")
        if not name:
            if "new_contact_name" not in self.errors:
                self.add_error("contact", _("مشتری را انتخاب کنید یا نام مشتری تازه را بنویسید."))
            return cleaned
        mobile = cleaned.get("new_contact_mobile", "")
        if mobile:
            self._refuse_duplicate(mobile)
        self.new_contact = Contact(
            kind=cleaned.get("new_contact_kind") or Contact.Kind.PERSON, name=name
        )
        return cleaned

    def _refuse_duplicate(self, mobile: str) -> None:
        """A new contact with a mobile that is already someone's would split the
        customer in two: the user picks the existing one instead."""
        found = contact_duplicates(national_id="", numbers=[mobile])
        if not found:
            return
        other = found[0]
        if Contact.objects.visible_to(self.user).filter(pk=other.pk).exists():
            message = _(
                "این شماره پیش‌تر برای «%(name)s» (کد %(code)s) ثبت شده است؛ "
                "همان مشتری را در بالا انتخاب کنید."
            ) % {"name": other.name, "code": other.code}
        else:
            message = _(
                "این شماره پیش‌تر برای مشتری کارشناس دیگری ثبت شده است؛ با مدیر فروش هماهنگ کنید."
            )
        self.add_error("new_contact_mobile", message)

    def new_contact_phones(self) -> list[dict]:
        mobile = self.cleaned_data.get("new_contact_mobile")
        return [{"kind": "mobile", "number": mobile, "note": ""}] if mobile else []


class FollowUpForm(forms.ModelForm):
    """The follow-up entry row on a lead's page: keyboard first."""

    at = JalaliDateTimeField(label=_("زمان پیگیری"))
    next_date = WorkingDayDateField(label=_("تاریخ پیگیری بعدی"), required=False)
    next_time = TimeOfDayField(label=_("ساعت"), required=False)

    class Meta:
        model = FollowUp
        fields = ["at", "channel", "person", "result", "description", "referred_to"]
        widgets = {"description": forms.Textarea(attrs={"rows": 1})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("at", timezone.now())
        self.fields["channel"].queryset = Channel.objects.active()
        self.fields["channel"].empty_label = _("— نوع ارتباط —")
        self.fields["result"].queryset = FollowUpResult.objects.active()
        self.fields["result"].empty_label = _("— نتیجه —")
        self.fields["referred_to"].queryset = sales_users()
        self.fields["referred_to"].empty_label = _("— بدون ارجاع —")
        if self.instance.complaint_id:
            # A complaint is seen by its registrar and control officer only: its next
            # follow-up is the officer's (another officer is an edit of the complaint).
            del self.fields["referred_to"]

    def clean(self):
        cleaned = super().clean()
        day, time = cleaned.get("next_date"), cleaned.get("next_time")
        if time and not day and "next_date" not in self.errors:
            self.add_error("next_date", _("برای ساعت پیگیری بعدی، تاریخ آن را هم بنویسید."))
        if cleaned.get("referred_to") and not day and "next_date" not in self.errors:
            self.add_error("next_date", _("برای ارجاع، تاریخ پیگیری بعدی را بنویسید."))
        if day:
            next_at = timezone.make_aware(datetime.datetime.combine(day, time or DEFAULT_NEXT_TIME))
            at = cleaned.get("at")
            if at and next_at <= at:
                self.add_error("next_date", _("پیگیری بعدی باید بعد از زمان این پیگیری باشد."))
            self.instance.next_at = next_at
        else:
            self.instance.next_at = None
        return cleaned


def lead_choice_label(lead: Lead) -> str:
    """A lead in a picker: code, subject and customer (the contact is selected with it)."""
    return localize_digits(f"{lead.code} — {lead.title} ({lead.contact.name})")


class QuickFollowUpForm(FollowUpForm):
    """A follow-up from anywhere (the quick-create menu, «ثبت تماس» on a contact): the
    entry row's fields after the lead it is on, chosen among the open leads this user
    may see — of one customer, when opened from the customer's page."""

    class Meta(FollowUpForm.Meta):
        fields = ["lead", *FollowUpForm.Meta.fields]

    def __init__(self, *args, user, contact: Contact | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        leads = Lead.objects.visible_to(user).filter(status=Lead.Status.OPEN)
        leads = leads.select_related("contact")
        field = self.fields["lead"]
        field.required = True
        field.label = _("سرنخ")
        field.label_from_instance = lead_choice_label
        if contact is not None:
            # A customer's few open leads, listed (the newest first, chosen when alone).
            leads = leads.filter(contact=contact).order_by("-created_at", "-id")
            field.empty_label = _("— کدام سرنخ؟ —")
        else:
            field.widget = AutocompleteSelect(reverse("sales:lead_autocomplete"))
        field.queryset = leads  # also gives the widget its choices
        field.error_messages["invalid_choice"] = _(
            "این سرنخ باز نیست یا دیدن آن برای شما مجاز نیست؛ سرنخ دیگری انتخاب کنید."
        )


# Products, proformas and invoices ------------------------------------------------------


class ProductForm(EditVersionMixin, forms.ModelForm):
    tax_id = identifier_form_field(
        "goods_service_id", label=_("شناسه کالا/خدمت (۱۳ رقمی)"), required=False
    )
    price = MoneyField(label=_("قیمت واحد (ریال)"))

    class Meta:
        model = Product
        fields = ["code", "name", "kind", "tax_id", "unit", "price", "vat_applies", "is_active"]
        widgets = {"code": forms.TextInput(attrs={"dir": "ltr"}), "kind": forms.RadioSelect}

    def clean_code(self) -> str:
        return normalize_record_code(self.cleaned_data["code"])

    def clean_name(self) -> str:
        return normalize_persian(self.cleaned_data["name"])

    def clean_price(self) -> int:
        price = self.cleaned_data["price"]
        if price is None or price < 0:
            raise forms.ValidationError(_("قیمت را به ریال و بزرگ‌تر یا برابر صفر بنویسید."))
        return price


class QuoteForm(EditVersionMixin, forms.ModelForm):
    date = JalaliDateField(label=_("تاریخ"))
    valid_until = JalaliDateField(label=_("اعتبار تا"), required=False)
    # An instalment plan (sales.terms): stored as its schedule's rows.
    instalment_count = forms.IntegerField(
        label=_("تعداد اقساط"),
        required=False,
        min_value=1,
        max_value=60,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
    )
    down_payment = MoneyField(label=_("پیش‌پرداخت (ریال)"), required=False)
    first_instalment = JalaliDateField(label=_("سررسید قسط اول"), required=False)
    # Shown once the save was held back at the customer's credit limit (sales.credit).
    confirm_credit_limit = forms.BooleanField(
        label=_("ثبت بیش از سقف اعتبار"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Quote
        fields = [
            "contact", "kind", "money_unit", "date", "valid_until", "payment_terms", "credit_days",
            "notes",
        ]  # fmt: skip
        labels = {"money_unit": _("مبالغ به")}
        widgets = {
            "kind": forms.RadioSelect,
            "money_unit": forms.RadioSelect,
            "payment_terms": forms.RadioSelect,
            # Text, not number: a number input refuses the Persian digits people type.
            "credit_days": forms.TextInput(attrs={"dir": "ltr", "inputmode": "numeric"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out (an older client, the API's shape): a cash sale, as before terms existed.
        self.fields["payment_terms"].required = False
        self.fields["credit_days"].required = False
        if self.instance.pk and self.instance.payment_terms == PaymentTerms.INSTALLMENTS:
            rows = list(self.instance.instalments.all())
            down = rows[0].amount if rows and rows[0].due_date == self.instance.date else 0
            plan = rows[1:] if down else rows
            self.initial.setdefault("down_payment", down or None)
            self.initial.setdefault("instalment_count", len(plan) or None)
            self.initial.setdefault("first_instalment", plan[0].due_date if plan else None)
        self.fields["contact"].queryset = Contact.objects.filter(
            Q(pk__in=Contact.objects.visible_to(user)) | Q(pk=self.instance.contact_id)
        )
        self.fields["contact"].widget = AutocompleteSelect(reverse("contacts:autocomplete"))
        self.fields["contact"].widget.choices = self.fields["contact"].choices

    def clean(self):
        cleaned = super().clean()
        day, until = cleaned.get("date"), cleaned.get("valid_until")
        if day and until and until < day:
            self.add_error("valid_until", _("اعتبار باید تا روزی پس از تاریخ پیش فاکتور باشد."))
        terms = cleaned["payment_terms"] = cleaned.get("payment_terms") or PaymentTerms.CASH
        if terms == PaymentTerms.CREDIT and not cleaned.get("credit_days"):
            self.add_error("credit_days", _("برای فروش اعتباری، مهلت پرداخت را به روز بنویسید."))
        if terms == PaymentTerms.INSTALLMENTS:
            if not cleaned.get("instalment_count"):
                self.add_error("instalment_count", _("تعداد اقساط را بنویسید."))
            if not cleaned.get("first_instalment"):
                self.add_error("first_instalment", _("سررسید قسط اول را بنویسید."))
        if terms not in (PaymentTerms.CREDIT, PaymentTerms.CHEQUE) or not cleaned.get(
            "credit_days"
        ):
            cleaned["credit_days"] = 0
        return cleaned

    def ask_credit_confirmation(self) -> None:
        """The save was held at the credit limit: the box to confirm it appears."""
        self.fields["confirm_credit_limit"].widget = forms.CheckboxInput()

    def plan(self) -> InstalmentPlan | None:
        """The instalment plan typed, for sales.services.quote_save (None: no plan)."""
        data = self.cleaned_data
        if data.get("payment_terms") != PaymentTerms.INSTALLMENTS:
            return None
        return InstalmentPlan(
            count=data["instalment_count"],
            first_due=data["first_instalment"],
            down_payment=data.get("down_payment") or 0,
        )


class LineForm(forms.Form):
    """One row of a proforma: a catalogue item (its name, unit and price fill what is
    left empty) or a free description."""

    product = forms.ModelChoiceField(
        label=_("کالا / خدمت"), queryset=Product.objects.none(), required=False
    )
    description = forms.CharField(label=_("شرح"), max_length=300, required=False)
    quantity = PersianDecimalField(label=_("تعداد"), initial=Decimal(1))
    unit = forms.CharField(label=_("واحد"), max_length=30, required=False)
    unit_price = MoneyField(label=_("فی (ریال)"), required=False)
    discount = MoneyField(label=_("تخفیف (ریال)"), required=False)
    vat_applies = forms.BooleanField(label=_("مالیات"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True)
        self.fields["product"].empty_label = _("— شرح آزاد —")
        for name, field in self.fields.items():
            css = {
                "product": "form-select form-select-sm",
                "vat_applies": "form-check-input",
                # Narrow by a class, not style="…" (the Content-Security-Policy).
                "quantity": "form-control form-control-sm w-5rem",
                "unit": "form-control form-control-sm w-5rem",
            }
            field.widget.attrs["class"] = css.get(name, "form-control form-control-sm")
            field.widget.attrs["aria-label"] = field.label

    def clean(self):
        cleaned = super().clean()
        product = cleaned.get("product")
        if product is not None:
            cleaned["description"] = cleaned.get("description") or product.name
            cleaned["unit"] = cleaned.get("unit") or product.unit
        if not cleaned.get("description") and "description" not in self.errors:
            self.add_error("description", _("کالا را انتخاب کنید یا شرح ردیف را بنویسید."))
        if cleaned.get("unit_price") is None and not product and "unit_price" not in self.errors:
            self.add_error("unit_price", _("فی را بنویسید."))
        quantity = cleaned.get("quantity")
        if quantity is not None and quantity <= 0:
            self.add_error("quantity", _("تعداد باید بیشتر از صفر باشد."))
        # An empty price or discount of a catalogue line comes from the customer's price
        # list when the proforma is priced; what is typed is checked here.
        price, discount = cleaned.get("unit_price"), cleaned.get("discount") or 0
        too_much = price is not None and quantity and discount > quantity * price
        if discount < 0 or too_much:
            self.add_error("discount", _("تخفیف نباید از مبلغ ردیف بیشتر یا منفی باشد."))
        if price is not None and price < 0:
            self.add_error("unit_price", _("فی نمی‌تواند منفی باشد."))
        return cleaned

    def line(self, model):
        data = self.cleaned_data
        return model(
            product=data.get("product"),
            description=normalize_persian(data["description"]),
            quantity=data["quantity"],
            unit=data.get("unit") or "",
            unit_price=data.get("unit_price"),  # None: the customer's price, when priced
            discount=data.get("discount"),  # None: the price list's discount
            vat_applies=data.get("vat_applies", False),
        )


class BaseLineFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            # The row's «حذف» tick has only its column's heading: named for screen readers.
            form.fields["DELETE"].widget.attrs["aria-label"] = _("حذف ردیف")

    def clean(self):
        if any(self.errors):
            return
        if not self._kept():
            raise forms.ValidationError(_("دست‌کم یک ردیف بنویسید."))

    def _kept(self) -> list[LineForm]:
        """The rows to store: every row the document had (untouched, it is still one of
        its rows) unless ticked for deletion, and the spare rows typed into."""
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed())
            and not self._should_delete_form(form)
        ]

    def lines(self, model) -> list:
        return [form.line(model) for form in self._kept()]


LineFormSet = forms.formset_factory(LineForm, formset=BaseLineFormSet, extra=3, can_delete=True)


def line_formset(data=None, document=None) -> BaseLineFormSet:
    initial = None
    if document is not None and document.pk:
        initial = [
            {
                "product": line.product_id,
                "description": line.description,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.unit_price,
                "discount": line.discount,
                "vat_applies": line.vat_applies,
            }
            for line in document.lines.all()
        ]
    return LineFormSet(data, initial=initial, prefix="lines")


# Correcting, returning and cancelling an issued invoice ------------------------------


class AdjustmentForm(forms.Form):
    """What every replacement of an issued invoice asks besides its rows: a note (the
    reason, required to cancel)."""

    notes = forms.CharField(
        label=_("توضیحات"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, cancelling: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if cancelling:
            self.fields["notes"].label = _("علت ابطال")
            self.fields["notes"].required = True
            self.fields["notes"].error_messages["required"] = _("علت ابطال را بنویسید.")


class ReturnLineForm(forms.Form):
    """How much of one row of the invoice comes back (برگشت از فروش)."""

    # Its range (none to the quantity sold) is the service's rule, explained per row.
    returned = PersianDecimalField(label=_("مقدار برگشتی"), required=False)

    def __init__(self, *args, line=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.line = line
        field = self.fields["returned"]
        field.widget.attrs.update(
            {
                "class": "form-control form-control-sm w-5rem",
                "aria-label": f"مقدار برگشتی «{line.description}»" if line else field.label,
            }
        )


class BaseReturnFormSet(forms.BaseFormSet):
    def __init__(self, *args, lines=(), **kwargs):
        self.invoice_lines = list(lines)
        kwargs.setdefault("initial", [{} for _line in self.invoice_lines])
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["line"] = self.invoice_lines[index] if index < len(self.invoice_lines) else None
        return kwargs

    def returned(self) -> dict[int, Decimal]:
        """Line id → quantity returned, for sales.services.invoice_adjust."""
        return {
            form.line.pk: form.cleaned_data.get("returned") or Decimal(0)
            for form in self.forms
            if form.line is not None
        }


ReturnFormSet = forms.formset_factory(
    ReturnLineForm, formset=BaseReturnFormSet, extra=0, max_num=500, validate_max=True
)


def return_formset(invoice, data=None) -> BaseReturnFormSet:
    return ReturnFormSet(data, lines=invoice.lines.order_by("order", "id"), prefix="returns")


# Price lists and VAT rates (managers) --------------------------------------------------


class PriceListForm(forms.ModelForm):
    discount_percent = PersianDecimalField(
        label=_("درصد تخفیف"),
        required=False,
        help_text=_("روی ردیف‌های کالا و خدمت، وقتی کارشناس تخفیف را خالی بگذارد."),
    )

    class Meta:
        model = PriceList
        fields = ["name", "grade", "discount_percent", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].queryset = Grade.objects.active_or(self.instance.grade_id)
        self.fields["grade"].empty_label = _("— انتخاب کنید —")

    def clean_name(self) -> str:
        return normalize_persian(self.cleaned_data["name"])

    def clean_discount_percent(self) -> Decimal:
        percent = self.cleaned_data.get("discount_percent") or Decimal(0)
        if not 0 <= percent <= 100 or percent != round(percent, 2):
            raise forms.ValidationError(
                _("درصد تخفیف را بین ۰ و ۱۰۰ و حداکثر با دو رقم اعشار بنویسید.")
            )
        return percent


class PriceItemForm(forms.Form):
    product = forms.ModelChoiceField(label=_("کالا / خدمت"), queryset=Product.objects.none())
    price = MoneyField(label=_("قیمت (ریال)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.all()
        self.fields["product"].empty_label = _("— انتخاب کنید —")
        for name, field in self.fields.items():
            css = (
                "form-select form-select-sm"
                if name == "product"
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css
            field.widget.attrs["aria-label"] = field.label

    def clean_price(self) -> int:
        price = self.cleaned_data["price"]
        if price < 0:
            raise forms.ValidationError(_("قیمت نمی‌تواند منفی باشد."))
        return price


class BasePriceItemFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            if not form.has_changed() or self._should_delete_form(form):
                continue
            product = form.cleaned_data["product"]
            if product.pk in seen:
                form.add_error("product", _("این کالا در فهرست تکرار شده است."))
            seen.add(product.pk)

    def items(self) -> list[PriceListItem]:
        return [
            PriceListItem(product=form.cleaned_data["product"], price=form.cleaned_data["price"])
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)
        ]


PriceItemFormSet = forms.formset_factory(
    PriceItemForm, formset=BasePriceItemFormSet, extra=3, can_delete=True
)


def price_item_formset(data=None, price_list: PriceList | None = None) -> BasePriceItemFormSet:
    initial = None
    if price_list is not None and price_list.pk:
        initial = [
            {"product": item.product_id, "price": item.price}
            for item in price_list.items.order_by("product__name")
        ]
    return PriceItemFormSet(data, initial=initial, prefix="items")


class VatRateForm(forms.ModelForm):
    valid_from = JalaliDateField(label=_("از تاریخ"))
    percent = PersianDecimalField(label=_("نرخ (درصد)"))

    class Meta:
        model = VatRate
        fields = ["valid_from", "percent"]

    def clean_percent(self) -> Decimal:
        percent = self.cleaned_data["percent"]
        if percent is None or not 0 <= percent <= 100 or percent != round(percent, 2):
            raise forms.ValidationError(_("نرخ را بین ۰ و ۱۰۰ و حداکثر با دو رقم اعشار بنویسید."))
        return percent

    def clean_valid_from(self) -> datetime.date:
        day = self.cleaned_data["valid_from"]
        if VatRate.objects.filter(valid_from=day).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("برای این تاریخ پیش‌تر نرخی ثبت شده است."))
        return day
