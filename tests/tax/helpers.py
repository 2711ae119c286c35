"""Invoices issued the way a rep issues them, and Moadian settings pointing at a fake on
loopback, for the submission tests. The key pair is valid around the real clock: the
worker's client reads it (only the fake's verdicts are steered)."""

from datetime import UTC, datetime, timedelta

from peyvand.contacts.models import Contact
from peyvand.core.models import SiteSettings
from peyvand.sales import services as sales
from peyvand.sales.models import Product, Quote, QuoteLine
from peyvand.tax.models import MoadianSettings
from tests.factories import ContactFactory
from tests.tax.conftest import MEMORY_ID, make_pair


def current_pair():
    return make_pair(valid_from=datetime.now(UTC) - timedelta(days=1))


def configure(pair, url: str, *, enabled: bool = True) -> MoadianSettings:
    row = MoadianSettings.load()
    row.enabled = enabled
    row.memory_id = MEMORY_ID
    row.private_key = pair.key_pem
    row.certificate = pair.certificate_pem
    row.environment = MoadianSettings.Environment.CUSTOM
    row.custom_base_url = url
    row.save()
    company = SiteSettings.load()
    company.legal_name = "شرکت نمونه پیوند"
    company.economic_code = "14003778990"
    company.national_id = "14003778990"
    company.save()
    return row


def legal_customer(owner, **changes) -> Contact:
    fields = {
        "owner": owner,
        "name": "صنایع مهرگان",
        "kind": Contact.Kind.ORGANIZATION,
        "economic_code": "10101010101",
        "national_id": "10101010101",
        "postal_code": "1234567890",
        "address": "تهران، خیابان ولیعصر، پلاک ۱",
    } | changes
    return ContactFactory(**fields)


def product(code: str, *, tax_id: str = "2330001234567", unit: str = "عدد", kind="goods"):
    return Product.objects.create(
        code=code, name=f"کالای {code}", tax_id=tax_id, unit=unit, kind=kind, price=10_000
    )


def issue(contact, by, lines: list[tuple[Product, int, int, int]]):
    """An invoice from an accepted proforma: lines of (product, quantity, unit price,
    discount), VAT as in force."""
    quote = sales.quote_save(
        quote=Quote(contact=contact),
        lines=[
            QuoteLine(
                product=item,
                description=item.name,
                unit=item.unit,
                quantity=quantity,
                unit_price=price,
                discount=discount,
            )
            for item, quantity, price, discount in lines
        ],
        by=by,
    )
    quote = sales.quote_set_status(quote=quote, by=by, status=Quote.Status.ACCEPTED)
    return sales.quote_to_invoice(quote=quote, by=by)
