"""What a list page shows, from its declaration: the page of rows, the filter bar, the
active filters' chips, the sort links and the footer's totals."""

from __future__ import annotations

import contextlib
import html
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from peyvand.core import registry
from peyvand.core.access import own_url
from peyvand.core.dates import format_date, user_calendar
from peyvand.core.display import localize_digits
from peyvand.core.lists.bulk import BulkAction, BulkForm
from peyvand.core.lists.filters import DateRange, Filter, Record
from peyvand.core.lists.spec import LISTS, TOTALS_CAP, Column, ListReading, ListSpec
from peyvand.core.models import ListPreference, SavedView
from peyvand.core.pagination import paginate
from peyvand.core.params import id_list_param

# What a saved view keeps of the query string: the filters and the sort, not the page
# nor which view it was opened from (the list's ``view_param``).
NOT_SAVED = ("page", "view")

PRIMARY_FILTERS = 4


@dataclass(frozen=True)
class BarItem:
    """One filter in the bar: its value as typed back into its inputs."""

    filter: Filter
    value: Any
    options: Any
    label_text: str = ""  # a record's name
    texts: tuple[str, ...] = ()  # a date range's from/to as the date picker writes them


def _texts(list_filter: Filter, value: Any) -> tuple[str, ...]:
    if isinstance(list_filter, DateRange) and value and not value[2]:
        return tuple(
            format_date(day, user_calendar(), "latin", "short") if day else "" for day in value[:2]
        )
    return ()


@dataclass(frozen=True)
class BulkItem:
    """An action in the bar, with its inputs."""

    action: BulkAction
    form: BulkForm | None


def filter_bar(spec: ListSpec, reading: ListReading) -> list[BarItem]:
    """Every filter's inputs with the reading's values typed back: the list page's bar,
    and an automation rule's conditions (the same inputs, in the rule's form)."""
    bar = []
    for list_filter in spec.filters:
        if list_filter.name in reading.hidden:
            continue
        value = reading.values.get(list_filter.name)
        options = list_filter.options(reading)
        if isinstance(list_filter, DateRange):
            options = list(list_filter.presets.items())
        label = reading.values.get(f"{list_filter.name}__label", "")
        bar.append(
            BarItem(list_filter, value, options, label if isinstance(list_filter, Record) else "",
                    _texts(list_filter, value))
        )  # fmt: skip
    return bar


