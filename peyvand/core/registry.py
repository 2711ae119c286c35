"""Where domain apps plug into the shell without core importing them: the top-bar
search and the home page (کارتابل). Apps register in their AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest


@dataclass(frozen=True)
class SearchSource:
    label: str  # heading of the group of results, in Persian
    search: Callable[..., QuerySet]  # search(user=…, query=…) -> visible matches
    row_template: str  # renders one result as {{ record }}
    list_url_name: str  # the full list, filtered by ?q=
    permission: str  # needed to see this source's results at all


@dataclass(frozen=True)
class HomePanel:
    template: str
    context: Callable[[HttpRequest], dict]
    permission: str
    order: int = 100


search_sources: list[SearchSource] = []
home_panels: list[HomePanel] = []


def register_search_source(source: SearchSource) -> None:
    if source not in search_sources:
        search_sources.append(source)


def register_home_panel(panel: HomePanel) -> None:
    if panel not in home_panels:
        home_panels.append(panel)
        home_panels.sort(key=lambda item: item.order)


# Model labels ("contacts.contact") whose records take notes and attachments.
annotated_models: set[str] = set()


def register_annotated_model(label: str) -> None:
    annotated_models.add(label)


@dataclass(frozen=True)
class RecordPanel:
    """A card another module adds to a record's page (messages on a contact's page…):
    ``context(request, record)`` gives what ``template`` needs."""

    model_label: str  # "contacts.contact"
    template: str
    context: Callable
    permission: str
    order: int = 100


record_panels: list[RecordPanel] = []


def register_record_panel(panel: RecordPanel) -> None:
    if panel not in record_panels:
        record_panels.append(panel)
        record_panels.sort(key=lambda item: item.order)


@dataclass(frozen=True)
class ListAction:
    """A button another module adds to a list page, acting on what the list shows (its
    search and filters) or on the ticked rows: "message these contacts"…"""

    model_label: str
    label: str  # Persian
    icon: str  # bootstrap-icons name
    url_name: str  # a GET view that reads the list's query string
    permission: str


list_actions: list[ListAction] = []


def register_list_action(action: ListAction) -> None:
    if action not in list_actions:
        list_actions.append(action)


@dataclass(frozen=True)
class HistoryItem:
    """One line of a customer's history: what, when, in what state, and the record (its
    files are the customer's files too)."""

    record: object
    title: str
    date: object  # a date or a datetime
    status: str  # Persian
    is_open: bool


@dataclass(frozen=True)
class HistorySource:
    """One kind of item on a customer's history page (سابقه طرف حساب):
    ``items(user, contact, limit)`` gives the newest ones the user may see."""

    label: str  # Persian, plural
    icon: str  # bootstrap-icons name
    permission: str
    items: Callable
    order: int = 100


history_sources: list[HistorySource] = []


def register_history_source(source: HistorySource) -> None:
    if source not in history_sources:
        history_sources.append(source)
        history_sources.sort(key=lambda item: item.order)


# What counts against a contact's credit limit (سقف اعتبار): the money app registers how
# much of it is in use — their open balance and cheques not yet cleared. A lower app (a
# proforma being saved) asks here without importing it; with nothing registered, none is.
credit_in_use_sources: list[Callable] = []


def register_credit_in_use(source: Callable) -> None:
    if source not in credit_in_use_sources:
        credit_in_use_sources.append(source)


def credit_in_use(contact) -> int:
    return sum(source(contact) for source in credit_in_use_sources)


# Facts a higher app adds to the head of a sales document's official layout, as (label,
# value) pairs: the tax app adds an invoice's شماره منحصر به فرد مالیاتی once سامانه مودیان
# has accepted it. Sales prints them without importing the tax app.
document_fact_sources: list[Callable] = []


def register_document_facts(source: Callable) -> None:
    if source not in document_fact_sources:
        document_fact_sources.append(source)


def document_facts(document) -> list[tuple[str, str]]:
    return [fact for source in document_fact_sources for fact in source(document)]


@dataclass(frozen=True)
class ConversationKind:
    """A kind of record customers write to us about (a request, a complaint, a lead): messaging
    asks here which record a received email belongs to, and may open a new one, without
    importing the app that owns it.

    ``find(codes)`` is the record whose code is one of ``codes`` (words of an email's
    subject), or None; ``open(**facts)`` registers a new record for a message that
    belongs to nothing yet (keywords: contact, subject, body, by, assignee, kind_type,
    channel_name: the lookups' channel it came by, «ایمیل»), or is None when this kind
    is never opened by a message; ``status(record)`` is what its customer is told of
    it when they ask by its code (a messenger bot), in Persian. The record's
    ``conversation_owner`` is who answers its customer's messages."""

    label: str  # the model label, "service.request"
    title: str  # what a mailbox's setting calls it, in Persian: «درخواست»
    find: Callable | None = None  # None: it has no code a customer writes (a lead)
    open: Callable | None = None
    status: Callable | None = None


conversation_kinds: dict[str, ConversationKind] = {}


def register_conversation_kind(kind: ConversationKind) -> None:
    conversation_kinds[kind.label] = kind


def record_with_code(codes: list[str]) -> tuple[ConversationKind | None, object]:
    """The first record whose code is among ``codes`` (words a customer wrote), with its
    kind; (None, None) when none is."""
    if not codes:
        return None, None
    for kind in conversation_kinds.values():
        if kind.find is not None and (record := kind.find(codes)) is not None:
            return kind, record
    return None, None


# A record as the JSON API shows it, by model label ("sales.lead"): the API registers its
# output schemas, and whatever sends records elsewhere (automation's webhooks) uses the
# same shape, so an integration reads one schema whichever way a record reaches it.
record_json_sources: dict[str, Callable] = {}


def register_record_json(label: str, to_json: Callable) -> None:
    record_json_sources[label] = to_json


def record_json(record) -> dict | None:
    to_json = record_json_sources.get(record._meta.label_lower)
    return to_json(record) if to_json else None
