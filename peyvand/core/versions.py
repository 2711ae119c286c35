"""Lost updates, one mechanism for every edit: the edit carries the version of the record
it started from (the record's ``updated_at`` when the form was opened or the API client
read it), and the service refuses the save, inside its transaction and with the row
locked, when someone saved the record in between. The refusal names who changed what,
from the change history (core.history).

Pages: the form mixes in ``core.forms.EditVersionMixin`` (a hidden ``version`` field);
the view passes ``form.cleaned_data["version"]`` to the service and shows a
``StaleEdit`` with ``form.refuse_stale`` (everything typed stays). The API: a PUT's
``updated_at`` is the version; a stale one answers 409 (api.api's handler). Without a
version nothing is checked (API clients written before versions existed)."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.core.dates import format_date, format_time
from peyvand.core.display import current_preferences
from peyvand.core.models import ChangeRecord


class StaleEdit(Exception):
    """Someone saved the record after this edit started. ``version`` is the record's
    version now; ``message`` says (in Persian) who changed what since."""

    def __init__(self, record: models.Model, *, version: datetime.datetime, message: str):
        super().__init__(message)
        self.record = record
        self.version = version
        self.message = message


def check_version(record: models.Model, version: datetime.datetime | None) -> None:
    """Inside the caller's transaction: locks the record's row, so that two saves of the
    same version cannot both pass (PostgreSQL), and raises StaleEdit if the record was
    saved after ``version``. ``version`` None checks nothing."""
    if version is None or record.pk is None:
        return
    if timezone.is_naive(version):  # Django's reading of a naive time: the local one
        version = timezone.make_aware(version)
    current = (
        type(record)
        ._base_manager.select_for_update()
        .filter(pk=record.pk)
        .values_list("updated_at", flat=True)
        .get()
    )
    if _to_the_millisecond(current) != _to_the_millisecond(version):
        raise StaleEdit(record, version=current, message=_stale_message(record, version))


def _to_the_millisecond(value: datetime.datetime) -> datetime.datetime:
    """Versions compare to the millisecond: the API's JSON carries no more (Django's
    encoder cuts microseconds off), and two saves of one record a millisecond apart do
    not happen."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def _stale_message(record: models.Model, version: datetime.datetime) -> str:
    """«علی رضایی این سرنخ را ساعت ۱۰:۱۲ تغییر داده است (عنوان، مرحله).», one sentence
    per person, from the history lines written after ``version`` (a save's line carries
    the version it made, see core.history.log_change)."""
    kind = record._meta.verbose_name
    lines = (
        ChangeRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            # The lines of later saves: the line of the save that made ``version`` has
            # ``at`` equal to it, at most a millisecond past what the client sent.
            at__gte=_to_the_millisecond(version) + datetime.timedelta(milliseconds=1),
        )
        .select_related("user")
        .order_by("at", "id")
    )
    people: dict[int | None, dict] = {}
    for line in lines:
        person = people.setdefault(line.user_id, {"user": line.user, "labels": []})
        person["at"] = line.at
        if line.action == ChangeRecord.Action.CHANGED:
            labels = [str(change["label"]) for change in line.changes]
        else:
            labels = [line.get_action_display()]
        person["labels"] += [label for label in labels if label not in person["labels"]]
    if not people:
        return _("کس دیگری این %(kind)s را در این فاصله تغییر داده است.") % {"kind": kind}
    return " ".join(
        _("%(user)s این %(kind)s را %(when)s تغییر داده است (%(fields)s).")
        % {
            "user": person["user"] or _("کاربری"),
            "kind": kind,
            "when": _when(person["at"]),
            "fields": "، ".join(person["labels"]),
        }
        for person in people.values()
    )


def _when(at: datetime.datetime) -> str:
    preferences = current_preferences()
    time = format_time(at, digits=preferences.digits)
    if timezone.localdate(at) == timezone.localdate():
        return _("ساعت %(time)s") % {"time": time}
    day = format_date(at, calendar=preferences.calendar, digits=preferences.digits)
    return _("%(date)s ساعت %(time)s") % {"date": day, "time": time}
