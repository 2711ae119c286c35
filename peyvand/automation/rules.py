"""Automation rules: «when a record of this kind is created, a field of it changes or a
date of it passes, and it matches these conditions, do that».

- **Record types and conditions** are the lists' (core.lists): a rule names a list and
  keeps a query string of its filters, read by that list's own ``ListSpec`` as the
  rule's owner — custom fields, owner, team, amounts and every filter the list page has,
  with the same meaning. A preview is that list's rows.
- **Events** come from the change history (core.history publishes RECORD_CHANGED in
  the change's transaction). ``record_changed`` writes a RuleRun for every active rule
  the change sets off whose conditions the record meets, in that same transaction: a
  rolled-back change runs nothing, a committed one is never lost. Dates are scanned by
  the beat (``scan_dates``): each pass reads the dates that passed since the last one.
- **Running**: the worker (task ``automation.tasks.run_rules``) claims pending runs and
  runs each in one transaction with its actions (automation.actions) — the actions'
  writes and the run's «done» commit together, so a run is done exactly once; a killed
  worker's run is rolled back and taken again.
- **No loops**: a change a run makes does not set off the same rule again, and a chain
  of rules setting each other off stops at MAX_DEPTH.
"""

import contextvars
import datetime
import functools
import logging
import re
import time

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import DateTimeField
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peyvand.activities.reminders import notify
from peyvand.automation.actions import ACTIONS, Context
from peyvand.automation.models import Rule, RuleRun
from peyvand.core import workers
from peyvand.core.lists import LISTS, ListSpec
from peyvand.core.models import BusinessRecord, ChangeRecord
from peyvand.core.text import to_latin_digits
from peyvand.core.timeline import LIMIT, TimelineItem
from peyvand.sales.models import FollowUp

logger = logging.getLogger("peyvand.rules")

# Outbox rows are not history records (their sending is the outbox's).
NOT_RULE_TYPES = frozenset({"messaging.message", "messaging.broadcast"})
MAX_DEPTH = 3  # rules setting off rules: at most this many links
BATCH_SIZE = 20
TASK_SECONDS = 60.0
# A run «running» for longer than this lost its worker (its transaction rolled back).
CLAIM_TIMEOUT = datetime.timedelta(minutes=5)

# The run whose actions are being done now, in this thread: the changes they make carry
# it, for the loop guard.
_running: contextvars.ContextVar[RuleRun | None] = contextvars.ContextVar(
    "automation_rule_run", default=None
)


# Record types ---------------------------------------------------------------------------


def rule_lists() -> dict[str, ListSpec]:
    """The lists a rule may be about: one per record type whose history is kept (the
    first list of a type, e.g. the requests' inbox for requests)."""
    found: dict[str, ListSpec] = {}
    seen = set()
    for key, spec in LISTS.items():
        label = spec.model._meta.label_lower
        if not issubclass(spec.model, BusinessRecord) or label in NOT_RULE_TYPES or label in seen:
            continue
        seen.add(label)
        found[key] = spec
    return found


def spec_of(rule: Rule) -> ListSpec | None:
    return rule_lists().get(rule.list_key)


def change_fields(spec: ListSpec) -> list[tuple[str, str]]:
    """The fields whose change may set a rule off: those the history records."""
    return [
        (field.name, str(field.verbose_name))
        for field in spec.model._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in _NOT_TRIGGERS
    ]


_NOT_TRIGGERS = frozenset({"search_key", "custom", "updated_at", "created_at", "deleted_at"})


def takes_followups(spec: ListSpec) -> bool:
    """Whether follow-ups are logged on this type (leads, proformas, complaints)."""
    return any(
        field.related_model is FollowUp and field.one_to_many
        for field in spec.model._meta.get_fields()
    )


def date_fields(spec: ListSpec) -> list[tuple[str, str]]:
    """The dates and times a rule may wait for (a deadline, a due date, a follow-up)."""
    return [
        (field.name, str(field.verbose_name))
        for field in spec.model._meta.concrete_fields
        if field.get_internal_type() in ("DateField", "DateTimeField")
        and field.name not in ("created_at", "updated_at", "deleted_at")
    ]


# Conditions -----------------------------------------------------------------------------


def condition_params(rule: Rule) -> QueryDict:
    return QueryDict(rule.conditions)


