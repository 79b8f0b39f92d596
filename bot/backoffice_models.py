"""What the back office answers the bot, as typed records the actions read by attribute.

Plain dataclasses, not pydantic models: the bot runs in Rasa's environment (pydantic 1) and the API in the
app's (pydantic 2), and this module is imported by both (tests/api/test_bot_and_api_agree.py holds every
field here to the API's response schemas), so it uses the standard library only. Dates and times stay the
ISO strings the API sends; the wording functions read them where they word them.

Each record names only the fields the bot reads: the API may add fields without breaking the bot, while a
field the bot needs going missing (or changing type) becomes ``MalformedAnswer`` at the client, which the
actions treat like any other back-office failure (the resident keeps their answers and is offered a retry).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")
# Marks a field the client fills in itself (not read from the answer's body), so the contract test skips it.
FROM_CLIENT = {"from": "client"}


class MalformedAnswer(ValueError):
    """The back office's answer lacks a field the bot reads, or holds one of the wrong type."""


@dataclass(frozen=True)
class HandoffTicket:
    """What happens next after the resident asked for an officer."""

    reference: str
    status: str
    in_office_hours: bool
    queue_position: int | None
    expected_wait_minutes: int | None
    officer_hours: str
    reply_by: str | None


@dataclass(frozen=True)
class Address:
    """A property the resident can pick from a postcode's list."""

    uprn: int
    address: str


@dataclass(frozen=True)
class Street:
    """A street in the council's area with one of its postcodes."""

    street: str
    town: str
    postcode: str


@dataclass(frozen=True)
class StreetList:
    """The postcodes of the streets with a name (none when no street in the area has it)."""

    streets: list[Street]


@dataclass(frozen=True)
class AddressList:
    """The properties in a postcode (none when the postcode is not in the council's area)."""

    addresses: list[Address]


@dataclass(frozen=True)
class Verification:
    """The back office's answer to an identity check: verified, not_verified or locked."""

    outcome: str
    expires_at: str | None = None


@dataclass(frozen=True)
class Station:
    """A polling station, named once with its address."""

    name: str
    address: str
    postcode: str
    accessibility: str | None = None


@dataclass(frozen=True)
class PollingPlace:
    """Where the electors of a property vote; no station while none is appointed for the district."""

    polling_district: str
    ward: str
    station: Station | None
    poll_hours: str = "7am to 10pm"


@dataclass(frozen=True)
class Deadline:
    """One statutory deadline before a poll (``deadline`` is an ISO date-time in Europe/London)."""

    kind: str
    label: str
    deadline: str
    passed: bool


@dataclass(frozen=True)
class Election:
    """A coming poll and its deadlines; ``area`` is a ward name or "all"."""

    title: str
    poll_date: str
    deadlines: list[Deadline]
    area: str | None = None


@dataclass(frozen=True)
class UpcomingElections:
    """Polls on or after today, soonest first."""

    elections: list[Election]


@dataclass(frozen=True)
class AbsentVote:
    """A postal or proxy vote on the verified elector's record."""

    kind: str
    status: str
    expires_on: str | None = None
    renewal_due: bool = False
    proxy_name: str | None = None


@dataclass(frozen=True)
class OpenRequest:
    """A request of the verified elector's that an officer has not finished."""

    reference: str
    kind: str
    status: str


@dataclass(frozen=True)
class ElectoralRecord:
    """The verified elector's own entry: what they may be told about themselves."""

    registration_status: str
    polling_district: str
    ward: str
    station: Station | None = None
    open_register_opt_out: bool = False
    absent_votes: list[AbsentVote] = field(default_factory=list)
    open_requests: list[OpenRequest] = field(default_factory=list)


@dataclass(frozen=True)
class NextPoll:
    """The poll a request is first meant for, and whether it arrived in time for it."""

    title: str
    poll_date: str
    deadline: str
    in_time: bool


@dataclass(frozen=True)
class Route:
    """Another way to vote that is still open for the next poll."""

    label: str
    deadline: str


@dataclass(frozen=True)
class AbsentVoteRecorded:
    """A recorded postal or proxy request and what happens next."""

    reference: str
    kind: str
    next_step: str
    action: str = "new"  # "new", "renew", "cancel" or "change": what the request asks for
    next_poll: NextPoll | None = None
    still_open_routes: list[Route] = field(default_factory=list)
    already_recorded: bool = field(default=False, metadata=FROM_CLIENT)


@dataclass(frozen=True)
class AbsentVoteWithdrawal:
    """What became of a postal or proxy request the verified resident withdrew."""

    reference: str
    kind: str
    action: str
    outcome: str  # "withdrawn", "already_withdrawn" or "already_dealt_with"


@dataclass(frozen=True)
class ChangeRecorded:
    """A recorded change to the register and what happens next."""

    reference: str
    next_step: str
    already_recorded: bool = field(default=False, metadata=FROM_CLIENT)


