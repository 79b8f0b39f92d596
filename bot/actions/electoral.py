"""The electoral tasks: registration, polling stations, elections, absent votes and register changes.

Functions here turn the back office's answers into plain English; ``TASKS`` at the end declares each task
(what it needs, its questions, its back-office call and its confirmation), collected by bot.tasks_registry.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from bot.actions.common import council_phone
from bot.actions.form_answers import ballot_address_in, ballot_delivery_of, report_details_told
from bot.actions.task_kit import Question, Task, conversation_of, opening_request, request_key, uprn_of
from bot.backoffice import BackOffice
from bot.backoffice_models import (
    AbsentVote,
    AbsentVoteRecorded,
    AbsentVoteWithdrawal,
    ChangeRecorded,
    Election,
    ElectoralRecord,
    OpenRequest,
    PollingPlace,
    Station,
)
from bot.knowledge import ArticleError, get_knowledge
from council import council_facts

ELECTORAL_PHONE = council_facts().electoral_phone
REGISTER_LINK = "https://www.gov.uk/register-to-vote"
POSTAL_LINK = "https://www.gov.uk/apply-postal-vote"
PROXY_LINK = "https://www.gov.uk/apply-proxy-vote"

# Not "maybe you're not registered, register again" first: a registered resident whose details were guessed at
# by someone else is refused for a few minutes with this same answer (it tells a guesser nothing), and a probe who
# typed the right details then was sent off to register again.
NOT_VERIFIED = (
    "I'm sorry, I couldn't match those details to the register. Please check them: the name as you registered it "
    "(the register may have a full first name), your date of birth and the address. If they're right, please try "
    f"again in a few minutes, or call electoral services on {ELECTORAL_PHONE}: they can check another way. If you "
    f"aren't registered at this address, you can register at {REGISTER_LINK}. It takes about 5 minutes, and you need "
    "your National Insurance number."
)
# Locked per chat or per connection (a new chat from the same network is locked too): never "in this chat".
LOCKED = (
    "For your security I can't check any more details here for now. An officer can help you confirm who you "
    f"are another way, or you can call electoral services on {ELECTORAL_PHONE}. Would you like me to ask an officer "
    "to join this chat?"
)


def long_date(value: str | dt.date) -> str:
    """Write a date the way a letter would: 'Thursday 18 February 2027'."""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day:%A} {day.day} {day:%B %Y}"


def deadline_words(value: str) -> str:
    """Write a deadline: '5pm on Tuesday 2 February 2027' or 'midnight at the end of Tuesday 2 February 2027'."""
    moment = dt.datetime.fromisoformat(value)
    if (moment.hour, moment.minute) >= (23, 59):
        return f"midnight at the end of {long_date(moment.date())}"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{suffix} on {long_date(moment.date())}"


def station_words(station: Station) -> str:
    """Name a polling station once, with its address and postcode."""
    address = station.address
    if not address.startswith(station.name):
        address = f"{station.name}, {address}"
    return f"{address}, {station.postcode}"


def registration_status(record: ElectoralRecord) -> str:
    """Describe the verified resident's own registration."""
    station = record.station
    if record.registration_status == "pending":
        # "why not?? i applied ages ago" after this got "I'm still not able to help with that" (a probe): why it takes
        # time, and what to do when it has taken too long, are said with it.
        return (
            "Thank you, that's confirmed. Your application to register is being processed: we check each one against "
            "government records, and if we need more evidence of who you are we write to you. Once it's accepted "
            "you'll be added at the next monthly update of the register, and we'll write to you. If you applied more "
            f"than four weeks ago and haven't heard from us, please call electoral services on {ELECTORAL_PHONE}."
        )
    lines = [
        f"Thank you, that's confirmed. You're registered to vote at your address, in polling district "
        f"{record.polling_district} ({record.ward} ward)."
    ]
    if station:
        lines.append(f"Your polling station is {station_words(station)}.")
    for vote in record.absent_votes:
        lines.append(absent_vote_line(vote, record.open_requests))
    if record.open_register_opt_out:
        lines.append("Your details are not on the open register.")
    return " ".join(lines)


# The back office's codes in a resident's words: "You have a postal vote (active)" and "Your request AV-000123
# (postal new) is received" were said as they were (a probe).
VOTE_WORDS = {"postal": "postal vote", "proxy": "proxy vote"}
CHANGE_WORDS = {
    "name_change": "request to change your name on the register",
    "open_register_opt_out": "request to leave the open register",
    "open_register_opt_in": "request to join the open register",
}
OPEN_STATUS_WORDS = {"received": "is waiting for an officer", "in_progress": "is with an officer now"}


def request_words(kind: str, action: str) -> str:
    """Name a postal or proxy request: "postal vote request", "request to cancel your proxy vote"."""
    vote = VOTE_WORDS.get(kind, "postal or proxy vote")
    if action in ("renew", "cancel", "change"):
        return f"request to {action} your {vote}"
    return f"{vote} request"


def open_request_words(request: OpenRequest) -> str:
    """Name an open request from its kind ("postal_new", "name_change") in plain words."""
    kind, _, action = request.kind.partition("_")
    if kind in VOTE_WORDS:
        return request_words(kind, action)
    return CHANGE_WORDS.get(request.kind, "request")