_GROUPED_NUMBER = re.compile(r"\d{1,3}(?:[,\u066c]\d{3})+")


def _canonical(value: str) -> str:
    """A condition's value as stored: Latin digits, and a number without its thousands
    separators («۵۰۰٬۰۰۰٬۰۰۰» → 500000000); the list reads it the same either way."""
    value = to_latin_digits(value.strip())
    if _GROUPED_NUMBER.fullmatch(value):
        value = value.replace(",", "").replace("\u066c", "")
    return value


def conditions_from(spec: ListSpec, params: QueryDict) -> str:
    """The query string of the list's filters among ``params`` (a rule's form posts its
    own fields beside them); empty inputs left out, «همه» kept (it overrides a default)."""
    probe = QueryDict(mutable=True)
    for key in params:
        probe[key] = "\x00"
    owned = set()
    for list_filter in spec.filters:
        rest = probe.copy()
        list_filter.clear(rest)
        owned |= {key for key in probe if rest.get(key) != "\x00"}
    kept = QueryDict(mutable=True)
    for key in params:
        values = [_canonical(value) for value in params.getlist(key) if value.strip()]
        if key in owned and values:
            kept.setlist(key, values)
    return kept.urlencode()


def matching(rule: Rule):
    """Every record the rule's conditions accept, as its owner sees them."""
    spec = spec_of(rule)
    return spec.rows(rule.owner, condition_params(rule))


def condition_chips(rule: Rule) -> list[str]:
    """The conditions in words, as the list's chips say them."""
    spec = spec_of(rule)
    if spec is None:
        return []
    return [label for label, _query in spec.read(condition_params(rule), rule.owner).chips]


def meets(rule: Rule, record) -> bool:
    return matching(rule).filter(pk=record.pk).exists()


# Events ---------------------------------------------------------------------------------


@functools.cache
def _lists_of(label: str) -> tuple[str, ...]:
    """The rule lists of a record type (on every history line: computed once; the lists
    are all registered by the time a record changes)."""
    return tuple(key for key, spec in rule_lists().items() if spec.model._meta.label_lower == label)


def record_changed(*, change: ChangeRecord, record) -> None:
    """core.history's RECORD_CHANGED: a run for each active rule this change sets off,
    written in the change's own transaction. One query when no rule is about the type.
    A follow-up logged sets off the follow-up rules of what it follows (a lead, a
    proforma, a complaint)."""
    if not isinstance(record, BusinessRecord):
        return
    cause = f"change:{change.pk}"
    if change.action == ChangeRecord.Action.CREATED and isinstance(record, FollowUp):
        result = str(record.result_id)
        _start(
            record.subject,
            Rule.Trigger.FOLLOWUP,
            cause=cause,
            change=change,
            wanted=lambda rule: rule.trigger_field in ("", result),
        )
    if change.action == ChangeRecord.Action.CREATED:
        _start(record, Rule.Trigger.CREATED, cause=cause, change=change)
    elif change.action == ChangeRecord.Action.CHANGED:
        fields = {line.get("field") for line in change.changes}
        _start(
            record,
            Rule.Trigger.CHANGED,
            cause=cause,
            change=change,
            wanted=lambda rule: not rule.trigger_field or rule.trigger_field in fields,
        )


def message_received(*, message) -> None:
    """messaging's MESSAGE_RECEIVED: the «a message received» rules of the record the
    message is about (a request it answers or opened) and of its sender's contact."""
    for record in dict.fromkeys(r for r in (message.related, message.contact) if r is not None):
        _start(record, Rule.Trigger.MESSAGE, cause=f"message:{message.pk}", change=None)


def form_submitted(*, form, submission, record) -> None:
    """A form sent (automation.submissions): the «a form sent» rules of what it made."""
    form_id = str(form.pk)
    _start(
        record,
        Rule.Trigger.FORM,
        cause=f"form:{submission.pk}",
        change=None,
        wanted=lambda rule: rule.trigger_field in ("", form_id),
    )


