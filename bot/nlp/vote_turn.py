"""Which way a resident turns between voting by post and in person, read from the words' direction.

Word and character counts cannot tell "I'd rather vote by post than go to the polling station" (asking for a
postal vote) from "I'd like to vote at the polling station instead of by post" (cancelling one): the same words,
the other way round. The 5-fold NLU report lost most of request_postal_vote's F1 to cancel_absent_vote on such
sentences, and the misspelt fold more. "X instead of Y", "X rather than Y" and "from Y to X" say it outright, so
the intent classifier (bot/nlp/intent_classifier.py) puts the intent they name first when it read the other one.
"""

from __future__ import annotations

import re

POSTAL = "request_postal_vote"
IN_PERSON = "cancel_absent_vote"
TURNING_INTENTS = (POSTAL, IN_PERSON)

_BY_POST = r"(?:by post|postal(?: vote| voting| ballots?)?|post(?:ing)? (?:my|the|our) (?:vote|ballot)s?(?: in)?)"
_IN_PERSON = r"(?:in person|(?:at|to) (?:the|a|my) polling (?:station|place)|(?:at|to) the polls)"
_INSTEAD = r"(?:instead of|rather than|than)"
_TURNS = (
    (re.compile(rf"\b{_BY_POST}\b.{{0,60}}?\b{_INSTEAD}\b.{{0,40}}?\b{_IN_PERSON}", re.I), POSTAL),
    (re.compile(rf"\bfrom\b.{{0,20}}?\b{_IN_PERSON}\b.{{0,20}}?\bto\b.{{0,15}}?\b{_BY_POST}", re.I), POSTAL),
    (re.compile(rf"\b{_IN_PERSON}\b.{{0,60}}?\b{_INSTEAD}\b.{{0,40}}?\b{_BY_POST}", re.I), IN_PERSON),
    (re.compile(rf"\bfrom\b.{{0,20}}?\b{_BY_POST}\b.{{0,20}}?\bto\b.{{0,40}}?\b{_IN_PERSON}", re.I), IN_PERSON),
)


def absent_vote_turn(text: str) -> str | None:
    """Return the intent a move between postal and in-person voting asks for, or None when the words do not say."""
    found = {intent for pattern, intent in _TURNS if pattern.search(text)}
    return found.pop() if len(found) == 1 else None


def turned(text: str, intent: str) -> str:
    """Return ``intent``, or the other of the two turning intents when it was read against the words' direction."""
    if intent not in TURNING_INTENTS:
        return intent
    return absent_vote_turn(text) or intent