def absent_vote_line(vote: AbsentVote, open_requests: Sequence[OpenRequest] = ()) -> str:
    """Describe one postal or proxy arrangement, and a cancellation or renewal of it still being dealt with.

    A probe cancelled its postal vote, then asked "am I registered?": "You have a postal vote ... It's due for
    renewal: I can renew it for you here", as if nothing had been asked.
    """
    kind = VOTE_WORDS.get(vote.kind, "proxy vote")
    pending = {r.kind.partition("_")[2]: r.reference for r in open_requests if r.kind.startswith(f"{vote.kind}_")}
    if vote.status == "active" and "cancel" in pending:
        return (
            f"You have a {kind} now. You've asked to cancel it (reference {pending['cancel']}): it stops once "
            "electoral services have dealt with that, and we'll write to you."
        )
    active = vote.status == "active"
    line = f"You have a {kind}" if active else f"You had a {kind}"
    if vote.proxy_name:
        line += f" with {vote.proxy_name} as your proxy"
    if vote.expires_on:
        line += f", which {'ends' if active else 'ended'} on {long_date(vote.expires_on)}"
    line += "."
    if vote.renewal_due and "renew" in pending:
        line += f" Your renewal, reference {pending['renew']}, is being dealt with."
    elif vote.renewal_due:
        # The chat renews it now (renew_absent_vote): "reapply at gov.uk" sent residents away for nothing.
        line += (
            ' It\'s due for renewal: I can renew it for you here, just say "renew my postal vote", or you can '
            "reapply at " + POSTAL_LINK
            if vote.kind == "postal"
            else ' Your signature is due to be refreshed: I can renew it for you here, just say "renew my proxy '
            'vote", or you can apply again at ' + PROXY_LINK
        ) + "."
    return line


# A switch to the other kind of absent vote ("actually i want to switch to a proxy instead", "make it a proxy", "can
# it be a proxy instead"): group 1 or 2 or 3 for a proxy, else a postal vote.
SWITCHES_TO = re.compile(
    r"\b(?:switch|change|move|swap|go)\w*(?: \w+){0,4}? to (?:an? )?(?:(proxy)|postal|post)\b"
    r"|\b(?:(proxy)|postal|post)(?: vote)? instead\b"
    r"|\b(?:make|can) (?:it|that) (?:be )?(?:an? )?(?:(proxy)|postal|post)\b"
    # "hmm actually proxy might be better" (a probe got the homelessness article)
    r"|\b(?:an? )?(?:(proxy)|postal|post)(?: vote)? (?:might|would|will|could) be (?:better|easier)\b",
    re.IGNORECASE,
)


def switched_to(text: str) -> str | None:
    """Return the absent vote task ``text`` switches to ("make it a proxy": request_proxy_vote), or None."""
    switch = SWITCHES_TO.search(text)
    if switch is None:
        return None
    return "request_proxy_vote" if any(switch.groups()) else "request_postal_vote"


# How the answers given once the identity is checked begin, and the words of a postal or proxy vote held in them.
CONFIRMED = "Thank you, that's confirmed."
VOTE_HELD = re.compile(r"\bYou have a (?:postal|proxy) vote\b|\byour (?:postal|proxy) vote\b", re.IGNORECASE)


def absent_vote_status(record: ElectoralRecord) -> str:
    """Describe the verified resident's postal and proxy votes and requests."""
    lines = [absent_vote_line(vote, record.open_requests) for vote in record.absent_votes] or [
        "You don't have a postal or proxy vote now. You vote in person at your polling station."
    ]
    lines += [
        f"Your {open_request_words(r)}, reference {r.reference}, {OPEN_STATUS_WORDS.get(r.status, 'is still open')}."
        for r in record.open_requests
        if not any(r.reference in line for line in lines)  # told with the vote it changes
    ]
    return f"{CONFIRMED} " + " ".join(lines)


def polling_station(result: PollingPlace) -> str:
    """Describe the polling station for an address (or say none is appointed yet, with who to ask)."""
    where = f"polling district {result.polling_district}, {result.ward} ward"
    station = result.station
    if station is None:
        return (
            f"A polling station for your address ({where}) has not been appointed yet. We write to every voter "
            f"with their polling station before an election, or call electoral services on {ELECTORAL_PHONE}."
        )
    text = (
        f"Your polling station is {station_words(station)} ({where}). Polls are open "
        f"{result.poll_hours} on polling day. Remember to bring photo ID."
    )
    if station.accessibility:
        text += f" Access: {station.accessibility}"
    return text


# Said under the list of polls when some are for one ward; a postcode typed next is answered (tasks.invited_task).
POSTCODE_INVITATION = "Some of these are for one ward only: tell me your postcode and I'll say which apply to you."


def upcoming_elections(elections: list[Election], *, for_address: bool) -> str:
    """List the coming polls."""
    if not elections:
        return (
            f"There are no elections scheduled in {council_facts().short_name} at the moment. By-elections can "
            "be called at short notice; we publish them on our website."
        )
    where = "for your address" if for_address else f"in {council_facts().short_name}"
    lines = [f"The next polls {where}:"]
    lines += [f"- {e.title}: {long_date(e.poll_date)}" for e in elections[:4]]
    if not for_address and any(e.area not in (None, "all") for e in elections):
        lines.append(POSTCODE_INVITATION)
    return "\n".join(lines)


