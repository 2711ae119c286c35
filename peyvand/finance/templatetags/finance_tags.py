from django import template

from peyvand.finance.lists import cheque_badge

register = template.Library()

# A cheque's state as a badge, the same on its page and in the list.
register.filter("cheque_badge", cheque_badge)


@register.inclusion_tag("finance/_balance.html")
def balance(amount: int) -> dict:
    """A balance as accountants read it: the amount, and which side it is on."""
    return {
        "amount": abs(amount or 0),
        "side": "debtor" if amount > 0 else "creditor" if amount < 0 else "",
    }


@register.filter
def pay_token(invoice, instalment=None) -> str:
    """The signed token of an invoice's pay page (finance.payments); with an instalment
    (``invoice|pay_token:part``), of the page that opens with that instalment chosen."""
    from peyvand.finance.payments import pay_token as token

    return token(invoice, instalment or None)


@register.filter
def fa_abs_money(amount) -> str:
    """The amount without its sign (its side says which way it goes)."""
    from peyvand.core.money import format_money

    return format_money(abs(amount or 0))


@register.simple_tag
def side(amount) -> str:
    """بدهکار / بستانکار / بی‌حساب: which way a balance goes (positive: the customer owes)."""
    amount = amount or 0
    return "بدهکار" if amount > 0 else "بستانکار" if amount < 0 else "بی‌حساب"
