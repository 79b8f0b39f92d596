"""Two requests in one message: do the first, and offer the second once it is done.

"I need a postal vote and when is my bin day" is read as one intent; the other half was lost. The message is
split where a resident joins two requests ("and", "also", a question mark) and each part is held to a few
unmistakable clues per request. When one part asks for something other than the task started, the resident
hears that both were noticed and which comes first, and when the task is done the second is offered as a button.
Nothing is stored: the message that started the task is read again from the conversation at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Where residents join two requests in one message.
# "and", and its text-speak ("hw do i pay my counsil tax n also when is bin day" was answered about bins alone).
JOINS = re.compile(
    r"\?|[.;!]\s|&|\b(?:and also|and then|and|also|plus|then|as well as|n also|n|an|nd|aswell)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Request:
    """A request a part of a message can make unmistakably: its intent (a button's payload) and its name."""

    intent: str
    clue: re.Pattern[str]
    called: str  # "your bin day": said in "I'll help with ... first"
    title: str  # the button that asks for it afterwards


def _request(intent: str, clue: str, called: str, title: str) -> Request:
    return Request(intent, re.compile(clue, re.IGNORECASE), called, title)


REQUESTS = (
    _request(
        "ask_bin_day",
        r"\bbin days?\b|\b(what|which) day\b.*\b(bins?|recycling|rubbish)\b|\bcollection days?\b|"
        r"\bwhen\b.*\b(bins?|recycling|rubbish)\b.*\b(collected|picked up|emptied|go out)\b",
        "your bin day",
        "When is my bin day?",
    ),
    _request("request_postal_vote", r"\bpostal vote|\bvote by post\b", "a postal vote", "Apply for a postal vote"),
    _request("request_proxy_vote", r"\bproxy\b", "a proxy vote", "Apply for a proxy vote"),
    _request(
        "check_registration",
        r"\b(am i|are we|is my name) (registered|on the (electoral )?(register|roll))|\bregistered to vote\b|"
        # "can u check my voter registration and also whens my bin day" (a probe: only the bin day was heard)
        r"\b(voter|electoral|my) registration\b|\b(check|still) on the (electoral |voting )?(register|roll|list)\b",
        "checking you're registered to vote",
        "Am I registered to vote?",
    ),
    _request(
        "polling_station",
        r"\bpolling (station|place)|\bwhere (do|can|should) i vote\b",
        "your polling station",
        "Where do I vote?",
    ),
    _request(
        "next_election",
        r"\bwhen('s| is) the (next )?election\b|\bnext election (date|day)\b",
        "the next election",
        "When is the next election?",
    ),
    _request(
        "council_tax_balance",
        r"\b(council tax|my) balance\b|\bhow much (do i owe|is left)\b",
        "your council tax balance",
        "Check my council tax balance",
    ),
    _request(
        "payment_received",
        r"\b(did|has) my payment\b|\bpayment (gone|go|went) through\b",
        "your payment",
        "Did my payment go through?",
    ),
    # "receipt for PAY-48213370" was read as a payment reference given alone and asked "What would you like me to do
    # with that?" (a probe). Not "the receipt says PAY-..." (a reference read off one) nor "confirm receipt".
    _request(
        "receipt_request",
        r"\breceipts? for\b|\b(?:want|need|have|get|send|email|e-mail|like) (?:me )?(?:a|the|my|another) receipt\b",
        "a receipt",
        "Email me a receipt",
    ),
    _request(
        "report_problem",
        r"\b(pot ?hole|fly.?tipping|graffiti|street ?light|missed bin|bins? (wasn'?t|was not|weren'?t|not) "
        r"(collected|emptied))",
        "your report",
        "Report a problem",
    ),
    _request(
        "voter_id",
        r"\b(?:what|which) (?:photo )?id\b|\bvoter id\b|\bphoto id\b|\bid (?:do i|to) (?:need|bring|take)\b",
        "the ID you need to vote",
        "What ID do I need to vote?",
    ),
    _request(
        "how_to_pay",
        r"\b(?:how|hw|where) (?:do|can|could|should) (?:i|we|u|you) pay\b|\bways? (?:to|of) pay(?:ing)?\b",
        "how to pay",
        "How can I pay?",
    ),
    _request(
        "opening_hours",
        r"\bopening (hours|times)\b|\bwhen (are you|is the office|is the council) open\b|"
        r"\bwhat time (do|are|does) (you|the office|the council|it) (open|close|shut)\b",
        "our opening hours",
        "When are you open?",
    ),
)
BY_INTENT = {request.intent: request for request in REQUESTS}


def requests_in(text: str) -> list[Request]:
    """Return the requests the parts of ``text`` make, in the order they are made, each once."""
    found: list[Request] = []
    for part in JOINS.split(text):
        for request in REQUESTS:
            if request.clue.search(part) and request not in found:
                found.append(request)
                break
    return found


def second_request(text: str, task: str | None) -> Request | None:
    """Return the request ``text`` makes besides ``task`` (the one being done), or None if it makes one only."""
    others = [request for request in requests_in(text) if request.intent != task]
    # A question mark at the end splits off nothing: "what's the deadline for a postal vote?" is one request, and
    # was offered "You also asked about a postal vote" after its answer (seen in the web chat).
    if not others or len([part for part in JOINS.split(text) if part and part.strip(" ,.!?")]) < 2:
        return None
    return others[0]


def noticed_both(task: str, second: Request) -> str:
    """Say, as the first task starts, that the second request was noticed and comes next."""
    first = BY_INTENT.get(task)
    doing = f"with {first.called}" if first else "with that"
    return f"You asked about two things. I'll help {doing} first, then {second.called}."


def offer_the_second(second: Request) -> tuple[str, list[dict[str, str]]]:
    """Return what is said once the first task is done, and the button that asks for the second."""
    return f"You also asked about {second.called}. Shall we do that now?", [
        {"title": second.title, "payload": f"/{second.intent}"}
    ]