def deadlines(elections: list[Election], *, kind: str | None, for_address: bool = False) -> str:
    """Give the deadlines for the next poll, saying which have passed and which routes remain.

    When the next poll is one ward's and no address is known, the next poll for everyone follows it: "wots the
    dedline 2 register" was given only the Millbrook ward by-election's, not the district elections' (a probe).
    """
    if not elections:
        return upcoming_elections(elections, for_address=False)
    first = elections[0]
    if for_address or first.area in (None, "all"):
        return poll_deadlines(first, kind=kind)
    everyone = next((e for e in elections[1:] if e.area in (None, "all")), None)
    answers = [poll_deadlines(first, kind=kind)] + ([poll_deadlines(everyone, kind=kind)] if everyone else [])
    return "\n\n".join([*answers, POSTCODE_INVITATION])


def poll_deadlines(poll: Election, *, kind: str | None, note: str = "") -> str:
    """Give one poll's deadlines, saying which have passed and which routes remain (``note``: said of the poll)."""
    chosen = [d for d in poll.deadlines if kind is None or d.kind == kind] or poll.deadlines
    lines = [f"For the {poll.title} on {long_date(poll.poll_date)}{note}:"]
    for item in chosen:
        state = "has passed" if item.passed else "is"
        lines.append(f"- {item.label}: the deadline {state} {deadline_words(item.deadline)}")
    passed = [d for d in chosen if d.passed]
    still_open = [d for d in poll.deadlines if not d.passed and d not in chosen]
    if passed and still_open:
        lines.append(
            "Still open: "
            + "; ".join(f"{d.label.lower()} until {deadline_words(d.deadline)}" for d in still_open)
            + "."
        )
    if passed:
        lines.append("If you apply late, it still counts for the next elections.")
    return "\n".join(lines)


def absent_vote_recorded(result: AbsentVoteRecorded) -> str:
    """Confirm a recorded postal or proxy request: reference, next step, and whether it is in time."""
    what = request_words(result.kind, result.action)
    if result.already_recorded:
        lines = [
            f"You already have a {what} with us, reference {result.reference}, so I haven't made "
            f"another. {result.next_step}"
        ]
    else:
        lines = [f"Done: your {what} is recorded with reference {result.reference}. {result.next_step}"]
    poll = result.next_poll
    if poll and poll.in_time:
        lines.append(
            f"It's in time for the {poll.title} on {long_date(poll.poll_date)} if we receive what we "
            f"need by {deadline_words(poll.deadline)}."
        )
    elif poll:
        lines.append(
            f"It's too late for the {poll.title} on {long_date(poll.poll_date)} (the deadline was "
            f"{deadline_words(poll.deadline)}), but it will count for later elections."
        )
        routes = result.still_open_routes
        if routes:
            lines.append(
                "For that poll you can still: "
                + "; ".join(f"{r.label.lower()} until {deadline_words(r.deadline)}" for r in routes)
                + "."
            )
    return " ".join(lines)


# How a withdrawal is confirmed: an application made again after it is a new one (``_absent_vote_request``).
WITHDRAWN = "Done: I've withdrawn your"


def absent_vote_withdrawn(result: AbsentVoteWithdrawal) -> str:
    """Confirm that a request waiting for an officer is withdrawn, or say why it could not be."""
    what = request_words(result.kind, result.action)
    if result.outcome == "withdrawn":
        return (
            f"{WITHDRAWN} {what}, reference {result.reference}. Nothing more will happen with it. If you change "
            "your mind, just ask me again."
        )
    if result.outcome == "already_withdrawn":
        return f"Your {what}, reference {result.reference}, is already withdrawn, so there's nothing to cancel."
    return (
        f"An officer has already dealt with your {what}, reference {result.reference}, so I can't withdraw it "
        f"here. Please call electoral services on {ELECTORAL_PHONE}."
    )


def change_recorded(result: ChangeRecorded) -> str:
    """Confirm a recorded change to the register."""
    if result.already_recorded:
        # "... so I haven't made another request. Done: you are now left out" said both at once (a probe).
        next_step = re.sub(r"^Done: (\w)", lambda m: m.group(1).upper(), result.next_step)
        return (
            f"That's already recorded with reference {result.reference}, so I haven't made another request. {next_step}"
        )
    return f"Thank you. I've recorded that with reference {result.reference}. {result.next_step}"


def no_details_call() -> str:
    """Return the line that sends a resident to the phone when the chat cannot finish."""
    return f"If you'd rather talk it through, call {council_phone()}."


# The tasks: each handler makes the back-office call and words the answer with the functions above.


async def _check_registration(backoffice: BackOffice, tracker: Tracker) -> str:
    return registration_status(await backoffice.my_electoral_record(conversation_id=conversation_of(tracker)))


async def _absent_vote_status(backoffice: BackOffice, tracker: Tracker) -> str:
    return absent_vote_status(await backoffice.my_electoral_record(conversation_id=conversation_of(tracker)))


async def _polling_station(backoffice: BackOffice, tracker: Tracker) -> str:
    return polling_station(await backoffice.polling_station(uprn=uprn_of(tracker) or 0))


def postcode_asked(tracker: Tracker) -> str | None:
    """Return the postcode the polls were asked for when no address is known, written as postcodes are.

    "tn42 6fw" was shown as typed.
    """
    postcode = tracker.get_slot("postcode")
    return " ".join(str(postcode).upper().split()) if postcode and uprn_of(tracker) is None else None


async def _next_election(backoffice: BackOffice, tracker: Tracker) -> str:
    if postcode := postcode_asked(tracker):
        return await elections_at_postcode(backoffice, postcode)
    uprn = uprn_of(tracker)
    return upcoming_elections(await backoffice.upcoming_elections(uprn=uprn), for_address=uprn is not None)