def list_context(
    request: HttpRequest, spec: ListSpec, *, page_size: int | None = None, ticking: bool = False
) -> dict:
    """A list page's context: ``page`` (no COUNT), ``reading``, ``bar``, ``sorts`` (the
    headers' links by sort key), ``figures`` (the footer's totals), ``rows`` (the
    filtered queryset, for what the page adds), ``bulk`` (the actions the user may run)
    and ``table_rows`` (each row's tick box, classes and cells). The rows get tick boxes
    when there is an action, another module's list action (core.registry.ListAction) or
    ``ticking`` (the page's own use of them: the contacts' export of ticked rows)."""
    user = request.user
    reading = spec.read(request.GET, user)
    rows = spec.rows(user, request.GET, reading)
    page = paginate(rows, request.GET.get("page"), page_size or settings.PAGE_SIZE)
    bar = filter_bar(spec, reading)
    chosen = (
        ListPreference.objects.filter(user=user, list_key=spec.key)
        .values_list("columns", flat=True)
        .first()
    )
    views = saved_views(user, spec)
    # Opened from the «نماها» menu (?view=<id>): the view's columns, when it kept some. A
    # view the user may not read is not among theirs: ignored, nothing said.
    opened = request.GET.get(spec.view_param)
    current_view = next((v for v in views if str(v.pk) == opened), None)
    if current_view is not None and current_view.columns:
        chosen = current_view.columns
    columns = spec.shown_columns(chosen or [], user, reading.hidden, reading)
    shown = {column.key for column in columns}
    # The first filters in sight; the rest fold under «فیلترهای بیشتر» (open when one of
    # them is set): every input is in the page either way.
    primary, more = bar[:PRIMARY_FILTERS], bar[PRIMARY_FILTERS:]
    sorts = spec.sort_links(request.GET, reading)
    bulk = [
        BulkItem(action, action.form and action.form(reading=reading, spec=spec, prefix=action.key))
        for action in spec.actions
        if user.has_perm(action.permission)
    ]
    model_label = spec.model._meta.label_lower
    ticking = ticking or bool(bulk) or _has_list_actions(user, model_label)
    cells = [_row(spec, columns, row, reading) for row in page.items]
    ticks = [_tick(row) if ticking else "" for row in page.items]
    return {
        "spec": spec,
        "headings": [(column, sorts.get(column.sort)) for column in columns],
        "views": views,
        "current_view": current_view,
        "shareable_teams": _shareable_teams(user),
        "saved_query": _saved_query(request.GET, spec),
        "page": page,
        "columns": columns,
        "hidden_columns": [
            c
            for c in spec.all_columns(reading)
            if c.key not in shown and c.key not in reading.hidden
        ],
        "cells": cells,
        # Each cell with its column's label: on a phone the rows are cards, each value
        # under its label (app.css, .list-cards).
        "table_rows": [
            _table_row(columns, row, tick, row_class, row_cells)
            for row, tick, (row_class, row_cells) in zip(page.items, ticks, cells, strict=True)
        ],
        "bulk": bulk,
        "ticking": ticking,
        "model_label": model_label,
        "reading": reading,
        "bar": primary,
        "more": more,
        "more_set": sum(1 for item in more if item.value is not None),
        "sorts": sorts,
        "figures": spec.totals_of(rows, reading),
        "rows": rows,
        "cap": TOTALS_CAP,
    }


def _has_list_actions(user, model_label: str) -> bool:
    return any(
        action.model_label == model_label and user.has_perm(action.permission)
        for action in registry.list_actions
    )


def _tick(row) -> str:
    """A row's tick box: a field of the bulk form (core/lists/_bulk.html), named by the
    row for a screen reader, in a label that is a thumb's target on a phone (app.css)."""
    return mark_safe(  # noqa: S308 - the name escaped here, the id an integer
        '<label class="tick-target"><input class="form-check-input" type="checkbox" name="id" '
        f'form="bulk-form" value="{int(row.pk)}" aria-label="انتخاب {html.escape(str(row))}">'
        "</label>"
    )


@dataclass
class TableRow:
    """A row as core/lists/_table.html draws it: ``cells`` are (column, safe HTML);
    ``actions`` the row's buttons again (its action columns' non-empty cells), for the
    card's «⋯» menu on a phone, named for a screen reader by ``menu_label``."""

    tick: str
    row_class: str
    cells: list[tuple[Column, str]]
    actions: list[str]
    menu_label: str


def _table_row(columns, row, tick: str, row_class: str, row_cells: list) -> TableRow:
    pairs = list(zip(columns, row_cells, strict=True))
    return TableRow(
        tick=tick,
        row_class=row_class,
        cells=pairs,
        actions=[cell for column, cell in pairs if column.action and cell],
        menu_label=f"کارهای {row}",
    )


def _row(spec: ListSpec, columns, row, reading) -> tuple[str, list]:
    """A row's CSS classes and cells; under a text search, the first cell says why the
    row matched."""
    cells = [column.cell(row) for column in columns]
    search = spec.search
    query = reading.values.get(search.name) if search else None
    if cells and query and (why := search.why(row, query)):
        cells[0] = cells[0] + why
    return (spec.row_class(row, reading) if spec.row_class else "", cells)


