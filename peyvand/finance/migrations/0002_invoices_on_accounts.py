from django.db import migrations
from django.db.models import Sum

BATCH = 5000


def open_invoices_on_accounts(apps, schema_editor):
    """Every invoice issued before the money side existed becomes a debit on its
    customer's account (unpaid: nothing was recorded against it)."""
    Invoice = apps.get_model("sales", "Invoice")
    Entry = apps.get_model("finance", "Entry")
    Account = apps.get_model("finance", "Account")
    invoices = Invoice.objects.filter(total__gt=0).order_by("pk")
    last = 0
    while True:
        batch = list(invoices.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        Entry.objects.bulk_create(
            Entry(
                contact_id=invoice.contact_id,
                date=invoice.date,
                due_date=invoice.due_date or invoice.date,
                kind="invoice",
                debit=invoice.total,
                invoice_id=invoice.pk,
                description=f"فاکتور {invoice.number}",
                created_by_id=invoice.owner_id,
            )
            for invoice in batch
        )
        last = batch[-1].pk
    totals = Entry.objects.values("contact_id").annotate(debit=Sum("debit")).order_by()
    Account.objects.bulk_create(
        (Account(contact_id=row["contact_id"], debit=row["debit"]) for row in totals.iterator()),
        batch_size=BATCH,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_initial"),
        ("sales", "0010_payment_terms"),
    ]

    operations = [migrations.RunPython(open_invoices_on_accounts, migrations.RunPython.noop)]
