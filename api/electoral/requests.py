"""Requests lodged through the assistant: absent votes (postal, proxy) and changes to the register.

Every request carries an idempotency key chosen by the caller: the same key again returns the request
already recorded, never a second one; the same key with different content is a conflict. The chat never
collects a National Insurance number or a signature: an absent-vote request is recorded, and the resident
is sent the official form (or an officer completes the change).

Open-register choices take effect at once: the verified identity is the evidence an officer would ask
for, there is nothing for an officer to judge, and an opt-out must hold before the next copy of the open
register is sold. The request is still recorded (as completed) for the audit trail. A change of name
waits for an officer, who may ask for evidence. A report that someone has died or moved away can come
from anyone; it is recorded as given and never checked against the register here, so the reply is the
same whether or not that person is on it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.db import as_utc
from api.electoral import deadlines
from api.electoral.deadlines import DeadlineKind
from api.electoral.models import (
    AbsentVoteKind,
    AbsentVoteRequest,
    Election,
    Elector,
    ElectoralChangeRequest,
    Verification,
)
from api.electoral.schemas import (
    AbsentVoteRequestCreate,
    AbsentVoteRequestRead,
    AbsentVoteWithdrawalRead,
    ChangeRequestCreate,
    ChangeRequestRead,
    NextPoll,
    Route,
)
from api.electoral.service import OPEN_REQUEST_STATES, polls_from
from api.electoral.verification import optional_verified_elector, verified_elector
from api.errors import DomainError
from api.idempotency import IdempotencyConflict, Recorded, by_key, insert_once, new_reference
from api.records import RecordSummary
from api.verification_common import NotVerified

log = logging.getLogger(__name__)

# A request in this state waits for an officer: asking again for the same thing returns it.
OPEN_STATUS = "received"
ABOUT_THE_ELECTOR = ("name_change", "open_register_opt_out", "open_register_opt_in")
OPEN_REGISTER = {"open_register_opt_out": True, "open_register_opt_in": False}
# Ways to vote that may still be open when a request is too late for the next poll, by kind and action.
LATE_ROUTES: dict[tuple[str, str], tuple[DeadlineKind, ...]] = {
    ("postal", "apply"): (DeadlineKind.PROXY, DeadlineKind.EMERGENCY_PROXY),
    ("proxy", "apply"): (DeadlineKind.EMERGENCY_PROXY,),
    ("postal", "change"): (DeadlineKind.POSTAL_REPLACEMENT,),
}
FORM_TO_SIGN = "We will email or post you the official application form to sign; return it by the deadline."
OFFICER_CHANGE = "An electoral services officer will make the change and write to you to confirm it."
CHANGE_NEXT_STEPS = {
    "name_change": "An electoral services officer will update your name on the register and may ask for "
    "evidence of the change, such as a marriage certificate or deed poll.",
    "open_register_opt_out": "Done: you are now left out of the open register. This does not affect your vote.",
    "open_register_opt_in": "Done: you are now included in the open register. This does not affect your vote.",
    "died": "Thank you for letting us know, and we are sorry for your loss. An electoral services officer will "
    "review the register for that address.",
    "left_address": "Thank you for letting us know. An electoral services officer will review the register for "
    "that address. The person should register at their new address at gov.uk/register-to-vote.",
}


class UnknownPoll(DomainError, ValueError):
    """No poll in the elector's area on the date asked for."""

    status_code = 422
    detail = "There is no poll on that date where you live."


class AddressNeeded(DomainError, ValueError):
    """A report about someone from a caller who has not proved their address needs the person's address."""

    status_code = 422
    detail = "Please give the address where the person lived."