def _start(record, trigger: str, *, cause: str, change, wanted=None) -> None:
    """A run of every active rule of ``trigger`` about ``record``'s type that ``wanted``
    accepts and whose conditions ``record`` meets — never the rule whose run made this
    change, and never past MAX_DEPTH links."""
    if not isinstance(record, BusinessRecord):
        return
    keys = _lists_of(record._meta.label_lower)
    if not keys:
        return
    running = _running.get()
    depth = running.depth + 1 if running else 0
    rules = Rule.objects.filter(is_active=True, trigger=trigger, list_key__in=keys).select_related(
        "owner"
    )
    runs = []
    for rule in rules:
        if wanted is not None and not wanted(rule):
            continue
        if running is not None and running.rule_id == rule.pk:
            continue  # its own change: never sets it off again
        if depth > MAX_DEPTH:
            logger.warning("Rule %s not run on %s: chain of rules too long", rule.pk, record.pk)
            continue
        if not meets(rule, record):
            continue
        runs.append(
            RuleRun(
                rule=rule,
                content_type=ContentType.objects.get_for_model(record),
                object_id=record.pk,
                cause=cause,
                change=change,
                depth=depth,
                created_at=change.at if change is not None else timezone.now(),
            )
        )
    if runs:
        RuleRun.objects.bulk_create(runs)
        wake_worker()


def wake_worker() -> None:
    """Runs this transaction's rule runs once it commits (one task however many)."""
    from peyvand.automation.tasks import run_rules  # tasks import this module

    workers.enqueue_on_commit(run_rules)


def _threshold(rule: Rule, field, now: datetime.datetime):
    """The field's value that is due by ``now`` (a date rule ``date_offset`` days after)."""
    moment = now - datetime.timedelta(days=rule.date_offset)
    return moment if isinstance(field, DateTimeField) else timezone.localdate(moment)


def scan_dates(now: datetime.datetime | None = None) -> int:
    """Runs for the dates that passed since the last scan, per active date rule; returns
    how many records were found due. Every date in the window is read (a day's
    deadlines pass together: thousands at once are one bulk insert); several workers may
    scan at once: the run's uniqueness keeps each (rule, record, date) to one run."""
    now = now or timezone.now()
    found = 0
    for rule in Rule.objects.filter(is_active=True, trigger=Rule.Trigger.DATE).select_related(
        "owner"
    ):
        spec = spec_of(rule)
        if spec is None or not rule.trigger_field:
            continue
        field = spec.model._meta.get_field(rule.trigger_field)
        since = rule.scanned_until or now
        upper, lower = _threshold(rule, field, now), _threshold(rule, field, since)
        due = (
            matching(rule)
            .filter(**{f"{field.name}__gt": lower, f"{field.name}__lte": upper})
            .order_by()
            .values_list("pk", field.name)
        )
        content_type = ContentType.objects.get_for_model(spec.model)
        with transaction.atomic():
            runs = [
                RuleRun(
                    rule=rule,
                    content_type=content_type,
                    object_id=pk,
                    cause=f"date:{value.isoformat()}"[:60],
                    created_at=now,
                )
                for pk, value in due.iterator(chunk_size=2000)
            ]
            RuleRun.objects.bulk_create(runs, batch_size=1000, ignore_conflicts=True)
            Rule.objects.filter(pk=rule.pk).update(scanned_until=now)
            if runs:
                wake_worker()
        found += len(runs)
    return found


# Running --------------------------------------------------------------------------------


def due():
    return RuleRun.objects.filter(status=RuleRun.Status.PENDING)


