"""What a rule can do to the record that set it off. Each action is a small form (what
a manager sets on the rule's page, kept as JSON in ``Rule.actions``), ``perform`` (run
by the worker inside the run's transaction; returns the line the timeline and the rule's
history show) and ``describe`` (the same line for the preview, doing nothing).

An action that cannot be done for this record (a customer without a mobile) says why in
its line and the others still run; an error of ours fails the whole run, which then
changes nothing (RuleRun)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peyvand.accounts.models import Team
from peyvand.activities.models import Task
from peyvand.activities.reminders import notify
from peyvand.activities.services import task_save
from peyvand.automation import webhooks
from peyvand.automation.models import Rule, RuleRun, WebhookDelivery, WebhookSubscription
from peyvand.contacts.models import Contact
from peyvand.core.dates import format_date, user_calendar
from peyvand.core.history import log_change, snapshot
from peyvand.core.models import ChangeRecord, SiteSettings
from peyvand.core.workdays import add_working_days
from peyvand.messaging.forms import placeholders_checked
from peyvand.messaging.models import Channel, ContactGroup
from peyvand.messaging.services import NotSendable, group_add_contacts, message_queue
from peyvand.messaging.text import placeholder_values, render

User = get_user_model()

# Who a person-choosing action means.
RESPONSIBLE, OWNER, CHOSEN = "responsible", "owner", "user"
WHO = [
    (RESPONSIBLE, gettext_lazy("مسئول پرونده")),
    (OWNER, gettext_lazy("ثبت‌کننده پرونده")),
    (CHOSEN, gettext_lazy("کاربری که برمی‌گزینید")),
]
# The field that says who works on a record, by the first that the model has.
WORKER_FIELDS = ("responsible", "assignee", "officer")


def worker_field(model) -> str:
    names = {field.name for field in model._meta.concrete_fields}
    return next((name for name in WORKER_FIELDS if name in names), "owner")


def contact_of(record) -> Contact | None:
    if isinstance(record, Contact):
        return record
    return getattr(record, "contact", None)


def _active_users():
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class ActionForm(forms.Form):
    on = forms.BooleanField(required=False)
    # The fields whose text may hold placeholders ({نام}…): unknown ones are refused.
    texts: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        if not data.get("on"):
            return {"on": False}
        for name, field in self.fields.items():
            if getattr(field, "needed", False) and not data.get(name) and name not in self.errors:
                self.add_error(name, _("این کار روشن است؛ این بخش را پر کنید."))
        placeholders_checked(self, *self.texts)
        return data


def _needed(field: forms.Field) -> forms.Field:
    """A field the action needs when it is on (the form is optional as a whole)."""
    field.required = False
    field.needed = True
    return field


class PersonForm(ActionForm):
    who = forms.ChoiceField(
        label=gettext_lazy("چه کسی"), choices=WHO, initial=RESPONSIBLE, required=False
    )
    user = forms.ModelChoiceField(label=gettext_lazy("کاربر"), queryset=User.objects.none(),
                                  required=False)  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _active_users()

    def clean(self):
        data = super().clean()
        if data.get("on") and not data.get("who"):
            data["who"] = RESPONSIBLE
        if data.get("on") and data.get("who") == CHOSEN and not data.get("user"):
            self.add_error("user", _("کاربر را برگزینید."))
        return data


@dataclass
class Context:
    """What an action works with: the rule, its record and the run (None in a preview)."""

    rule: Rule
    record: object
    run: RuleRun | None = None

    @property
    def by(self):
        return self.rule.owner

    def person(self, params: dict):
        who = params.get("who")
        if who == CHOSEN:
            return User.objects.filter(pk=params.get("user"), is_active=True).first()
        if who == OWNER:
            return self.record.owner
        return getattr(self.record, worker_field(type(self.record)))

    def values(self) -> dict:
        """The placeholders' values for this record: the contact's, ours, the record's
        own (messaging.text) and its tracking page's address (a rule's: see link_base)."""
        record = self.record
        values = placeholder_values(
            contact=contact_of(record),
            sender=self.by,
            company_name=SiteSettings.load().company_name,
            related=record,
        )
        values["پیوند_پیگیری"] = (
            self.rule.link_base.rstrip("/") + reverse("service:track")
            if getattr(record, "tracking_code", "") and self.rule.link_base
            else ""
        )
        return values

    def render(self, text: str) -> str:
        return render(text, self.values())

    def save(self, record, fields: list[str], before: dict) -> None:
        """Writes changed fields with their history line, as the rule's owner."""
        record.save(update_fields=[*fields, "updated_at"])
        log_change(record, user=self.by, action=ChangeRecord.Action.CHANGED, before=before)


