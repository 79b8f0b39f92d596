"""What the electoral back office accepts and returns: the contract the bot's actions are written against.

Nothing here carries a whole elector record: no elector number, id, name or date of birth ever goes out.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.conversations.redaction import HideCardNumbers
from api.electoral.deadlines import DeadlineKind
from api.places.models import UPRN_MAX

ConversationId = Annotated[str, Field(min_length=1, max_length=64, description="The hub's conversation id")]
IdempotencyKey = Annotated[
    str,
    Field(
        min_length=8,
        max_length=80,
        pattern=r"^[A-Za-z0-9_.:\-]+$",
        description="Chosen by the caller, the same on every retry of one request",
    ),
]
AbsentVoteKindName = Literal["postal", "proxy"]

# Free text from the bot, by its longest length; card numbers in it are hidden on arrival (the limits
# come first, so they judge what was sent).
Text60 = Annotated[str, Field(min_length=1, max_length=60), HideCardNumbers]
Text80 = Annotated[str, Field(min_length=1, max_length=80), HideCardNumbers]
Text160 = Annotated[str, Field(min_length=1, max_length=160), HideCardNumbers]
Text240 = Annotated[str, Field(min_length=1, max_length=240), HideCardNumbers]
Text300 = Annotated[str, Field(min_length=1, max_length=300), HideCardNumbers]
Text500 = Annotated[str, Field(min_length=1, max_length=500), HideCardNumbers]
Text1000 = Annotated[str, Field(min_length=1, max_length=1000), HideCardNumbers]


class Strict(BaseModel):
    """A request body: surrounding spaces are trimmed and unknown fields refused (no NI numbers, no signatures)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AddressRead(BaseModel):
    """One property in a postcode."""

    uprn: int = Field(description="Unique Property Reference Number")
    address: str = Field(description='e.g. "19 Rowan Close, Ashbury"')


class AddressList(BaseModel):
    """The properties in a postcode, in street-number order."""

    postcode: str = Field(description='The postcode as normalised, e.g. "TN41 6PA"')
    addresses: list[AddressRead]


class StreetRead(BaseModel):
    """A street in the council's area and one of its postcodes."""

    street: str = Field(description='e.g. "Rowan Close"')
    town: str = Field(description='e.g. "Ashbury"')
    postcode: str = Field(description='e.g. "TN41 6PA"')


class StreetList(BaseModel):
    """The postcodes of the streets with a name, by town then postcode (public information)."""

    streets: list[StreetRead]


class StationRead(BaseModel):
    """A polling station and what a person with a disability needs to know about it."""

    model_config = ConfigDict(from_attributes=True)

    name: str
    address: str
    postcode: str
    accessibility: str


class PollingPlace(BaseModel):
    """Where the electors of a property vote."""

    polling_district: str = Field(description='e.g. "AA1"')
    ward: str
    station: StationRead | None = Field(description="Null only while no station is appointed for the district")
    poll_hours: str = Field(description='e.g. "7am to 10pm"')


class DeadlineRead(BaseModel):
    """One statutory deadline before a poll."""

    kind: DeadlineKind
    label: str = Field(description='In plain English, e.g. "Register to vote"')
    deadline: datetime = Field(description="In Europe/London time")
    passed: bool


class ElectionRead(BaseModel):
    """A poll and its deadlines."""

    title: str
    election_type: str
    poll_date: date
    area: str = Field(description='A ward name, or "all" for the whole council area')
    deadlines: list[DeadlineRead]


class UpcomingElections(BaseModel):
    """Polls on or after today, soonest first."""

    today: date
    elections: list[ElectionRead]


class VerificationCreate(Strict):
    """What a resident gives to prove who they are."""

    conversation_id: ConversationId
    full_name: str = Field(min_length=1, max_length=200)
    date_of_birth: date
    uprn: int = Field(ge=1, le=UPRN_MAX, description="The resident's home, chosen from GET /api/v1/addresses")


class VerificationResult(BaseModel):
    """The answer to an identity check: the same bytes for every failure, whoever was named."""

    outcome: Literal["verified", "not_verified", "locked"]
    expires_at: datetime | None = Field(description="When the verified identity ends (UTC); null unless verified")
    message_key: str = Field(description="Which message the bot shows")


class AbsentVoteRead(BaseModel):
    """A postal or proxy vote on the verified elector's record."""

    kind: AbsentVoteKindName
    status: str = Field(description='"active" or "expired"')
    granted_on: date
    expires_on: date | None
    renewal_due: bool = Field(
        description="A postal vote ending within 3 months, or a proxy due its 5-year signature refresh"
    )
    proxy_name: str | None


class OpenRequestRead(BaseModel):
    """A request of the verified elector's that an officer has not finished."""

    reference: str
    kind: str = Field(description='e.g. "postal_new", "proxy_cancel", "name_change"')
    status: str
    created_at: datetime


class MyRecord(BaseModel):
    """The verified elector's own entry: what they may be told about themselves."""

    registration_status: Literal["registered", "pending"]
    polling_district: str
    ward: str
    station: StationRead | None
    open_register_opt_out: bool
    absent_votes: list[AbsentVoteRead]
    open_requests: list[OpenRequestRead]