# Said of a poll held at only some of a postcode's addresses (polls follow the ward, and a postcode may straddle two).
ONLY_SOME_ADDRESSES = " (only some addresses at this postcode: ask me where you vote to check)"


async def polls_at_postcode(backoffice: BackOffice, postcode: str) -> list[tuple[Election, bool]] | None:
    """Return the coming polls at ``postcode``'s addresses, soonest first, each with whether every address votes in it.

    None when the council has no address at that postcode. Polls follow the ward, which the back office finds from an
    address.
    """
    addresses = await backoffice.find_addresses(postcode=postcode)
    if not addresses:
        return None
    found = await asyncio.gather(*(backoffice.upcoming_elections(uprn=a.uprn) for a in addresses))
    polls = {(e.title, e.poll_date): e for elections in found for e in elections}
    return [
        (election, all(any((e.title, e.poll_date) == key for e in elections) for elections in found))
        for key, election in sorted(polls.items(), key=lambda item: item[0][1])
    ]


def not_in_the_area(postcode: str) -> str:
    """Say a postcode has no address in the council's area."""
    return f"I couldn't find {postcode} in {council_facts().short_name}'s area."


async def elections_at_postcode(backoffice: BackOffice, postcode: str) -> str:
    """List the polls at every address of ``postcode``, the ones held at only some of its addresses said so.

    The list of polls invites "tell me your postcode and I'll say which apply to you"; "TN41 6PA" typed next was
    asked "What would you like me to do with that?", and "which election is for me then" got the whole list and the
    same invitation again (a probe).
    """
    polls = await polls_at_postcode(backoffice, postcode)
    if polls is None:
        whole_list = upcoming_elections(await backoffice.upcoming_elections(), for_address=False)
        return f"{not_in_the_area(postcode)} {whole_list}"
    if not polls:
        return upcoming_elections([], for_address=True)
    lines = [f"The next polls at {postcode}:"]
    for election, everywhere in polls[:4]:
        lines.append(f"- {election.title}: {long_date(election.poll_date)}{'' if everywhere else ONLY_SOME_ADDRESSES}")
    return "\n".join(lines)


async def _election_deadlines(backoffice: BackOffice, tracker: Tracker) -> str:
    kind = tracker.get_slot("deadline_kind")
    if postcode := postcode_asked(tracker):
        return await deadlines_at_postcode(backoffice, postcode, kind=kind)
    uprn = uprn_of(tracker)
    return deadlines(await backoffice.upcoming_elections(uprn=uprn), kind=kind, for_address=bool(uprn))


async def deadlines_at_postcode(backoffice: BackOffice, postcode: str, *, kind: str | None) -> str:
    """Give the deadlines of the next poll every address at ``postcode`` votes in, and of any sooner ward poll there.

    The second probe of session 10: "whats the deadline to register TN41 6PA" ignored the postcode and invited one,
    and the postcode typed after the invitation got the list of polls without a deadline.
    """
    polls = await polls_at_postcode(backoffice, postcode)
    if polls is None:
        return f"{not_in_the_area(postcode)} {deadlines(await backoffice.upcoming_elections(), kind=kind)}"
    answers = []
    for election, everywhere in polls[:4]:
        answers.append(poll_deadlines(election, kind=kind, note="" if everywhere else ONLY_SOME_ADDRESSES))
        if everywhere:
            break
    return "\n\n".join(answers) if answers else upcoming_elections([], for_address=True)


async def _absent_vote_request(backoffice: BackOffice, tracker: Tracker, *, kind: str, action: str) -> str:
    """Record a postal or proxy request; one asked for again after a withdrawal in this chat is a new one.

    The key is the same for the same request in the same chat, so the back office would answer with the
    application just withdrawn ("You already have a postal vote request") when the resident changed their mind.
    """
    request: dict[str, Any] = {
        "kind": kind,
        "action": action,
        "duration": tracker.get_slot("vote_duration") or "next_poll",
        "poll_date": None,
        "proxy_name": tracker.get_slot("proxy_name"),
        "proxy_relationship": tracker.get_slot("proxy_relationship"),
        "reason": tracker.get_slot("proxy_reason"),
        "delivery": "home" if kind == "postal" else None,
    }
    if kind == "postal" and (elsewhere := tracker.get_slot("ballot_address")):
        # "Can it be sent to my daughter's? 4 Mill Lane TN41 2AB, I'm staying with her" (a probe found no way).
        address, reason = ballot_delivery_of(str(elsewhere))
        request |= {"delivery": "other_address", "delivery_address": address, "delivery_reason": reason}
    withdrawals = sum(1 for e in tracker.events if e.get("event") == "bot" and WITHDRAWN in str(e.get("text") or ""))
    key = request_key(tracker, {**request, "after_withdrawals": withdrawals} if withdrawals else request)
    result = await backoffice.request_absent_vote(
        conversation_id=conversation_of(tracker), idempotency_key=key, **request
    )
    said = absent_vote_recorded(result)
    if result.already_recorded and request.get("delivery_address"):
        # The open request now says where the ballot pack goes (the back office adds it).
        said += f" I've added that your ballot pack should go to {request['delivery_address']}."
    return said


async def _request_postal_vote(backoffice: BackOffice, tracker: Tracker) -> str:
    if (held := await vote_already_held(backoffice, tracker, "postal")) is not None:
        # A postal vote held, its ballot pack wanted elsewhere: a change of where it goes, not a second vote.
        if ballot_sent_elsewhere(tracker):
            return await _absent_vote_request(backoffice, tracker, kind="postal", action="change")
        return held
    return await _absent_vote_request(backoffice, tracker, kind="postal", action="new")