def take_back_lost(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return RuleRun.objects.filter(
        status=RuleRun.Status.RUNNING, claimed_at__lt=now - CLAIM_TIMEOUT
    ).update(status=RuleRun.Status.PENDING)


def run_due(seconds: float = TASK_SECONDS) -> int:
    """Runs what is pending, batch after batch, for at most about ``seconds``."""
    take_back_lost()
    deadline = time.monotonic() + seconds
    done = 0
    while time.monotonic() < deadline:
        now = timezone.now()
        ids = workers.claim_due(
            due(),
            order_by=("created_at", "id"),
            limit=BATCH_SIZE,
            status=RuleRun.Status.RUNNING,
            claimed_at=now,
        )
        if not ids:
            break
        for pk in ids:
            run_one(pk, claimed_at=now)
            done += 1
    return done


def run_one(pk: int, *, claimed_at: datetime.datetime) -> RuleRun.Status | None:
    """Does one claimed run: its actions and its «done» in one transaction."""
    try:
        with transaction.atomic():
            run = (
                RuleRun.objects.select_for_update(of=("self",))
                .select_related("rule__owner", "content_type")
                .filter(pk=pk, status=RuleRun.Status.RUNNING, claimed_at=claimed_at)
                .first()
            )
            if run is None:  # taken back and run by another worker meanwhile
                return None
            if not run.rule.is_active:  # switched off since: what was queued is dropped
                return _ended(
                    run, RuleRun.Status.SKIPPED, error=_("قانون خاموش شد؛ کاری انجام نشد.")
                )
            record = _record_of(run)
            if record is None:
                return _ended(run, RuleRun.Status.FAILED, error=_("پرونده حذف شده است."))
            token = _running.set(run)
            try:
                context = Context(rule=run.rule, record=record, run=run)
                lines = [
                    str(ACTIONS[item["kind"]].perform(item, context))
                    for item in run.rule.actions
                    if item.get("kind") in ACTIONS
                ]
            finally:
                _running.reset(token)
            return _ended(run, RuleRun.Status.DONE, summary="\n".join(lines))
    except Exception as error:
        logger.exception("Rule run %s failed", pk)
        return _failed(pk, claimed_at, error)


def _record_of(run: RuleRun):
    model = run.content_type.model_class()
    if model is None:
        return None
    return model.objects.filter(pk=run.object_id).first()


def _ended(run: RuleRun, status: str, *, summary: str = "", error: str = "") -> str:
    RuleRun.objects.filter(pk=run.pk).update(
        status=status, summary=summary, error=error[:500], done_at=timezone.now()
    )
    return status


def _failed(pk: int, claimed_at: datetime.datetime, error: Exception) -> str:
    """A run whose actions raised: nothing of it was kept; said on the rule's history
    and to its owner."""
    reason = _("خطای پیش‌بینی‌نشده هنگام اجرای کارها (%(kind)s)؛ هیچ کاری انجام نشد.") % {
        "kind": type(error).__name__
    }
    with transaction.atomic():
        updated = RuleRun.objects.filter(
            pk=pk, status=RuleRun.Status.RUNNING, claimed_at=claimed_at
        ).update(status=RuleRun.Status.FAILED, error=reason, done_at=timezone.now())
        run = RuleRun.objects.select_related("rule__owner").get(pk=pk)
        if updated:
            notify(
                user=run.rule.owner,
                title=_("قانون خودکار «%(name)s» اجرا نشد") % {"name": run.rule.name},
                body=reason,
                url=reverse("automation:rule_detail", args=[run.rule_id]),
            )
    return RuleRun.Status.FAILED


# Preview --------------------------------------------------------------------------------

PREVIEW_SIZE = 10


def preview(rule: Rule, viewer) -> list[tuple[object, list[str]]]:
    """The first records the conditions accept now that ``viewer`` may see too (a rule
    may be in the name of someone who sees more), each with what the rule would do to it
    — nothing is done."""
    items = []
    spec = spec_of(rule)
    seen = spec.model.all_objects.visible_to(viewer).values("pk")
    for record in matching(rule).filter(pk__in=seen)[:PREVIEW_SIZE]:
        context = Context(rule=rule, record=record)
        items.append(
            (
                record,
                [
                    str(ACTIONS[item["kind"]].describe(item, context))
                    for item in rule.actions
                    if item.get("kind") in ACTIONS
                ],
            )
        )
    return items


# Timeline -------------------------------------------------------------------------------


def timeline_items(record, content_type) -> list:
    """A record's timeline: each run of a rule on it, with what it did."""
    runs = (
        RuleRun.objects.filter(
            content_type=content_type,
            object_id=record.pk,
            status__in=[RuleRun.Status.DONE, RuleRun.Status.FAILED, RuleRun.Status.SKIPPED],
        )
        .select_related("rule")
        .order_by("-created_at", "-id")[:LIMIT]
    )
    return [
        TimelineItem(
            run.done_at or run.created_at,
            "rule",
            None,
            run,
            {
                "icon": "robot",
                "label": _("قانون خودکار «%(name)s»") % {"name": run.rule.name},
                # The rule's page is its managers'; the timeline says the whole of it.
                "url": "",
                "text": run.summary if run.status == RuleRun.Status.DONE else run.error,
            },
        )
        for run in runs
    ]