class AbsentVoteRequestCreate(Strict):
    """A request for a new, changed, cancelled or renewed postal or proxy vote."""

    conversation_id: ConversationId
    idempotency_key: IdempotencyKey
    kind: AbsentVoteKindName
    action: Literal["new", "change", "cancel", "renew"]
    duration: Literal["next_poll", "specific_poll", "permanent"] | None = Field(
        default=None, description='Needed for "new"; "permanent" is long-term (a postal vote up to 3 years)'
    )
    poll_date: date | None = Field(default=None, description='Only with duration "specific_poll"')
    proxy_name: Text160 | None = Field(default=None)
    proxy_relationship: Text60 | None = Field(default=None)
    reason: Text500 | None = Field(
        default=None, description="Why the elector cannot vote in person; needed for a long-term proxy"
    )
    delivery: Literal["home", "other_address"] | None = Field(default=None, description="Where postal ballot packs go")
    delivery_address: Text240 | None = Field(
        default=None, description='With delivery "other_address": the address ballot packs go to, in the words given'
    )
    delivery_reason: Text300 | None = Field(default=None, description="Why ballot packs should go to that address")

    @model_validator(mode="after")
    def _check_combination(self) -> AbsentVoteRequestCreate:
        if self.action == "new" and self.duration is None:
            raise ValueError("a new postal or proxy vote needs a duration")
        if (self.duration == "specific_poll") != (self.poll_date is not None):
            raise ValueError('poll_date goes with duration "specific_poll", and only with it')
        if self.kind == "postal" and (self.proxy_name or self.proxy_relationship):
            raise ValueError("proxy details belong to a proxy vote")
        # A renewal or a cancellation is of the proxy already on record: only a new or changed one names them.
        if (
            self.kind == "proxy"
            and self.action in ("new", "change")
            and not (self.proxy_name and self.proxy_relationship)
        ):
            raise ValueError("a proxy vote needs the proxy's name and their relationship to the elector")
        if (
            self.kind == "proxy"
            and self.action in ("new", "renew")
            and self.duration in (None, "permanent")
            and not self.reason
        ):
            raise ValueError("a long-term proxy vote needs a reason")
        if self.kind == "proxy" and self.delivery is not None:
            raise ValueError("delivery applies to postal votes")
        if (self.delivery == "other_address") != bool(self.delivery_address):
            raise ValueError('a delivery address goes with delivery "other_address", and only with it')
        if self.delivery_reason and not self.delivery_address:
            raise ValueError("a delivery reason goes with a delivery address")
        return self


class NextPoll(BaseModel):
    """The poll a request is first meant for, and whether it arrived in time for it."""

    title: str
    poll_date: date
    deadline: datetime = Field(description="The deadline of this kind of request for this poll (Europe/London)")
    in_time: bool


class Route(BaseModel):
    """Another way to vote that is still open for the next poll."""

    kind: DeadlineKind
    label: str
    deadline: datetime


class AbsentVoteRequestRead(BaseModel):
    """A recorded absent-vote request and what happens next."""

    reference: str = Field(description='"AV-" and 6 digits')
    kind: AbsentVoteKindName
    action: Literal["new", "change", "cancel", "renew"]
    status: str = Field(description='"received" when new')
    next_step: str
    next_poll: NextPoll | None = Field(description="Null when no poll is scheduled in the elector's area")
    still_open_routes: list[Route] = Field(description="Empty when the request is in time")


class AbsentVoteWithdrawalCreate(Strict):
    """The verified elector withdrawing one of their own absent-vote requests that no officer has dealt with."""

    conversation_id: ConversationId


class AbsentVoteWithdrawalRead(BaseModel):
    """What became of a request the elector asked to withdraw."""

    reference: str
    kind: AbsentVoteKindName
    action: Literal["new", "change", "cancel", "renew"]
    outcome: Literal["withdrawn", "already_withdrawn", "already_dealt_with"] = Field(
        description='"already_dealt_with": an officer has finished it, so it stands as they left it'
    )
    withdrawn_at: datetime | None = Field(description="When it was withdrawn (UTC); null unless it was")


class ChangeDetails(Strict):
    """Free-text details of a change; which are needed depends on the kind."""

    new_name: Text160 | None = Field(default=None, description="name_change")
    reason: Text300 | None = Field(default=None, description="e.g. marriage")
    person_name: Text160 | None = Field(default=None, description="died / left_address: who the report is about")
    address: Text240 | None = Field(
        default=None, description="died / left_address: where they lived (defaults to the verified resident's address)"
    )
    relationship: Text60 | None = Field(default=None, description="The reporter's relationship to the person")
    when: Text80 | None = Field(default=None, description='e.g. "last week"')
    notes: Text1000 | None = Field(default=None)


ChangeKind = Literal["name_change", "died", "left_address", "open_register_opt_out", "open_register_opt_in"]


class ChangeRequestCreate(Strict):
    """A change to the register: for the verified elector, or a report about someone at an address."""

    conversation_id: ConversationId
    idempotency_key: IdempotencyKey
    kind: ChangeKind
    details: ChangeDetails = Field(default_factory=ChangeDetails)

    @model_validator(mode="after")
    def _check_details(self) -> ChangeRequestCreate:
        if self.kind == "name_change" and not self.details.new_name:
            raise ValueError("a change of name needs the new name")
        if self.kind in ("died", "left_address") and not self.details.person_name:
            raise ValueError("a report needs the name of the person it is about")
        return self


class ChangeRequestRead(BaseModel):
    """A recorded change request and what happens next."""

    reference: str = Field(description='"EC-" and 6 digits')
    kind: ChangeKind
    next_step: str