def ballot_sent_elsewhere(tracker: Tracker) -> str | None:
    """Return the address the resident gave for their postal ballot pack, or None when it goes home."""
    given = tracker.get_slot("ballot_address")
    return None if not given or given == HOME else str(given)


# The answer to "Where should we send it?" that sends it home after all.
HOME = "home"
HOME_AFTER_ALL = re.compile(
    r"^\W*(?:(?:no,?\s+)?(?:just\s+)?(?:send it\s+)?(?:to\s+)?(?:my\s+)?(?:home|house)|"
    r"(?:my\s+)?(?:usual|normal|registered|own|home)\s+address|never\s?mind)\b[\s\w]{0,20}$",
    re.IGNORECASE,
)


def _ballot_address(text: str) -> str | None:
    if HOME_AFTER_ALL.match(text.strip()):
        return HOME
    return ballot_address_in(text, asked=True)


async def _request_proxy_vote(backoffice: BackOffice, tracker: Tracker) -> str:
    # A proxy vote held, a proxy named: a change of proxy ("change who my proxy is, my brother can't do it now").
    record = await backoffice.my_electoral_record(conversation_id=conversation_of(tracker))
    held = any(vote.kind == "proxy" and vote.status == "active" for vote in record.absent_votes)
    return await _absent_vote_request(backoffice, tracker, kind="proxy", action="change" if held else "new")


# Asking for another proxy rather than an end to the proxy vote: "change who my proxy is", "I need a new proxy".
CHANGES_THE_PROXY = re.compile(
    r"\b(?:change|replace|swap|switch|new|different|another)\b.{0,25}\bprox(?:y|ies)\b(?!.{0,15}\bto (?:a )?post)|"
    r"\bprox(?:y|ies)\b.{0,30}\b(?:can'?t|cannot|won'?t|unable to) (?:do it|vote|make it)",
    re.IGNORECASE,
)


async def vote_already_held(backoffice: BackOffice, tracker: Tracker, kind: str) -> str | None:
    """Say the resident already has the postal vote they asked for, else None (nothing is recorded then).

    Kathleen, who has a postal vote, asked "do i already have a postal vote?" and was given a second application
    (a probe). A proxy asked for again may name a new proxy, so it goes to the officer as an application.
    """
    record = await backoffice.my_electoral_record(conversation_id=conversation_of(tracker))
    held = next((v for v in record.absent_votes if v.kind == kind and v.status == "active"), None)
    if held is None or kind != "postal":
        return None
    ends = f", which ends on {long_date(held.expires_on)}" if held.expires_on else ""
    then = (
        " It's due for renewal: just say \"renew my postal vote\" and I'll do that instead."
        if held.renewal_due
        else " If you'd like to renew it or cancel it, just ask."
    )
    return f"You already have a postal vote{ends}, so there's no need to apply again.{then}"


def other_vote_note(record: ElectoralRecord, kind: str) -> str:
    """Warn that the other kind of absent vote is held or applied for: both cannot be used at one election."""
    other = "proxy" if kind == "postal" else "postal"
    if any(v.kind == other and v.status == "active" for v in record.absent_votes):
        held = f"You already have a {VOTE_WORDS[other]}"
    elif any(r.kind in (f"{other}_new", f"{other}_renew") for r in record.open_requests):
        held = f"You've already applied for a {VOTE_WORDS[other]}"
    else:
        return ""
    return (
        f" {held}. You can't vote by post and by proxy at the same election, so an officer will check which you "
        "want before anything changes."
    )


async def _absent_vote_record_summary(backoffice: BackOffice, tracker: Tracker, kind: str) -> str | None:
    """Word the confirmation of a new postal or proxy vote, with what the resident's record already holds.

    None (nothing to confirm) when the postal vote asked for is already held: the task says so instead.
    """
    record = await backoffice.my_electoral_record(conversation_id=conversation_of(tracker))
    if kind == "postal" and any(v.kind == "postal" and v.status == "active" for v in record.absent_votes):
        if elsewhere := ballot_sent_elsewhere(tracker):
            where = ballot_delivery_of(elsewhere)[0]
            return f"You already have a postal vote. I'll record a request to send its ballot pack to {where}."
        return None
    if kind == "proxy" and (change := _proxy_change_summary(record, tracker)) is not None:
        return change
    summary = _postal_vote_summary(tracker, None) if kind == "postal" else _proxy_vote_summary(tracker, None)
    pending = PENDING_REGISTRATION if record.registration_status == "pending" else ""
    return summary + other_vote_note(record, kind) + pending


# Said before a postal or proxy vote is applied for by someone whose registration is still being checked.
PENDING_REGISTRATION = (
    " We're still checking your application to register. You can only use the vote once you're on the register."
)


# "postal", "postle", "proxy", "proxie": the kind of vote the resident's words name, if any.
VOTE_KINDS = re.compile(r"\b(?:(?P<postal>post(?:al|le)?)|(?P<proxy>prox(?:y|ie)s?))\b", re.IGNORECASE)
# Words that point at an application rather than a vote: "actually cancel that", "cancel my postal vote application".
APPLICATION = re.compile(r"\b(?:that|this|application|applied|request|renewal)\b", re.IGNORECASE)
NOTHING_TO_CANCEL = (
    "You don't have a postal or proxy vote with us, or an application waiting, so there's nothing to cancel. "
    "You can vote in person."
)
NOTHING_TO_RENEW = (
    "You don't have a postal or proxy vote with us at the moment, so there's nothing to renew. "
    'If you\'d like one, you can apply now: just say "postal vote" or "proxy vote".'
)


