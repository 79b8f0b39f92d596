"""What the service-request back office accepts and returns: the contract the bot's actions are written against.

Progress is told to anyone who quotes a reference, so it carries no description, contact or other
personal detail, and only the notes officers marked public.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.conversations.redaction import HideCardNumbers
from api.service_requests.standards import Category

RequestStatus = Literal["open", "in_progress", "closed", "cancelled"]
# What became of a request to cancel: cancelled now, cancelled before (asking twice is no error), or closed.
CancellationOutcome = Literal["cancelled", "already_cancelled", "already_closed"]

# Free text from the bot, by its longest length; card numbers in it are hidden on arrival (the limits
# come first, so they judge what was sent).
Text240 = Annotated[str, Field(min_length=1, max_length=240), HideCardNumbers]


class ServiceRequestCreate(BaseModel):
    """A request for service: what, where (a property or a described place) and, optionally, who to tell."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    conversation_id: Annotated[str, Field(min_length=1, max_length=64, description="The hub's conversation id")]
    idempotency_key: Annotated[
        str,
        Field(
            min_length=8,
            max_length=80,
            pattern=r"^[A-Za-z0-9_.:\-]+$",
            description="Chosen by the caller, the same on every retry of one request",
        ),
    ]
    category: Category
    uprn: int | None = Field(default=None, ge=1, description="The property, from GET /api/v1/addresses")
    location_text: Text240 | None = Field(
        default=None, description='A described place when there is no address, e.g. "outside the school on Mill Lane"'
    )
    description: Annotated[str, Field(min_length=1, max_length=1000), HideCardNumbers]
    contact_email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")

    @model_validator(mode="after")
    def _check_place(self) -> ServiceRequestCreate:
        if self.uprn is None and self.location_text is None:
            raise ValueError("give the property (uprn) or describe the place (location_text)")
        return self


class ServiceRequestRead(BaseModel):
    """A lodged request: its reference, and when the council promises to deal with it."""

    reference: str = Field(description='"SR-" and 6 digits')
    category: Category
    category_label: str
    status: RequestStatus
    expected_by: date
    service_standard: str = Field(description='e.g. "We collect missed bins within 2 working days."')
    responsible_team: str


class UpdateRead(BaseModel):
    """A public note on a request."""

    status: RequestStatus
    note: str
    at: datetime


NewsEmailed = Literal["sent", "too_many", "mail_failed"]


class ServiceRequestProgress(BaseModel):
    """Where a request stands: the status and dates for anyone who quotes its reference.

    The person shown to have reported it (``reporter``) also sees the latest public note.
    """

    reference: str
    category: Category
    category_label: str
    status: RequestStatus
    created_at: datetime
    expected_by: date | None
    overdue: bool = Field(description="Not closed and past the expected date")
    latest_update: UpdateRead | None = Field(
        description="The latest public note, for the reporter only; internal notes are never shown"
    )
    responsible_team: str
    reporter: bool = Field(
        default=False, description="The caller is shown to have reported it (the same chat or a live emailed code)"
    )
    news_emailed: NewsEmailed | None = Field(
        default=None,
        description="An email given matched the report's: whether the news went to it (none: no email, or no match)",
    )


class ProgressCheck(BaseModel):
    """Who asks how a request is getting on: the chat asking and, if the resident gave them, an email or a code.

    The reporter (the chat it was reported in, with that chat's grant, or a chat holding a live code emailed to the
    report's address) sees the latest note too; anyone else quoting the reference sees only the status and dates.
    An email given that matches the report's is no proof (emails are guessable): the news goes to that address.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    conversation_id: Annotated[str, Field(min_length=1, max_length=64, description="The hub's conversation id")]
    reporter_email: str | None = Field(
        default=None,
        max_length=200,
        pattern=r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$",
        description="The email address given with the report, if the resident gave one",
    )
    reporter_code: str | None = Field(
        default=None,
        pattern=r"^\d{6}$",
        description="The one-time code emailed to the report's address for this chat (``/reporter-code``)",
    )


class CancellationCreate(BaseModel):
    """A request to cancel a request for service, from its reporter: proof that it is theirs, and why.

    The proof is the chat it was reported in (``conversation_id``, with that chat's grant) or a live one-time
    code emailed to the address given with the report (``/reporter-code``); a reference alone proves nothing
    (anyone may have seen it), and nor does an email address (it may be guessed).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    conversation_id: Annotated[str, Field(min_length=1, max_length=64, description="The hub's conversation id")]
    reporter_code: str | None = Field(
        default=None,
        pattern=r"^\d{6}$",
        description="The one-time code emailed to the report's address for this chat (``/reporter-code``)",
    )
    reason: Annotated[
        str,
        Field(
            min_length=1,
            max_length=300,
            description='Why it is no longer needed, in the resident\'s words, e.g. "the bin was collected after all"',
        ),
        HideCardNumbers,
    ]


class ReporterCodeRequest(BaseModel):
    """Someone in another chat gives the email address they reported a request with, to be sent a code."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    conversation_id: Annotated[str, Field(min_length=1, max_length=64, description="The hub's conversation id")]
    reporter_email: str = Field(
        max_length=200,
        pattern=r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$",
        description="The email address given with the report, as the resident typed it",
    )


class ReporterCodeSent(BaseModel):
    """Whether a code went to the report's address: ``not_matched`` also when too many wrong emails held it back."""

    outcome: Literal["sent", "not_matched", "too_many", "mail_failed"]
    minutes: int = Field(description="How long a code lasts")


class CancellationRead(BaseModel):
    """What became of the request to cancel, for the person shown to have reported it."""

    reference: str
    category: Category
    category_label: str
    status: RequestStatus
    outcome: CancellationOutcome
    responsible_team: str
    cancelled_at: datetime | None = Field(description="When it was cancelled; none for a closed request")


class CategoryRead(BaseModel):
    """A category of request and its service standard."""

    category: Category
    label: str
    service_standard: str
    working_days: int