def saved_views(user, spec: ListSpec) -> list[SavedView]:
    """The user's own views of the list and those shared with a team of theirs, each with
    its ``url``: one query."""
    views = list(
        SavedView.objects.filter(list_key=spec.key)
        .filter(Q(owner=user) | Q(team_id__in=user.teams.filter(is_active=True).values("pk")))
        .select_related("team")
    )
    for view in views:
        view.url = view_url(spec, view)
    return views


def _shareable_teams(user) -> list:
    """The teams a user may share a view with: their own, for who holds the right (an
    empty list, no query, for who does not)."""
    if not user.has_perm("core.share_savedview"):
        return []
    return list(user.teams.filter(is_active=True).order_by("name"))


def _saved_query(params: QueryDict, spec: ListSpec | None = None) -> str:
    kept = params.copy()
    for name in NOT_SAVED if spec is None else ("page", spec.view_param):
        kept.pop(name, None)
    return kept.urlencode()


def _list_or_404(user, key: str) -> ListSpec:
    spec = LISTS.get(key)
    if spec is None:
        raise Http404
    if not user.has_perm(spec.permission):
        raise PermissionDenied
    return spec


@require_POST
def view_save(request: HttpRequest, key: str) -> HttpResponse:
    """Saves the list's current filters and sort under a name (the same name again
    replaces them), shared with one of the user's teams when they may share."""
    spec = _list_or_404(request.user, key)
    name = " ".join(request.POST.get("name", "").split())[:100]
    params = _saved_query(QueryDict(request.POST.get("params", "")[:4000]), spec)
    back = f"{reverse(spec.url_name)}?{params}"
    if not name:
        messages.error(request, "برای نما نامی بنویسید.")
        return redirect(back)
    team = None
    if team_id := request.POST.get("team"):
        team = next((t for t in _shareable_teams(request.user) if str(t.pk) == team_id), None)
        if team is None:
            raise PermissionDenied
    # The columns the saver sees now travel with the view (none chosen: the reader's own).
    columns = (
        ListPreference.objects.filter(user=request.user, list_key=spec.key)
        .values_list("columns", flat=True)
        .first()
    ) or []
    # The same name saved at once from two tabs: the first stands.
    with contextlib.suppress(IntegrityError):
        SavedView.objects.update_or_create(
            owner=request.user,
            list_key=spec.key,
            name=name,
            defaults={"params": params, "team": team, "columns": columns},
        )
    messages.success(request, f"نمای «{name}» ذخیره شد.")
    return redirect(back)


@require_POST
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Deletes one of the user's own views (a team's view is its owner's to delete)."""
    view = get_object_or_404(SavedView, pk=pk, owner=request.user)
    spec = _list_or_404(request.user, view.list_key)
    view.delete()
    messages.success(request, f"نمای «{view.name}» حذف شد.")
    return redirect(spec.url_name)


def view_url(spec: ListSpec, view: SavedView) -> str:
    query = QueryDict(view.params, mutable=True)
    query[spec.view_param] = str(view.pk)
    return f"{reverse(spec.url_name)}?{query.urlencode()}"