def kinds_named(tracker: Tracker) -> tuple[str, ...]:
    """Return the kinds of vote the words that started the task name ("cancel my proxy vote"), else both."""
    named = {match.lastgroup for match in VOTE_KINDS.finditer(opening_request(tracker))}
    return tuple(kind for kind in VOTE_WORDS if kind in named) or tuple(VOTE_WORDS)


@dataclass(frozen=True)
class ToCancel:
    """What a cancellation is of: a vote on the record, or an application still waiting (withdrawn, not cancelled)."""

    kind: str
    application: OpenRequest | None = None
    other_votes: bool = False  # another postal or proxy vote stays, so the resident does not vote in person


def what_to_cancel(record: ElectoralRecord, tracker: Tracker, kinds: tuple[str, ...] = ()) -> ToCancel | None:
    """Choose what a cancellation is of: a vote the resident has, or an application still waiting for an officer.

    "Actually cancel that" just after applying was answered "nothing to cancel": only votes already granted were
    looked at, and the application was still waiting (a probe). Words that point at an application ("that", "my
    application") withdraw the one made in this chat, else the latest waiting; "cancel my postal vote" cancels the
    vote, if there is one. Of the kind named if there is one (else of the other kind: the confirmation names it);
    None when there is nothing.
    """
    kinds = kinds or kinds_named(tracker)
    if UNDOES_A_CANCEL.search(opening_request(tracker)):
        # "I asked to cancel my postal vote by mistake, please undo that" was offered the cancel again (a probe): the
        # waiting request to cancel is what is withdrawn, and nothing else.
        cancels = [r for r in record.open_requests if r.kind.endswith("_cancel")]
        named = [r for r in cancels if r.kind.partition("_")[0] in kinds] or cancels
        return ToCancel(named[0].kind.partition("_")[0], named[0]) if named else None
    waiting = [
        r
        for r in record.open_requests
        if r.kind.partition("_")[0] in kinds and r.kind.partition("_")[2] in ("new", "renew")
    ]
    said = " ".join(str(e.get("text") or "") for e in tracker.events if e.get("event") == "bot")
    active = [vote for vote in record.absent_votes if vote.status == "active"]
    chosen = [vote for vote in active if vote.kind in kinds]
    application = next((r for r in waiting if r.reference in said), next(iter(waiting), None))
    if chosen and (application is None or not APPLICATION.search(opening_request(tracker))):
        return ToCancel(chosen[0].kind, other_votes=any(vote.kind != chosen[0].kind for vote in active))
    if application is None:
        return None if kinds == tuple(VOTE_WORDS) else what_to_cancel(record, tracker, tuple(VOTE_WORDS))
    return ToCancel(application.kind.partition("_")[0], application)


def what_to_renew(record: ElectoralRecord, tracker: Tracker) -> AbsentVote | None:
    """Choose the vote to renew: of the kind named if there is one, an active one before one that has ended."""
    votes = [vote for vote in record.absent_votes if vote.kind in kinds_named(tracker)] or record.absent_votes
    return next((vote for vote in votes if vote.status == "active"), next(iter(votes), None))


# Words that take back a request to cancel rather than ask for one.
UNDOES_A_CANCEL = re.compile(
    r"\b(?:by mistake|mistakenly|accidentally|in error|undo|reverse|keep (?:it|my|the)|want to keep|"
    r"(?:don'?t|do not|didn'?t|did not|dont|didnt) (?:want|mean) to cancel|cancel (?:the|my|that) cancel\w*|"
    r"changed my mind about cancel\w*|not cancel)\b",
    re.IGNORECASE,
)
NOTHING_TO_UNDO = (
    "There's no request to cancel your postal or proxy vote waiting, so your vote stays as it is. If a cancellation "
    "has already been dealt with, please call us on {phone} and we'll help."
)


async def _cancel_absent_vote(backoffice: BackOffice, tracker: Tracker) -> str:
    conversation = conversation_of(tracker)
    target = what_to_cancel(await backoffice.my_electoral_record(conversation_id=conversation), tracker)
    if target is None and UNDOES_A_CANCEL.search(opening_request(tracker)):
        return NOTHING_TO_UNDO.format(phone=council_phone())
    if target is None:
        return NOTHING_TO_CANCEL
    if target.application is not None:
        reference = target.application.reference
        return absent_vote_withdrawn(
            await backoffice.withdraw_absent_vote_request(conversation_id=conversation, reference=reference)
        )
    return await _absent_vote_request(backoffice, tracker, kind=target.kind, action="cancel")


async def _cancel_absent_vote_summary(backoffice: BackOffice, tracker: Tracker) -> str | None:
    target = what_to_cancel(await backoffice.my_electoral_record(conversation_id=conversation_of(tracker)), tracker)
    if target is None:
        return None
    if target.application is not None:
        what = open_request_words(target.application)
        return f"I'll withdraw your {what}, reference {target.application.reference}, so nothing more happens with it."
    vote = VOTE_WORDS[target.kind]
    after = "." if target.other_votes else ", so you can vote in person."
    return f"I'll record a request to cancel your {vote}{after}"


