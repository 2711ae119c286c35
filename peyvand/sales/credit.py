"""The credit check (کنترل اعتبار): a proforma or an invoice that would take a customer's
credit in use (open balance and cheques not yet cleared, as the money app counts it) past
their credit limit warns — or is refused for roles without the permission to sell past
it, which the manager grants or withholds per role."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from peyvand.core.money import format_money
from peyvand.core.registry import credit_in_use

OVER_LIMIT_PERMISSION = "sales.sell_over_credit_limit"


@dataclass(frozen=True)
class CreditCheck:
    limit: int | None
    in_use: int
    document: int

    @property
    def after(self) -> int:
        return self.in_use + self.document

    @property
    def over(self) -> bool:
        return self.limit is not None and self.after > self.limit

    @property
    def message(self) -> str:
        return (
            f"سقف اعتبار این مشتری {format_money(self.limit)} است؛ اعتبار در استفاده "
            f"{format_money(self.in_use)} و با این سند {format_money(self.after)} می‌شود."
        )


def credit_check(contact, amount: int) -> CreditCheck:
    return CreditCheck(contact.effective_credit_limit, credit_in_use(contact), amount)


def enforce_credit_limit(contact, amount: int, *, by, confirmed: bool) -> CreditCheck:
    """Refuses past the limit: outright for a user without the permission; until they
    confirm (``confirmed``) for one with it. Codes: over_credit_limit, confirm_credit_limit."""
    check = credit_check(contact, amount)
    if not check.over:
        return check
    if not by.has_perm(OVER_LIMIT_PERMISSION):
        raise ValidationError(
            f"{check.message} ثبت فروش بیش از سقف اعتبار برای نقش شما مجاز نیست.",
            code="over_credit_limit",
        )
    if not confirmed:
        raise ValidationError(
            f"{check.message} اگر با این حال ثبت می‌کنید، «ثبت بیش از سقف اعتبار» را بزنید.",
            code="confirm_credit_limit",
        )
    return check
