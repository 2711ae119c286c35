from django.db import migrations, models

# The portal's sign-in SMS as peyvand.portal.services.code_send wrote it before messages
# could be secret: those already in the outbox become secret too, and those the provider
# took forget their text, as new ones do.
PORTAL_CODE_TEXT = "کد ورود شما به پرتال مشتریان"
PORTAL_CODE_LABEL = "کد ورود پرتال"
ACCEPTED = ("sent", "delivered", "undelivered")


def hide_portal_codes(apps, schema_editor):
    Message = apps.get_model("messaging", "Message")
    Message.objects.filter(channel="sms", body__startswith=PORTAL_CODE_TEXT).update(
        secret_label=PORTAL_CODE_LABEL
    )
    # No message was secret before this migration: these are the codes just marked.
    Message.objects.filter(secret_label=PORTAL_CODE_LABEL, status__in=ACCEPTED).update(
        body="", tokens=[]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_message_immediate"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="secret_label",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.RunPython(hide_portal_codes, migrations.RunPython.noop, elidable=True),
    ]
