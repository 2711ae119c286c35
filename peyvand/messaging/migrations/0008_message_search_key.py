import django.db.models.functions.text
from django.db import migrations, models

import peyvand.core.operations


class Migration(migrations.Migration):
    """The message list's text search (messaging.lists.MESSAGES): the recipient, the
    subject, — unless the message is secret — the text and the contact's search key
    (copied onto the message by core.operations.CopyCustomerKey's triggers), folded by
    fa_search_key and matched by a trigram index on PostgreSQL. Adding a stored generated column rewrites
    messaging_message under an exclusive lock: with millions of messages, plan the
    upgrade for a quiet hour with the workers stopped."""

    dependencies = [
        ("contacts", "0019_birth_month_vip_role_indexes"),
        ("core", "0005_fa_search_key_ascii_lower"),  # the fa_search_key() SQL function
        ("messaging", "0007_message_claimed_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="customer_key",
            field=models.TextField(
                blank=True, default="", editable=False, verbose_name="کلید جستجوی مشتری"
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="search_key",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Func(
                    django.db.models.functions.text.Concat(
                        models.F("to"),
                        models.Value(" "),
                        models.F("subject"),
                        models.Value(" "),
                        models.Case(
                            models.When(secret_label="", then=models.F("body")),
                            default=models.Value(""),
                            output_field=models.TextField(),
                        ),
                        models.Value(" "),
                        models.F("customer_key"),
                        output_field=models.TextField(),
                    ),
                    function="fa_search_key",
                    output_field=models.TextField(),
                ),
                output_field=models.TextField(),
                verbose_name="کلید جستجو",
            ),
        ),
        # After the columns: adding a stored generated column remakes the table on
        # SQLite, which a trigger naming it would not survive.
        peyvand.core.operations.CopyCustomerKey(model_name="message"),
        peyvand.core.operations.PostgresGinIndex(
            model_name="message",
            field_name="search_key",
            name="message_search_trgm",
            opclass="gin_trgm_ops",
        ),
    ]