async def _renew_absent_vote(backoffice: BackOffice, tracker: Tracker) -> str:
    """Renew the resident's postal or proxy vote, once they have said yes to it.

    Renewal was recorded without "Shall I go ahead?", and its answer said "It's due for renewal: reapply at
    gov.uk" before "Done: your postal vote request is recorded" (a probe): the answer is now the request alone.
    """
    vote = what_to_renew(await backoffice.my_electoral_record(conversation_id=conversation_of(tracker)), tracker)
    if vote is None:
        return NOTHING_TO_RENEW
    return await _absent_vote_request(backoffice, tracker, kind=vote.kind, action="renew")


async def _renew_absent_vote_summary(backoffice: BackOffice, tracker: Tracker) -> str | None:
    vote = what_to_renew(await backoffice.my_electoral_record(conversation_id=conversation_of(tracker)), tracker)
    if vote is None:
        return None
    line = f"I'll record a request to renew your {VOTE_WORDS.get(vote.kind, 'proxy vote')}"
    if vote.proxy_name:
        line += f", with {vote.proxy_name} as your proxy"
    elif vote.expires_on and vote.status == "active":
        line += f", which ends on {long_date(vote.expires_on)}"
    return line + ". We'll then send you the form to sign."


async def _change(backoffice: BackOffice, tracker: Tracker, *, kind: str, details: dict[str, Any]) -> str:
    key = request_key(tracker, {"kind": kind, "details": details})
    result = await backoffice.request_electoral_change(
        conversation_id=conversation_of(tracker), idempotency_key=key, kind=kind, details=details
    )
    return change_recorded(result)


async def _changed_name(backoffice: BackOffice, tracker: Tracker) -> str:
    return await _change(backoffice, tracker, kind="name_change", details={"new_name": tracker.get_slot("new_name")})


# Asked again once out, the opt-out was confirmed again and answered "That's already recorded ... Done: you are now left
# out" (a probe): the record says so first, and nothing is asked.
ALREADY_OFF_THE_OPEN_REGISTER = (
    "Your details are already left out of the open register, so there's nothing more to do. This does not affect "
    "your vote."
)
OPT_OUT_SUMMARY = "I'll record a request to remove your details from the open register. Your vote is not affected."


async def _open_register_opt_out(backoffice: BackOffice, tracker: Tracker) -> str:
    if (await backoffice.my_electoral_record(conversation_id=conversation_of(tracker))).open_register_opt_out:
        return ALREADY_OFF_THE_OPEN_REGISTER
    return await _change(backoffice, tracker, kind="open_register_opt_out", details={})


async def _open_register_opt_out_summary(backoffice: BackOffice, tracker: Tracker) -> str | None:
    record = await backoffice.my_electoral_record(conversation_id=conversation_of(tracker))
    return None if record.open_register_opt_out else OPT_OUT_SUMMARY


# The back office's words once an opt-out is in force (api/electoral/requests.py).
OPTED_OUT = "you are now left out of the open register"
OPTED_IN = "you are now included in the open register"


async def back_on_the_open_register(backoffice: BackOffice, tracker: Tracker) -> str:
    """Put the resident back on the open register: "cancel that" just after their opt-out was recorded (a probe)."""
    return await _change(backoffice, tracker, kind="open_register_opt_in", details={})


async def _report_death_or_left(backoffice: BackOffice, tracker: Tracker) -> str:
    """Report that someone at an address died or moved out: the back office takes the name and the address."""
    postcode, uprn = tracker.get_slot("postcode"), uprn_of(tracker)
    addresses = await backoffice.find_addresses(postcode=postcode) if postcode else []
    line = next((a.address for a in addresses if a.uprn == uprn), None)
    address = f"{line}, {postcode}" if line else postcode
    details = {"person_name": tracker.get_slot("reported_name"), "address": address} | _report_extras(tracker)
    kind = tracker.get_slot("report_kind") or "left_address"
    recorded = await _change(backoffice, tracker, kind=kind, details=details)
    if kind in COUNCIL_TAX_AFTER and COUNCIL_TAX.search(opening_request(tracker)):
        # "My mum died and I need to sort her council tax": the death is reported, then the council tax answered; so
        # is "take her off the register and the council tax" for someone who moved out (a probe's went unanswered).
        with contextlib.suppress(ArticleError, OSError):
            article = next((a for a in get_knowledge().articles() if a.slug == COUNCIL_TAX_AFTER[kind]), None)
            if article is not None:
                # A blank line: the channels send it as a message of its own.
                return f"{recorded}\n\nYou also asked about council tax. {article.answer}\nMore: {article.source}"
    return recorded


# The council tax article said after a death or a move is reported, when the resident mentioned council tax too:
# after a move, the discounts (living alone is 25% off) are what changes for whoever stays.
COUNCIL_TAX_AFTER_A_DEATH = "council-tax-after-death"
COUNCIL_TAX_AFTER = {"died": COUNCIL_TAX_AFTER_A_DEATH, "left_address": "council-tax-discounts"}
COUNCIL_TAX = re.compile(r"\b(council ?tax|ctax|c tax)\b", re.IGNORECASE)


def _postal_vote_summary(tracker: Tracker, address: str | None) -> str:
    next_poll = tracker.get_slot("vote_duration") == "next_poll"
    kind = "a postal vote for the next election" if next_poll else "a long-term postal vote (up to 3 years)"
    if elsewhere := ballot_sent_elsewhere(tracker):
        return f"I'll record a request for {kind}, with your ballot pack sent to {ballot_delivery_of(elsewhere)[0]}."
    return f"I'll record a request for {kind}."