def request_absent_vote(
    session: Session, *, request: AbsentVoteRequestCreate, today: date, now: datetime
) -> Recorded[AbsentVoteRequestRead]:
    """Record a postal or proxy vote request for the verified elector and say whether it is in time."""
    now = now.astimezone(UTC)  # SQLite keeps no time zone: every stored moment is UTC
    elector = verified_elector(session, conversation_id=request.conversation_id, now=now)
    content = request.model_dump(
        mode="json",
        include={
            "action",
            "duration",
            "poll_date",
            "proxy_name",
            "proxy_relationship",
            "reason",
            "delivery",
            "delivery_address",
            "delivery_reason",
        },
    )
    row = by_key(session, AbsentVoteRequest, request.idempotency_key)
    created = False
    if row is None:
        if request.poll_date is not None and request.poll_date not in {
            poll.poll_date for poll in polls_from(session, today=today, ward=_ward(elector))
        }:
            raise UnknownPoll(request.poll_date)
        if (open_row := _open_absent_vote_request(session, elector, request)) is not None:
            if request.delivery == "other_address" and open_row.details.get("delivery_address") != (
                request.delivery_address
            ):
                # Asked again with the ballot pack to go elsewhere: the open request, not yet dealt with, says so
                # now (it kept "home", and the address the resident gave was lost: an end-to-end test).
                delivery = ("delivery", "delivery_address", "delivery_reason")
                open_row.details = {**open_row.details, **{key: content[key] for key in delivery}}
                session.flush()
                log.info("absent vote request %s: ballot packs to another address", open_row.reference)
            described = _describe_absent_vote(session, open_row, elector, today=today, now=now)
            if request.proxy_name and open_row.details.get("proxy_name") != request.proxy_name:
                # Asked again with another proxy ("can i change my proxy to my son instead"): the open request names
                # the new one now (it kept the first, and the resident heard only "already": a probe).
                proxy = ("proxy_name", "proxy_relationship")
                open_row.details = {**open_row.details, **{key: content[key] for key in proxy}}
                session.flush()
                log.info("absent vote request %s: proxy changed", open_row.reference)
                changed = f"I've changed the proxy on it to {request.proxy_name}. {described.next_step}"
                described = described.model_copy(update={"next_step": changed})
            return Recorded(described, False)
        row, created = insert_once(
            session,
            AbsentVoteRequest(
                reference=new_reference(session, AbsentVoteRequest, "AV"),
                idempotency_key=request.idempotency_key,
                elector_id=elector.id,
                kind=AbsentVoteKind(request.kind),
                status="received",
                created_at=now,
                details={**content, "conversation_id": request.conversation_id},
            ),
        )
    if created:
        log.info("absent vote request %s received: %s %s", row.reference, request.kind, request.action)
    elif not (
        row.elector_id == elector.id
        and row.kind == request.kind
        and {k: v for k, v in row.details.items() if k != "conversation_id"} == content
    ):
        raise IdempotencyConflict
    return Recorded(_describe_absent_vote(session, row, elector, today=today, now=now), created)


class UnknownAbsentVoteRequest(DomainError, LookupError):
    """No absent-vote request of the verified elector's has this reference (whether or not someone else's has)."""

    status_code = 404
    detail = "not found"


def withdraw_absent_vote_request(
    session: Session, *, reference: str, conversation_id: str, now: datetime
) -> AbsentVoteWithdrawalRead:
    """Withdraw one of the verified elector's own absent-vote requests that no officer has dealt with yet.

    "Actually cancel that" just after applying for a postal vote was answered "nothing to cancel": a
    cancellation was only of a vote already granted. The application itself is withdrawn now, recording when and
    from which chat. Another elector's reference reads as unknown; asking again is no error.
    """
    now = now.astimezone(UTC)
    elector = verified_elector(session, conversation_id=conversation_id, now=now)
    row = session.scalar(
        select(AbsentVoteRequest)
        .where(AbsentVoteRequest.reference == reference.strip().upper(), AbsentVoteRequest.elector_id == elector.id)
        .with_for_update()
    )
    if row is None:
        raise UnknownAbsentVoteRequest
    if row.status == "withdrawn":
        outcome = "already_withdrawn"
    elif row.status not in OPEN_REQUEST_STATES:
        outcome = "already_dealt_with"
    else:
        row.status, row.withdrawn_at, row.withdrawn_in_conversation = "withdrawn", now, conversation_id
        session.flush()
        log.info("absent vote request %s withdrawn by the elector", row.reference)
        outcome = "withdrawn"
    return AbsentVoteWithdrawalRead(
        reference=row.reference,
        kind=row.kind.value,
        action=row.details.get("action", "new"),
        outcome=outcome,
        withdrawn_at=as_utc(row.withdrawn_at) if row.withdrawn_at else None,
    )


