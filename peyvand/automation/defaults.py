"""The rules every installation starts with, switched off: the seeds' workflow messages
(Berlian's SMS to the customer when a request is registered and when it is archived).
They are ordinary rules — a manager switches them on and edits their text — made the
first time someone opens the rules page (a rule needs an owner, and at migration time
there is no one)."""

from django.db import IntegrityError, transaction

from peyvand.accounts.selectors import users_who_can
from peyvand.automation.models import Rule

DEFAULT_RULES = [
    {
        "key": "service.request_registered_sms",
        "name": "پیامک ثبت درخواست به مشتری",
        "list_key": "requests",
        "trigger": Rule.Trigger.CREATED,
        "conditions": "status=all",
        "actions": [
            {
                "kind": "sms",
                "body": "{نام} گرامی، درخواست شما با کد پیگیری {کد_پیگیری} ثبت شد. "
                "پیگیری: {پیوند_پیگیری}\n{نام_شرکت_ما}",
            }
        ],
    },
    {
        "key": "service.request_archived_sms",
        "name": "پیامک بایگانی درخواست به مشتری",
        "list_key": "requests",
        "trigger": Rule.Trigger.CHANGED,
        "trigger_field": "status",
        "conditions": "status=archived",
        "actions": [
            {
                "kind": "sms",
                "body": "{نام} گرامی، درخواست شما با کد پیگیری {کد_پیگیری} انجام شد. "
                "نتیجه: {نتیجه}\n{نام_شرکت_ما}",
            }
        ],
    },
]


def ensure_default_rules(opener) -> None:
    """Makes the default rules that do not exist yet, switched off (one query when they
    all exist), in the name of a user who sees every record — the opener of the rules
    page if they do, else the first such user — so that switched on, they act on every
    customer's request, not on those one person sees."""
    known = set(Rule.objects.exclude(key="").values_list("key", flat=True))
    if all(values["key"] in known for values in DEFAULT_RULES):
        return
    owner = opener
    if not opener.has_perm("accounts.see_all"):
        owner = users_who_can("accounts.see_all").filter(is_active=True).order_by("pk").first()
        owner = owner or opener
    for values in DEFAULT_RULES:
        if values["key"] in known:
            continue
        try:
            with transaction.atomic():
                Rule.objects.create(owner=owner, is_active=False, **values)
        except IntegrityError:  # made by another request meanwhile
            continue
