"""What the assistant says about registration, polling stations, elections and absent votes.

Functions here turn the back office's answers into plain English; actions in tasks.py call them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.actions.common import council_phone
from council import council_facts

ELECTORAL_PHONE = council_facts().electoral_phone
REGISTER_LINK = "https://www.gov.uk/register-to-vote"
POSTAL_LINK = "https://www.gov.uk/apply-postal-vote"
PROXY_LINK = "https://www.gov.uk/apply-proxy-vote"

NOT_VERIFIED = (
    "I'm sorry, I couldn't match those details to the register. Maybe you're not registered at that address, or a "
    "detail is written another way on the register, like a short first name. You can register again at "
    f"{REGISTER_LINK}. It takes about 5 minutes, and you need your National Insurance number. Or call electoral "
    f"services on {ELECTORAL_PHONE}."
)
LOCKED = (
    "For your security I can't check any more details in this chat for now. An officer can help you confirm who you "
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


def station_words(station: dict[str, Any]) -> str:
    """Name a polling station once, with its address and postcode."""
    address = str(station["address"])
    if not address.startswith(str(station["name"])):
        address = f"{station['name']}, {address}"
    return f"{address}, {station['postcode']}"


def registration_status(record: dict[str, Any]) -> str:
    """Describe the verified resident's own registration."""
    station = record.get("station") or {}
    if record["registration_status"] == "pending":
        return ("Thank you, that's confirmed. Your application to register is being processed. Once it's accepted "
                "you'll be added at the next monthly update of the register, and we'll write to you.")
    lines = [f"Thank you, that's confirmed. You're registered to vote at your address, in polling district "
             f"{record['polling_district']} ({record['ward']} ward)."]
    if station:
        lines.append(f"Your polling station is {station_words(station)}.")
    votes = record.get("absent_votes") or []
    for vote in votes:
        lines.append(absent_vote_line(vote))
    if record.get("open_register_opt_out"):
        lines.append("Your details are not on the open register.")
    return " ".join(lines)


def absent_vote_line(vote: dict[str, Any]) -> str:
    """Describe one postal or proxy arrangement."""
    kind = "postal vote" if vote["kind"] == "postal" else "proxy vote"
    line = f"You have a {kind} ({vote['status']})"
    if vote.get("proxy_name"):
        line += f" with {vote['proxy_name']} as your proxy"
    if vote.get("expires_on"):
        line += f", which ends on {long_date(vote['expires_on'])}"
    line += "."
    if vote.get("renewal_due"):
        line += (" It's due for renewal: reapply at " + POSTAL_LINK if vote["kind"] == "postal"
                 else " Your signature is due to be refreshed: apply again at " + PROXY_LINK) + "."
    return line


def absent_vote_status(record: dict[str, Any]) -> str:
    """Describe the verified resident's postal and proxy votes and requests."""
    votes = record.get("absent_votes") or []
    requests = record.get("open_requests") or []
    lines = [absent_vote_line(vote) for vote in votes] or ["You don't have a postal or proxy vote now. You vote in "
                                                          "person at your polling station."]
    lines += [f"Your request {r['reference']} ({r['kind'].replace('_', ' ')}) is {r['status']}." for r in requests]
    return "Thank you, that's confirmed. " + " ".join(lines)


def polling_station(result: dict[str, Any]) -> str:
    """Describe the polling station for an address."""
    station = result["station"]
    text = (f"Your polling station is {station_words(station)} "
            f"(polling district {result['polling_district']}, {result['ward']} ward). Polls are open "
            f"{result.get('poll_hours', '7am to 10pm')} on polling day. Remember to bring photo ID.")
    if station.get("accessibility"):
        text += f" Access: {station['accessibility']}"
    return text


def upcoming_elections(elections: list[dict[str, Any]], *, for_address: bool) -> str:
    """List the coming polls."""
    if not elections:
        return (f"There are no elections scheduled in {council_facts().short_name} at the moment. By-elections can "
                "be called at short notice; we publish them on our website.")
    where = "for your address" if for_address else f"in {council_facts().short_name}"
    lines = [f"The next polls {where}:"]
    lines += [f"- {e['title']}: {long_date(e['poll_date'])}" for e in elections[:4]]
    if not for_address and any(e.get("area") not in (None, "all") for e in elections):
        lines.append("Some of these are for one ward only: tell me your postcode and I'll say which apply to you.")
    return "\n".join(lines)


def deadlines(elections: list[dict[str, Any]], *, kind: str | None) -> str:
    """Give the deadlines for the next poll, saying which have passed and which routes remain."""
    if not elections:
        return upcoming_elections(elections, for_address=False)
    poll = elections[0]
    chosen = [d for d in poll["deadlines"] if kind is None or d["kind"] == kind] or poll["deadlines"]
    lines = [f"For the {poll['title']} on {long_date(poll['poll_date'])}:"]
    for item in chosen:
        state = "has passed" if item["passed"] else "is"
        lines.append(f"- {item['label']}: the deadline {state} {deadline_words(item['deadline'])}")
    passed = [d for d in chosen if d["passed"]]
    still_open = [d for d in poll["deadlines"] if not d["passed"] and d not in chosen]
    if passed and still_open:
        lines.append("Still open: " + "; ".join(f"{d['label'].lower()} until {deadline_words(d['deadline'])}"
                                                  for d in still_open) + ".")
    if passed:
        lines.append("If you apply late, it still counts for the next elections.")
    return "\n".join(lines)


def absent_vote_recorded(result: dict[str, Any]) -> str:
    """Confirm a recorded postal or proxy request: reference, next step, and whether it is in time."""
    kind = "postal vote" if result["kind"] == "postal" else "proxy vote"
    if result.get("already_recorded"):
        lines = [f"You already have a {kind} request with us, reference {result['reference']}, so I haven't made "
                 f"another. {result['next_step']}"]
    else:
        lines = [f"Done: your {kind} request is recorded with reference {result['reference']}. {result['next_step']}"]
    poll = result.get("next_poll")
    if poll and poll.get("in_time"):
        lines.append(f"It's in time for the {poll['title']} on {long_date(poll['poll_date'])} if we receive what we "
                     f"need by {deadline_words(poll['deadline'])}.")
    elif poll:
        lines.append(f"It's too late for the {poll['title']} on {long_date(poll['poll_date'])} (the deadline was "
                     f"{deadline_words(poll['deadline'])}), but it will count for later elections.")
        routes = result.get("still_open_routes") or []
        if routes:
            lines.append("For that poll you can still: " + "; ".join(
                f"{r['label'].lower()} until {deadline_words(r['deadline'])}" for r in routes) + ".")
    return " ".join(lines)


def change_recorded(result: dict[str, Any]) -> str:
    """Confirm a recorded change to the register."""
    if result.get("already_recorded"):
        return (f"That's already recorded with reference {result['reference']}, so I haven't made another request. "
                f"{result['next_step']}")
    return f"Thank you. I've recorded that with reference {result['reference']}. {result['next_step']}"


def no_details_call() -> str:
    """Return the line that sends a resident to the phone when the chat cannot finish."""
    return f"If you'd rather talk it through, call {council_phone()}."