def request_register_change(
    session: Session, *, request: ChangeRequestCreate, now: datetime
) -> Recorded[ChangeRequestRead]:
    """Record a change to the register for the verified elector, or a report about someone at an address."""
    now = now.astimezone(UTC)
    elector = optional_verified_elector(session, conversation_id=request.conversation_id, now=now)
    about_the_elector = request.kind in ABOUT_THE_ELECTOR
    if about_the_elector and elector is None:
        raise NotVerified
    details = request.details.model_dump(exclude_none=True)
    row = by_key(session, ElectoralChangeRequest, request.idempotency_key)
    created = False
    if row is None:
        if not about_the_elector and elector is None and "address" not in details:
            raise AddressNeeded
        if (open_row := _open_change_request(session, request, elector, details)) is not None:
            new_name = details.get("new_name")
            if request.kind == "name_change" and new_name and open_row.details.get("new_name") != new_name:
                # Asked again with another new name ("actually it should be Jodie Brown-Kemp"): the request no officer
                # has dealt with yet says so now (it kept the first, and "already recorded" left the resident
                # believing the second was: a probe).
                open_row.details = {**open_row.details, "new_name": new_name}
                session.flush()
                log.info("register change request %s: new name changed", open_row.reference)
                described = _describe_change(open_row)
                changed = f"I've changed the new name on it to {new_name}. {described.next_step}"
                return Recorded(described.model_copy(update={"next_step": changed}), False)
            return Recorded(_describe_change(open_row), False)
        change = ElectoralChangeRequest(
            reference=new_reference(session, ElectoralChangeRequest, "EC"),
            idempotency_key=request.idempotency_key,
            kind=request.kind,
            conversation_id=request.conversation_id,
            details=details,
            created_at=now,
            requested_by_elector_id=elector.id if elector else None,
            status="received",
        )
        if request.kind in OPEN_REGISTER and elector is not None:
            elector.open_register_opt_out = OPEN_REGISTER[request.kind]
            change.status = "completed"
        row, created = insert_once(session, change)
    requester = elector.id if elector else None
    if created:
        log.info("register change request %s received: %s", row.reference, row.kind)
    # A report may be retried after the reporter's verification has lapsed: who asked is compared only
    # for changes to the asker's own entry.
    elif not (
        row.kind == request.kind
        and row.details == details
        and (not about_the_elector or row.requested_by_elector_id == requester)
    ):
        raise IdempotencyConflict
    return Recorded(_describe_change(row), created)


def _open_absent_vote_request(
    session: Session, elector: Elector, request: AbsentVoteRequestCreate
) -> AbsentVoteRequest | None:
    """Return the elector's request for the same kind and action that no officer has dealt with yet.

    Asking again (in the same chat or another, in other words, with other details) makes no second
    application: the resident is told the reference they already have, and an officer can amend it.
    """
    rows = session.scalars(
        select(AbsentVoteRequest)
        .where(
            AbsentVoteRequest.elector_id == elector.id,
            AbsentVoteRequest.kind == AbsentVoteKind(request.kind),
            AbsentVoteRequest.status == OPEN_STATUS,
        )
        .order_by(AbsentVoteRequest.id)
    )
    return next((row for row in rows if row.details.get("action") == request.action), None)


def _open_change_request(
    session: Session, request: ChangeRequestCreate, elector: Elector | None, details: dict[str, str]
) -> ElectoralChangeRequest | None:
    """Return an earlier request for the same change that still stands, so asking again records nothing new.

    The same elector's change of name still waiting for an officer; an open-register choice that is
    already in force; a report from the same chat about the same person at the same address, not yet reviewed.
    """
    query = select(ElectoralChangeRequest).where(ElectoralChangeRequest.kind == request.kind)
    if request.kind in OPEN_REGISTER:
        if elector is None or elector.open_register_opt_out != OPEN_REGISTER[request.kind]:
            return None
        query = query.where(ElectoralChangeRequest.requested_by_elector_id == elector.id)
        return session.scalars(query.order_by(ElectoralChangeRequest.id.desc())).first()
    query = query.where(ElectoralChangeRequest.status == OPEN_STATUS)
    if request.kind in ABOUT_THE_ELECTOR:
        return session.scalars(
            query.where(ElectoralChangeRequest.requested_by_elector_id == (elector.id if elector else None))
        ).first()
    # A report from anyone: only the same chat counts, so nobody learns the reference of someone else's report.
    query = query.where(ElectoralChangeRequest.conversation_id == request.conversation_id)
    same = (_same_words(details.get("person_name"), "person_name"), _same_words(details.get("address"), "address"))
    return next(
        (
            row
            for row in session.scalars(query.order_by(ElectoralChangeRequest.id))
            if all(check(row.details) for check in same)
        ),
        None,
    )