class Action:
    key: str
    label: str
    form: type[ActionForm]

    def perform(self, params: dict, context: Context) -> str:
        raise NotImplementedError

    def describe(self, params: dict, context: Context) -> str:
        raise NotImplementedError

    def initial(self, params: dict) -> dict:
        """The form's values from the stored JSON (ids stay ids)."""
        return {"on": True, **params}

    def stored(self, data: dict) -> dict:
        """The JSON kept on the rule from the form's cleaned data."""
        return {
            name: value.pk if hasattr(value, "pk") else value
            for name, value in data.items()
            if name != "on" and value not in (None, "")
        }


# Assign ---------------------------------------------------------------------------------


class AssignForm(ActionForm):
    user = forms.ModelChoiceField(label=gettext_lazy("به کاربر"), queryset=User.objects.none(),
                                  required=False)  # fmt: skip
    team = forms.ModelChoiceField(
        label=gettext_lazy("یا به نوبت میان اعضای گروه"),
        queryset=Team.objects.none(),
        required=False,
        help_text=gettext_lazy("هر پرونده‌ی تازه به عضو بعدیِ گروه سپرده می‌شود."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _active_users()
        self.fields["team"].queryset = Team.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if data.get("on") and bool(data.get("user")) == bool(data.get("team")):
            self.add_error("user", _("یک کاربر یا یک گروه (به نوبت) را برگزینید، نه هر دو."))
        return data


class Assign(Action):
    key = "assign"
    label = gettext_lazy("سپردن به کاربر یا گروه (به نوبت)")
    form = AssignForm

    def _members(self, team_id):
        return list(
            User.objects.filter(teams=team_id, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def _next_in_turn(self, params: dict, context: Context):
        rule = Rule.objects.select_for_update().get(pk=context.rule.pk)
        members = self._members(params["team"])
        if not members:
            return None
        later = [pk for pk in members if rule.last_assignee_id and pk > rule.last_assignee_id]
        chosen = later[0] if later else members[0]
        Rule.objects.filter(pk=rule.pk).update(last_assignee=chosen)
        return User.objects.get(pk=chosen)

    def perform(self, params: dict, context: Context) -> str:
        record = context.record
        if params.get("team"):
            person = self._next_in_turn(params, context)
        else:
            person = User.objects.filter(pk=params.get("user"), is_active=True).first()
        if person is None:
            return _("سپرده نشد: کاربر یا عضو فعالی در گروه نیست.")
        field = worker_field(type(record))
        before = snapshot(record)
        setattr(record, field, person)
        context.save(record, [field], before)
        if person.pk != context.by.pk:
            notify(
                user=person,
                title=_("«%(record)s» به شما سپرده شد") % {"record": record},
                body=_("قانون خودکار «%(rule)s»") % {"rule": context.rule.name},
                url=record.get_absolute_url(),
                assignment=True,
            )
        return _("به «%(person)s» سپرده شد.") % {"person": person}

    def describe(self, params: dict, context: Context) -> str:
        if params.get("team"):
            team = Team.objects.filter(pk=params["team"]).first()
            return _("به نوبت به یکی از اعضای گروه «%(team)s» سپرده می‌شود.") % {"team": team}
        person = User.objects.filter(pk=params.get("user")).first()
        return _("به «%(person)s» سپرده می‌شود.") % {"person": person}


# Notify ---------------------------------------------------------------------------------


class NotifyForm(PersonForm):
    title = _needed(forms.CharField(label=gettext_lazy("متن اعلان"), max_length=200))
    texts = ("title",)


class Notify(Action):
    key = "notify"
    label = gettext_lazy("اعلان به کاربر")
    form = NotifyForm

    def perform(self, params: dict, context: Context) -> str:
        person = context.person(params)
        if person is None or not person.is_active:
            return _("اعلان فرستاده نشد: کاربری برای آن نیست.")
        notify(
            user=person,
            title=context.render(params["title"])[:200],
            body=_("قانون خودکار «%(rule)s»: %(record)s")
            % {"rule": context.rule.name, "record": context.record},
            url=context.record.get_absolute_url(),
        )
        return _("به «%(person)s» اعلان شد.") % {"person": person}

    def describe(self, params: dict, context: Context) -> str:
        return _("به «%(person)s» اعلان می‌شود: %(title)s") % {
            "person": context.person(params) or "—",
            "title": context.render(params.get("title", "")),
        }


# SMS and email --------------------------------------------------------------------------


class SmsForm(ActionForm):
    body = _needed(
        forms.CharField(
            label=gettext_lazy("متن پیامک"),
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=1000,
            help_text=gettext_lazy(
                "جای‌نگهدارها: {نام}، {کد_پیگیری}، {پیوند_پیگیری}، {نتیجه}، {موضوع}، "
                "{نام_شرکت_ما}، {تاریخ}"
            ),
        )
    )
    texts = ("body",)


class EmailForm(SmsForm):
    subject = _needed(forms.CharField(label=gettext_lazy("موضوع ایمیل"), max_length=200))
    field_order = ["on", "subject", "body"]
    texts = ("subject", "body")


class Sms(Action):
    key = "sms"
    label = gettext_lazy("پیامک به مشتری")
    form = SmsForm
    channel = Channel.SMS
    address = "mobile"
    what = gettext_lazy("پیامک")
    missing = gettext_lazy("پیامک فرستاده نشد: مشتری شماره همراه ندارد.")

    def _to(self, context: Context) -> tuple[Contact | None, str]:
        contact = contact_of(context.record)
        return contact, getattr(contact, self.address, "") if contact else ""

    def perform(self, params: dict, context: Context) -> str:
        contact, to = self._to(context)
        if not to:
            return str(self.missing)
        try:
            message_queue(
                channel=self.channel,
                to=to,
                subject=context.render(params.get("subject", "")),
                body=context.render(params["body"]),
                by=context.by,
                contact=contact,
                related=context.record,
            )
        except NotSendable as error:
            return _("%(what)s فرستاده نشد: %(why)s") % {"what": self.what, "why": error}
        return _("%(what)s به \u2066%(to)s\u2069 در صف ارسال است.") % {
            "what": self.what,
            "to": to,
        }

    def describe(self, params: dict, context: Context) -> str:
        _contact, to = self._to(context)
        if not to:
            return str(self.missing)
        return _("%(what)s به \u2066%(to)s\u2069: %(text)s") % {
            "what": self.what,
            "to": to,
            "text": context.render(params.get("body", "")),
        }


class Email(Sms):
    key = "email"
    label = gettext_lazy("ایمیل به مشتری")
    form = EmailForm
    channel = Channel.EMAIL
    address = "email"
    what = gettext_lazy("ایمیل")
    missing = gettext_lazy("ایمیل فرستاده نشد: مشتری نشانی ایمیل ندارد.")


# Task -----------------------------------------------------------------------------------


class TaskForm(PersonForm):
    description = _needed(forms.CharField(label=gettext_lazy("شرح وظیفه"), max_length=500))
    days = forms.IntegerField(
        label=gettext_lazy("چند روز کاری بعد"),
        min_value=0,
        max_value=365,
        initial=1,
        help_text=gettext_lazy("۰: همان روز (اگر کاری باشد)؛ ۱: روز کاری بعد؛ …"),
    )
    field_order = ["on", "description", "who", "user", "days"]
    texts = ("description",)


class CreateTask(Action):
    key = "task"
    label = gettext_lazy("ساخت وظیفه")
    form = TaskForm

    def _date(self, params: dict):
        return add_working_days(timezone.localdate(), int(params.get("days") or 0))

    def perform(self, params: dict, context: Context) -> str:
        person = context.person(params)
        if person is None or not person.is_active:
            return _("وظیفه ساخته نشد: کاربری برای آن نیست.")
        task = Task(
            assignee=person,
            owner=context.by,
            date=self._date(params),
            description=context.render(params["description"]),
        )
        task.related = context.record
        try:
            task_save(task=task, by=context.by)
        except PermissionDenied:
            return _(
                "وظیفه ساخته نشد: «%(owner)s» (به نام او قانون کار می‌کند) اجازه‌ی واگذاری "
                "وظیفه به دیگران را ندارد."
            ) % {"owner": context.by}
        # Kept as text, read later in any calendar: the day as working days, not a date.
        days = int(params.get("days") or 0)
        when = _("%(days)s روز کاری بعد") % {"days": days} if days else _("همان روز کاری")
        return _("وظیفه برای «%(person)s» ساخته شد (%(when)s).") % {
            "person": person,
            "when": when,
        }

    def describe(self, params: dict, context: Context) -> str:
        return _("وظیفه «%(text)s» برای «%(person)s» در %(date)s") % {
            "text": context.render(params.get("description", "")),
            "person": context.person(params) or "—",
            "date": format_date(self._date(params), user_calendar(), "latin"),
        }


# Set a field ----------------------------------------------------------------------------


# The fields a rule may set, by record type: plain choices of a record's own, none that
# a workflow writes (a request's status and archive time, a lead's close, an invoice's
# state go through their services, with what they check and write besides).
SETTABLE = {
    "sales.lead": ("stage", "stars"),
    "contacts.contact": ("status", "is_vip"),
    "service.request": ("confidentiality",),
}


def settable_fields(model) -> list[tuple[str, str]]:
    """The (field=value, «label: value's name») pairs a rule may set on ``model``."""
    pairs = []
    for name in SETTABLE.get(model._meta.label_lower, ()):
        field = model._meta.get_field(name)
        if field.choices:
            pairs += [
                (f"{field.name}={value}", f"{field.verbose_name}: {label}")
                for value, label in field.flatchoices
            ]
        elif field.get_internal_type() == "BooleanField":
            pairs += [
                (f"{field.name}=1", f"{field.verbose_name}: {_('بله')}"),
                (f"{field.name}=0", f"{field.verbose_name}: {_('خیر')}"),
            ]
    return pairs


class SetFieldForm(ActionForm):
    value = _needed(forms.ChoiceField(label=gettext_lazy("فیلد و مقدار تازه")))

    def __init__(self, *args, model=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = [("", "—"), *settable_fields(model)] if model else []


class SetField(Action):
    key = "set_field"
    label = gettext_lazy("تغییر یک فیلد")
    form = SetFieldForm

    def _parts(self, params: dict, model):
        name, _eq, raw = params.get("value", "").partition("=")
        field = model._meta.get_field(name)
        value = raw == "1" if field.get_internal_type() == "BooleanField" else raw
        if type(field.to_python(value)) is int:
            value = int(value)
        return field, value

    def _shown(self, params: dict, model) -> str:
        return dict(settable_fields(model)).get(params.get("value", ""), params.get("value", ""))

    def perform(self, params: dict, context: Context) -> str:
        record = context.record
        if params.get("value") not in dict(settable_fields(type(record))):
            return _("فیلد تغییر نکرد: این فیلد دیگر در دسترس نیست.")
        field, value = self._parts(params, type(record))
        before = snapshot(record)
        setattr(record, field.attname, value)
        context.save(record, [field.name], before)
        return _("«%(what)s» شد.") % {"what": self._shown(params, type(record))}

    def describe(self, params: dict, context: Context) -> str:
        return _("«%(what)s» می‌شود.") % {"what": self._shown(params, type(context.record))}


# Send group -----------------------------------------------------------------------------


class GroupForm(ActionForm):
    group = _needed(forms.ModelChoiceField(label=gettext_lazy("گروه ارسال"),
                                           queryset=ContactGroup.objects.none()))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = ContactGroup.objects.order_by("name")


class AddToGroup(Action):
    key = "group"
    label = gettext_lazy("افزودن مشتری به گروه ارسال")
    form = GroupForm

    def perform(self, params: dict, context: Context) -> str:
        contact = contact_of(context.record)
        group = ContactGroup.objects.filter(pk=params.get("group")).first()
        if contact is None or group is None:
            return _("به گروه ارسال افزوده نشد: مشتری یا گروه نیست.")
        group_add_contacts(group=group, contacts=Contact.objects.filter(pk=contact.pk))
        return _("«%(contact)s» در گروه ارسال «%(group)s» است.") % {
            "contact": contact,
            "group": group,
        }

    def describe(self, params: dict, context: Context) -> str:
        group = ContactGroup.objects.filter(pk=params.get("group")).first()
        return _("مشتری به گروه ارسال «%(group)s» افزوده می‌شود.") % {"group": group}


# Webhook --------------------------------------------------------------------------------


class WebhookForm(ActionForm):
    subscription = _needed(forms.ModelChoiceField(
        label=gettext_lazy("وب‌هوک"), queryset=WebhookSubscription.objects.none()
    ))  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subscription"].queryset = WebhookSubscription.objects.defer("secret")


def rule_event(rule: Rule) -> str:
    """The webhook event of a rule's «call a webhook» action."""
    return f"{webhooks.RULE_PREFIX}{rule.pk}"


class CallWebhook(Action):
    key = "webhook"
    label = gettext_lazy("فراخوانی وب‌هوک")
    form = WebhookForm

    def perform(self, params: dict, context: Context) -> str:
        subscription = WebhookSubscription.objects.filter(pk=params.get("subscription")).first()
        if subscription is None or not subscription.is_active:
            return _("وب‌هوک فراخوانده نشد: خاموش یا حذف شده است.")
        run = context.run
        WebhookDelivery.objects.create(
            subscription=subscription,
            event=rule_event(context.rule),
            change=run.change if run else None,
            content_type=run.content_type if run else None,
            object_id=context.record.pk,
        )
        webhooks.wake_worker()
        return _("به وب‌هوک «%(name)s» فرستاده می‌شود.") % {"name": subscription.name}

    def describe(self, params: dict, context: Context) -> str:
        subscription = WebhookSubscription.objects.filter(pk=params.get("subscription")).first()
        return _("به وب‌هوک «%(name)s» فرستاده می‌شود.") % {"name": subscription or "—"}


ACTIONS: dict[str, Action] = {
    action.key: action
    for action in (
        Assign(),
        Notify(),
        Sms(),
        Email(),
        CreateTask(),
        SetField(),
        AddToGroup(),
        CallWebhook(),
    )
}
