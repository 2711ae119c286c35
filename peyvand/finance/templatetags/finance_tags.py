from django import template

register = template.Library()


@register.inclusion_tag("finance/_balance.html")
def balance(amount: int) -> dict:
    """A balance as accountants read it: the amount, and which side it is on."""
    return {
        "amount": abs(amount or 0),
        "side": "debtor" if amount > 0 else "creditor" if amount < 0 else "",
    }