BALLOT_ADDRESS = Question(
    _ballot_address,
    again="Sorry, I need the full address, with the house number or name, the street and the postcode. "
    'If it should come to your home after all, just say "home".',
    free_text=True,
    why="Your ballot pack normally comes to your home. We can send it somewhere else, such as where you are "
    "staying. We need the full address, and it helps to know why.",
)


def _proxy_change_summary(record: ElectoralRecord, tracker: Tracker) -> str | None:
    """Word the confirmation of a new proxy for a proxy vote already held; None when none is held."""
    held = next((v for v in record.absent_votes if v.kind == "proxy" and v.status == "active"), None)
    if held is None:
        return None
    now = f" instead of {held.proxy_name}" if held.proxy_name else ""
    proxy = f"{tracker.get_slot('proxy_name')} ({tracker.get_slot('proxy_relationship')})"
    return f"I'll record a request to change your proxy to {proxy}{now}."


def _proxy_vote_summary(tracker: Tracker, address: str | None) -> str:
    duration = "at the next election" if tracker.get_slot("vote_duration") == "next_poll" else "long term"
    proxy = f"{tracker.get_slot('proxy_name')} ({tracker.get_slot('proxy_relationship')})"
    return f"I'll record a request for {proxy} to vote for you by proxy {duration}."


def _report_extras(tracker: Tracker) -> dict[str, str]:
    """Return when it happened, how the reporter knows the person and what else they said, as the report gives them.

    From the notes the report gathered (task_form): its opening message ("my mum died last week") and what was
    added at the confirmation ("I'm her son", "she died on the 3rd"); the last time said is the one kept.
    """
    notes = tracker.get_slot("report_notes") or ""
    told = report_details_told(notes)
    extras: dict[str, str] = {}
    for key, longest in (("when", 80), ("relationship", 60)):
        if key in told:
            extras[key] = told[key][:longest]
    said = [f"Reported by {told['reporter']}." if "reporter" in told else "", notes]
    if any(said):
        extras["notes"] = " ".join(part for part in said if part)[:1000]
    return extras


def _report_death_or_left_summary(tracker: Tracker, address: str | None) -> str:
    what = "has died" if tracker.get_slot("report_kind") == "died" else "has moved out"
    when = _report_extras(tracker).get("when")
    return f"I'll let electoral services know that {tracker.get_slot('reported_name')} {what}" + (
        f" ({when})." if when else "."
    )


TASKS = (
    Task("check_registration", _check_registration, needs="identity"),
    Task("absent_vote_status", _absent_vote_status, needs="identity"),
    Task("polling_station", _polling_station, needs="address"),
    Task("next_election", _next_election),
    Task("election_deadlines", _election_deadlines),
    Task(
        "request_postal_vote",
        _request_postal_vote,
        needs="identity",
        slots=("vote_duration", "ballot_address", "task_confirmed"),
        # Asked only when the resident wants the ballot pack sent somewhere other than home.
        asked_if={"ballot_address": lambda slots: slots.get("ballot_delivery") == "other_address"},
        questions={"ballot_address": BALLOT_ADDRESS},
        summary=_postal_vote_summary,
        record_summary=lambda backoffice, tracker: _absent_vote_record_summary(backoffice, tracker, "postal"),
    ),
    # A long-term proxy needs a reason; one for the next election does not.
    Task(
        "request_proxy_vote",
        _request_proxy_vote,
        needs="identity",
        slots=("vote_duration", "proxy_name", "proxy_relationship", "proxy_reason", "task_confirmed"),
        asked_if={"proxy_reason": lambda slots: slots.get("vote_duration") == "permanent"},
        summary=_proxy_vote_summary,
        record_summary=lambda backoffice, tracker: _absent_vote_record_summary(backoffice, tracker, "proxy"),
    ),
    # What is cancelled or renewed is the resident's own: the summary names it from their record.
    Task(
        "cancel_absent_vote",
        _cancel_absent_vote,
        needs="identity",
        slots=("task_confirmed",),
        record_summary=_cancel_absent_vote_summary,
    ),
    Task(
        "renew_absent_vote",
        _renew_absent_vote,
        needs="identity",
        slots=("task_confirmed",),
        record_summary=_renew_absent_vote_summary,
    ),
    Task(
        "changed_name",
        _changed_name,
        needs="identity",
        slots=("new_name", "task_confirmed"),
        summary=lambda tracker, address: (
            f"I'll record a request to change your name on the register to {tracker.get_slot('new_name')}."
        ),
    ),
    Task(
        "open_register_opt_out",
        _open_register_opt_out,
        needs="identity",
        slots=("task_confirmed",),
        record_summary=_open_register_opt_out_summary,
    ),
    # About someone else, so no identity check: the back office records what was reported, nothing is disclosed.
    Task(
        "report_death_or_left",
        _report_death_or_left,
        slots=("reported_name", "report_kind", "postcode", "address_uprn", "task_confirmed"),
        summary=_report_death_or_left_summary,
        # The address is where the person lived, not the resident's ("which home at that postcode is yours" to a
        # bereaved daughter reporting her mother's death: a probe).
        why={
            "postcode": "The postcode of the address where they lived lets me find it on the register. It's the "
            "last line of the address, for example TN41 6PA.",
            "address_uprn": "I need to know which home at that postcode was theirs. Please choose it from the "
            "buttons, or type the house number and street, for example 19 Rowan Close.",
        },
    ),
)