@dataclass(frozen=True)
class Instalment:
    """The next instalment due on a council tax account."""

    due_date: str
    amount: str


@dataclass(frozen=True)
class Payment:
    """One payment on the verified resident's account (amounts are worded by the API, e.g. "£174.00")."""

    reference: str
    date: str
    amount: str
    method: str


@dataclass(frozen=True)
class Account:
    """The verified resident's council tax account: charge, payments, balance and recovery stage."""

    band: str
    annual_charge: str
    instalment_plan: int
    paid_this_year: str
    balance: str
    next_instalment: Instalment | None = None
    # Instalments already due and not paid: what is owing and the earliest due date.
    overdue: Instalment | None = None
    recovery_stage: str | None = None
    recovery_explanation: str | None = None
    recent_payments: list[Payment] = field(default_factory=list)
    # Which account was proved: a question about another account's reference is refused (bot/actions/tasks.py).
    account_reference: str | None = None


@dataclass(frozen=True)
class DocumentSent:
    """A receipt or statement request; ``sent_to`` is the account's own address, masked."""

    reference: str
    kind: str
    sent_to: str
    status: str | None = None
    already_recorded: bool = field(default=False, metadata=FROM_CLIENT)


@dataclass(frozen=True)
class ServiceRequestLodged:
    """A lodged service request: its reference, the service standard and when it should be dealt with."""

    reference: str
    expected_by: str
    service_standard: str
    already_recorded: bool = field(default=False, metadata=FROM_CLIENT)


@dataclass(frozen=True)
class Update:
    """The latest public note on a service request (``at`` is an ISO date-time)."""

    note: str
    at: str


@dataclass(frozen=True)
class ServiceRequestProgress:
    """Where a request stands; ``reporter`` when the asker is shown to have reported it (only then a note)."""

    reference: str
    category_label: str
    status: str
    expected_by: str | None = None
    overdue: bool = False
    latest_update: Update | None = None
    reporter: bool = False
    # An email given that matched the report's: "sent" (the news went to it), "too_many" or "mail_failed".
    news_emailed: str | None = None


@dataclass(frozen=True)
class ServiceRequestCancellation:
    """What became of a request to cancel: ``outcome`` cancelled, already_cancelled or already_closed."""

    reference: str
    category_label: str
    outcome: str
    responsible_team: str
    cancelled_at: str | None = None


@dataclass(frozen=True)
class Collection:
    """One collection date; ``moved_for`` names the bank holidays that moved it from ``usual_date``."""

    date: str
    usual_date: str
    moved_for: str | None = None


@dataclass(frozen=True)
class Bin:
    """One bin at a property and its next collections, soonest first."""

    label: str
    container: str
    collections: list[Collection] = field(default_factory=list)
    paused: bool = False
    last_collection: Collection | None = None
    miss_reportable_until: str | None = None
    usual_day: str | None = None  # the round's weekday, "Tuesday"


@dataclass(frozen=True)
class BinCollections:
    """The bins at a property and their next collections from the council's today."""

    address: str
    postcode: str
    bins: list[Bin]
    today: str | None = None
    garden_waste_subscribed: bool = False


def parse(kind: type[T], data: object) -> T:
    """Build a ``kind`` record from a decoded JSON answer, or raise MalformedAnswer saying which field is wrong.

    Unknown fields are ignored (the API may add some); a missing field with a default takes it.
    """
    return typing.cast(T, _value(kind, data, kind.__name__))


def _value(kind: Any, data: object, where: str) -> object:
    """Read ``data`` as ``kind``: a record, a list, an optional value or a plain JSON scalar."""
    origin = typing.get_origin(kind)
    if dataclasses.is_dataclass(kind):
        return _record(kind, data, where)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(kind)
        if data is None and type(None) in options:
            return None
        return _value(next(option for option in options if option is not type(None)), data, where)
    if origin is list:
        if not isinstance(data, list):
            raise MalformedAnswer(f"{where} is not a list")
        (item,) = typing.get_args(kind)
        return [_value(item, element, f"{where}[{index}]") for index, element in enumerate(data)]
    # bool is an int in Python; an int field must not take one, nor a bool field an int.
    if not isinstance(data, kind) or (kind is int and isinstance(data, bool)):
        raise MalformedAnswer(f"{where} is not {kind.__name__}")
    return data


def _record(kind: Any, data: object, where: str) -> object:
    if not isinstance(data, dict):
        raise MalformedAnswer(f"{where} is not an object")
    hints = typing.get_type_hints(kind)
    values: dict[str, object] = {}
    for item in dataclasses.fields(kind):
        if item.metadata.get("from") == "client":
            continue
        if item.name in data:
            values[item.name] = _value(hints[item.name], data[item.name], f"{where}.{item.name}")
        elif item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
            raise MalformedAnswer(f"{where}.{item.name} is missing")
    return kind(**values)