def _same_words(value: str | None, key: str) -> Callable[[dict[str, Any]], bool]:
    """Compare a detail the way a person would: case, spaces and punctuation aside."""

    def words(text: object) -> list[str]:
        return re.findall(r"[a-z0-9]+", str(text or "").lower())

    return lambda details: words(details.get(key)) == words(value)


def _ward(elector: Elector) -> str:
    return elector.property.polling_district.ward


def _describe_absent_vote(
    session: Session, row: AbsentVoteRequest, elector: Elector, *, today: date, now: datetime
) -> AbsentVoteRequestRead:
    action = str(row.details["action"])
    poll = _first_poll(session, row, elector, today=today)
    next_poll, routes, next_step = None, [], FORM_TO_SIGN if action in ("new", "renew") else OFFICER_CHANGE
    if poll is not None:
        group = "apply" if action in ("new", "renew") else "change"
        due = deadlines.deadline(poll.poll_date, _deadline_kind(row.kind, group))
        in_time = not due.passed(as_utc(row.created_at))  # in time when it was lodged, whenever asked again
        next_poll = NextPoll(title=poll.title, poll_date=poll.poll_date, deadline=due.at, in_time=in_time)
        if not in_time:
            routes = [
                Route(kind=d.kind, label=d.label, deadline=d.at)
                for d in (
                    deadlines.deadline(poll.poll_date, kind) for kind in LATE_ROUTES.get((row.kind.value, group), ())
                )
                if not d.passed(now)
            ]
            next_step += " " + _too_late(poll, group, long_term=row.details.get("duration") in ("permanent", None))
    return AbsentVoteRequestRead(
        reference=row.reference,
        kind=row.kind.value,
        action=action,
        status=row.status,
        next_step=next_step,
        next_poll=next_poll,
        still_open_routes=routes,
    )


def _first_poll(session: Session, row: AbsentVoteRequest, elector: Elector, *, today: date) -> Election | None:
    """Return the poll the request is first meant for: the one asked for, else the next in the elector's area."""
    polls = polls_from(session, today=today, ward=_ward(elector))
    wanted = row.details.get("poll_date")
    if wanted is not None:
        polls = [poll for poll in polls if poll.poll_date.isoformat() == wanted]
    return polls[0] if polls else None


def _deadline_kind(kind: AbsentVoteKind, group: str) -> DeadlineKind:
    if group == "change":
        return DeadlineKind.ABSENT_VOTE_CHANGE
    return DeadlineKind.POSTAL if kind == AbsentVoteKind.POSTAL else DeadlineKind.PROXY


def _too_late(poll: Election, group: str, *, long_term: bool) -> str:
    when = f"the {poll.title} on {poll.poll_date:%A %-d %B %Y}"
    if group == "change":
        return f"It is too late to change arrangements for {when}; the change will apply to later elections."
    if long_term:
        return f"It is too late for {when}, but the request still counts for later elections."
    return f"It is too late for {when}; the other ways to vote that are still open are listed."


def _describe_change(row: ElectoralChangeRequest) -> ChangeRequestRead:
    return ChangeRequestRead(reference=row.reference, kind=row.kind, next_step=CHANGE_NEXT_STEPS[row.kind])


def records_of_conversation(session: Session, conversation_id: str) -> list[RecordSummary]:
    """List the electoral records behind a conversation, for an officer whose work needs them.

    The absent-vote requests of the elector the conversation proved to be (whenever they were made, since
    an officer taking over needs the elector's open requests), then the register changes asked for in it.
    """
    records: list[RecordSummary] = []
    verification = session.get(Verification, conversation_id)
    if verification is not None:
        records += [
            RecordSummary(f"Absent vote request ({r.kind.value})", r.reference, r.status)
            for r in session.scalars(
                select(AbsentVoteRequest).where(AbsentVoteRequest.elector_id == verification.elector_id)
            )
        ]
    records += [
        RecordSummary(f"Register change ({r.kind.replace('_', ' ')})", r.reference, r.status)
        for r in session.scalars(
            select(ElectoralChangeRequest).where(ElectoralChangeRequest.conversation_id == conversation_id)
        )
    ]
    return records