@require_POST
def view_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Makes a view (own or shared with the user's team) the page signing in lands on."""
    view = get_object_or_404(SavedView, pk=pk)
    spec = _list_or_404(request.user, view.list_key)
    if view not in saved_views(request.user, spec):
        raise Http404
    request.user.start_page = view_url(spec, view)
    request.user.save(update_fields=["start_page"])
    messages.success(request, f"از این پس ورود به پیوند با نمای «{view.name}» شروع می‌شود.")
    return redirect(request.user.start_page)


@require_POST
def start_page_clear(request: HttpRequest) -> HttpResponse:
    """Signing in lands on the کارتابل again."""
    request.user.start_page = ""
    request.user.save(update_fields=["start_page"])
    messages.success(request, "از این پس ورود به پیوند با کارتابل شروع می‌شود.")
    return redirect(own_url(request, request.POST.get("back", "")) or "core:home")


@require_POST
def columns_save(request: HttpRequest, key: str) -> HttpResponse:
    """The user's columns of a list: the ticked ones in the order shown; ``move`` =
    «<key>:up» or «<key>:down» moves one; ``reset`` goes back to the defaults."""
    spec = _list_or_404(request.user, key)
    # The columns computed at request time (a custom field's) are choosable too.
    declared = [column.key for column in spec.all_columns(ListReading(user=request.user))]
    chosen = [name for name in request.POST.getlist("columns") if name in declared]
    if move := request.POST.get("move", ""):
        # The last colon: a key may hold one itself (a custom field's «custom:f3»).
        name, _sep, way = move.rpartition(":")
        if name in chosen:
            at = chosen.index(name)
            to = at - 1 if way == "up" else at + 1
            if 0 <= to < len(chosen):
                chosen[at], chosen[to] = chosen[to], chosen[at]
    if request.POST.get("reset") or not chosen:
        ListPreference.objects.filter(user=request.user, list_key=spec.key).delete()
    else:
        ListPreference.objects.update_or_create(
            user=request.user, list_key=spec.key, defaults={"columns": chosen}
        )
    query = _saved_query(QueryDict(request.POST.get("params", "")[:4000]), spec)
    return redirect(f"{reverse(spec.url_name)}?{query}")


def _fa_count(number: int) -> str:
    return localize_digits(f"{number:,}").replace(",", "٬")


@require_POST
def list_bulk(request: HttpRequest, key: str, action: str) -> HttpResponse:
    """Runs a list's action (ListSpec.actions) on the ticked rows (``id``) or, with
    ``all``, on every row of the list's query (``params``, what the page showed): the
    rows re-read through the list, so only what the user may see, at most the action's
    limit. Back to the list's page (``next``) with what was done."""
    user = request.user
    spec = _list_or_404(user, key)
    bulk = spec.action(action)
    if bulk is None:
        raise Http404
    if not user.has_perm(bulk.permission):
        raise PermissionDenied
    back = own_url(request, request.POST.get("next", "")) or reverse(spec.url_name)
    every = bool(request.POST.get("all"))
    ids = id_list_param(request.POST, "id")
    if every:
        params = QueryDict(request.POST.get("params", "")[:4000])
    elif ids:
        # A ticked row is found whatever the list's filters (a task list that starts at
        # «من» ticked under «همه»): all of them off, visibility still applies.
        params = spec.everything()
    else:
        messages.error(
            request, "ردیفی انتخاب نشده است: ردیف‌ها را تیک بزنید یا «همه نتایج فیلتر» را بزنید."
        )
        return redirect(back)
    reading = spec.read(params, user)
    form = bulk.form and bulk.form(request.POST, reading=reading, spec=spec, prefix=bulk.key)
    if form is not None and not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect(back)
    rows = spec.rows(user, params, reading)
    if not every:
        rows = rows.filter(pk__in=ids[: bulk.limit + 1])
    # A plain queryset of the model over the chosen keys: the services lock and save
    # rows, which the list's joins and annotations would get in the way of.
    chosen = spec.model._default_manager.filter(pk__in=rows.order_by().values("pk")).order_by("pk")
    total = chosen[: bulk.limit + 1].count()
    if total > bulk.limit:
        messages.error(
            request,
            f"بیش از {_fa_count(bulk.limit)} ردیف انتخاب شده است؛ "
            "فیلترها را تنگ‌تر کنید و دوباره بزنید.",
        )
        return redirect(back)
    if total == 0:
        messages.error(request, "ردیفی از این فهرست که شما ببینید انتخاب نشده است.")
        return redirect(back)
    data = form.cleaned_data if form is not None else {}
    try:
        # All or nothing: a row a service refuses leaves the others as they were.
        with transaction.atomic():
            count = bulk.apply(chosen, data, user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(back)
    described = form.described() if form is not None else {}
    messages.success(
        request, bulk.done % {**described, "count": _fa_count(count), "total": _fa_count(total)}
    )
    return redirect(back)
