"""Inside a form, an answer is an answer: find what a message says for the slot being asked for.

The domain's slot mappings take a message for the slot asked for only when the intent classifier has not
read it as something else, so "jo.bloggs@gmail.com" classified as ``contact_details`` filled nothing and
the form asked again for ever. The task form's validation action reads the message itself instead: when
it fits the slot (an email, a postcode, a date, a reference, a name, yes or no), it fills the slot
whatever the intent. Only a request for a person, an emergency, "stop" or a clear request for another
task interrupts; a reply that is nothing but the answer ("TN41 6PA", "it's x@y.com thanks") is never
taken for another task.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from bot.names import LATEST
from bot.nlp.edits import one_slip
from bot.parsing import (
    ADDRESS_LEAD_INS,
    DEATH_MISSPELT,
    RELATIONS,
    STREET_ABBREVIATIONS,
    asks_for_latest_payment,
    clean_full_name,
    find_account_reference,
    find_email,
    find_payment_reference,
    find_postcode,
    find_request_reference,
    month_first_date,
    numbers_in_figures,
    parse_date_of_birth,
    payment_described,
    request_reference_asked,
    says_unknown,
    speaks_of_someone_else,
)

# Intents that interrupt a form whatever the message holds: the resident wants out of the task. "stop" is not
# among them: "don't have it" at the account number is read as stop, yet it is an answer. The task form reads
# a stop itself (bot.actions.task_form.not_an_answer_events): a clear stop ends the task, an answer is taken.
INTERRUPTING_INTENTS = frozenset({"request_officer", "emergency", "card_payment_attempt"})
# Intents that have their own answer in the middle of a form; a confident one wins over a loose answer
# such as a name ("Opening Hours" is two capitalised words, but it is a question).
QUICK_QUESTION_INTENTS = frozenset({"opening_hours", "contact_details", "bot_capabilities", "bot_challenge"})
LOOSE_ANSWER_CONFIDENCE = 0.8


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


NAME_SLOTS = frozenset({"full_name", "new_name", "proxy_name", "reported_name"})
# Slots that take whatever the resident writes (a description, a place, a relationship, a reason).
FREE_TEXT_SLOTS = frozenset({"proxy_relationship", "proxy_reason", "problem_location", "problem_description"})
# Words that may surround an answer without making it about anything else ("you can email me on ...").
FILLER_WORDS = _word_set("""
    a an and the it it's its is was be this that that's here there my mine me i i'm im you your can could
    please thanks thank ta cheers ok okay yes yeah yep sure fine of on at to for in by with use send reach
    contact email e-mail mail address postcode post code zip date birth dob born reference ref number no
    account bill payment request sr pay ct best just hi hello hiya hey so well oh right x
""")
# Words that are not part of anyone's name: a two-word reply made of them is a remark, not a name.
NOT_NAME_WORDS = _word_set("""
    thanks thank you hello hi hiya hey bye goodbye yes yeah no nope not what when where how why who which is are
    was the a an to of for my me i it this that please open opening hours time times phone number email vote
    voting council tax bin bins person officer help stop don't dont know sure ok okay fine good great morning
    evening afternoon cheers sorry can could would do does did have has had want need problem register
    registered postal proxy payment balance account address postcode date birth name
""")
# Slots answered by choosing (the buttons' words typed): a short reply that reads as one is the whole answer.
CHOICE_SLOTS = frozenset({"vote_duration", "report_kind"})
# An address line as residents type it from the list they were shown: "19 Rowan Close", "Flat 2, 14 Mill Lane",
# "Orchard House, Maple Crescent". A named house on a street read like a problem report ("Orchard House, Maple
# Crescent" is report_problem at 0.9) must still be the answer, not a new report.
STREET_TYPES = (
    "road|lane|close|way|avenue|drive|gardens|crescent|place|rise|walk|mews|view|court|street|hill|"
    "green|row|terrace|square|park|grove"
)
# The same, shortened as residents type them ("10 priory gdns", "19 rowan cl"): read as the full words later.
SHORT_STREET_TYPES = "|".join(STREET_ABBREVIATIONS)
ADDRESS_LINE = re.compile(
    rf"^(?:flat \w+,?\s*)?(?:\d+[a-z]?\s+[a-z' .-]+|[a-z][a-z' .-]*,\s*[a-z][a-z' .-]*\b"
    rf"(?:{STREET_TYPES}))$",
    re.IGNORECASE,
)
SHORT_STATEMENT_WORDS = 5
QUESTION_WORDS = _word_set(
    "what what's whats when when's whens where where's how how's why who which is are can "
    "could do does did will would should "
    # as typed on a phone ("wat time r u open til" was sent to the team as the description of dumped rubbish)
    "wat wot wht wats wots wen wens wheres hw y r cn cud wud shud"
)
YES_WORDS = (
    "yes",
    "yeah",
    "yep",
    "yup",
    "ya",
    "aye",
    "sure",
    "ok",
    "okay",
    "go ahead",
    "please do",
    "do it",
    "correct",
    "that's right",
    "thats right",
    "right",
    "fine",
    "absolutely",
    "definitely",
    "of course",
    "y",
    "confirm",
    "agreed",
    "sounds good",
    "go on",
    "proceed",
    "try again",
    "again",
    "retry",
    "have another go",
)
NO_WORDS = (
    "no",
    "nope",
    "nah",
    "don't",
    "dont",
    "do not",
    "cancel",
    "not now",
    "n",
    "never mind",
    "nevermind",
    "no thanks",
    "no thank you",
    "rather not",
    "leave it",
    "not right",
    "wrong",
)
WORD = re.compile(r"[a-z][a-z'\u2019-]*")
LEAD_INS = re.compile(
    r"^(?:(?:hi|hello|hiya|hey|yes|yeah|yep|sure|ok|okay|right|so|well|um|erm|oh|ah|sorry)"
    r"\b[\s,.!]*)+",
    re.IGNORECASE,
)
TRAIL_OFFS = re.compile(
    r"(?:[\s,.!]*\b(?:thanks|thank you|thankyou|ta|cheers|please|thx|here|now|x+)\b[\s.!]*)+$", re.IGNORECASE
)


def strip_pleasantries(text: str) -> str:
    """Drop greetings and thanks around an answer: "hi, it's 26/01/1978 thanks" -> "it's 26/01/1978"."""
    return TRAIL_OFFS.sub("", LEAD_INS.sub("", text.strip())).strip(" ,.!")


def _words(text: str) -> list[str]:
    return WORD.findall(text.lower().replace("\u2019", "'"))


def leftover_words(text: str, value: str) -> list[str]:
    """Return the words of ``text`` that are neither ``value`` nor the filler around an answer."""
    rest = re.sub(re.escape(value), " ", text, flags=re.IGNORECASE) if value else text
    return [w for w in _words(rest) if w not in FILLER_WORDS]


def _email(text: str) -> tuple[str, str] | None:
    email = find_email(text)
    return (email, email) if email else None


def _postcode(text: str) -> tuple[str, str] | None:
    value = find_postcode(text)
    if value is None:
        return None
    match = re.search(rf"{value.split()[0]}\s*{value.split()[1]}", text, re.IGNORECASE)
    return value, match.group(0) if match else value


def _reference(find: Callable[[str], str | None], pattern: str) -> Callable[[str], tuple[str, str] | None]:
    def read(text: str) -> tuple[str, str] | None:
        value = find(text)
        match = re.search(pattern, text, re.IGNORECASE)
        return (value, match.group(0)) if value and match else None

    return read


def _date_of_birth(text: str) -> tuple[str, str] | None:
    # A date that only reads month first ("01/26/1978") is a date too: its check asks what the resident meant.
    candidate = strip_pleasantries(text)
    return (candidate, candidate) if is_a_date(candidate) else None


def is_a_date(text: str) -> bool:
    """Tell whether ``text`` is a date of birth, or one that only reads month first (to be asked about)."""
    today = dt.date.today()
    return parse_date_of_birth(text, today=today) is not None or month_first_date(text, today=today) is not None


# Answers that are unmistakable wherever they appear in the message: (value, the text it was read from).
STRUCTURED: dict[str, Callable[[str], tuple[str, str] | None]] = {
    "contact_email": _email,
    "postcode": _postcode,
    "date_of_birth": _date_of_birth,
    "account_reference": _reference(find_account_reference, r"\bCT[\s-]?\d{4}\s?\d{4}\b"),
    "payment_reference": _reference(find_payment_reference, r"\bPAY[\s-]?\d{4}\s?\d{4}\b"),
    "request_reference": _reference(find_request_reference, r"\bSR[\s-]?\d{6}\b"),
}


def misread(slot: str, value: Any) -> bool:
    """Tell whether a value mapped to a code-like slot (postcode, date, email, reference) is not one."""
    return slot in STRUCTURED and STRUCTURED[slot](str(value or "")) is None


def name_in(text: str) -> str | None:
    """Return the full name a short reply gives ("hi, it's Sam Taylor thanks"), or None if it is not one."""
    name = clean_full_name(strip_pleasantries(text))
    if name is None or any(word in NOT_NAME_WORDS for word in _words(name)):
        return None
    return name


def yes_or_no(text: str) -> bool | None:
    """Read a short reply as yes (True) or no (False); None when it is neither, or both.

    "Cancel" is no on its own, but with a yes it names what is agreed to: "yes cancel it" confirms
    cancelling a report or a postal vote.
    """
    words = _words(text)
    if not words or len(words) > 8:
        return None
    joined = " ".join(words)
    said_yes = any(re.search(rf"\b{re.escape(phrase)}\b", joined) for phrase in YES_WORDS)
    no_words = [phrase for phrase in NO_WORDS if not (said_yes and phrase == "cancel")]
    said_no = any(re.search(rf"\b{re.escape(phrase)}\b", joined) for phrase in no_words)
    if said_yes == said_no:
        return None
    return said_yes


# Checked in order: words that only one kind of problem uses come before the words several share ("someone dumped a
# mattress and bin bags behind Rowan Close" is dumped rubbish, not a missed bin; a probe was asked for its postcode).
CATEGORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dog_fouling", ("dog poo", "dog mess", "dog fouling", "dog dirt", "fouling", "dog muck", "poo", "dog bin")),
    (
        "dumped_rubbish",
        ("fly-tip", "fly tip", "flytip", "fly tipping", "dumped", "dumping", "mattress", "fridge", "sofa"),
    ),
    # "my recycling bin got broken by the lorry, can i get a new one" was lodged as a missed collection (a probe): a
    # bin named broken, stolen or to be replaced is also one (BIN_TO_REPLACE).
    ("bin_request", ("new bin", "replacement", "broken bin", "extra bin", "damaged bin", "stolen bin", "lost bin")),
    # Street litter bins, not the resident's own: "the litter bin by the bus stop is overflowing" was a missed bin.
    ("litter_bin", ("litter bin", "street bin", "public bin", "bin by the bus stop", "overflowing", "litter bins")),
    (
        "dead_animal",
        (
            "dead fox",
            "dead badger",
            "dead cat",
            "dead dog",
            "dead deer",
            "dead bird",
            "dead animal",
            "dead pigeon",
            "dead rabbit",
            "dead squirrel",
            "roadkill",
            "road kill",
            "carcass",
            "run over",
            "been hit",
            "got hit",
        ),
    ),
    ("missed_bin", ("bin", "dustbin", "collect", "colect", "rubbish wasn't", "recycling", "emptied")),
    ("pothole", ("pothole", "pot hole", "pothol", "road surface", "hole in the road")),
    # Misspelt as residents type them: "street lite not workin" and "streetlite out" were lodged as fallen trees (a
    # probe: "tree" was found inside "street"), "grafiti on the bus shelter" and "graffitti" as nothing known.
    ("street_light", ("light", "lite", "lght", "lamp", "streetlight", "streetlite", "streetlamp")),
    ("dumped_rubbish", ("fly", "dump", "tipping", "rubbish", "litter")),
    ("graffiti", ("graffiti", "grafiti", "graffitti", "grafitti", "graff", "graf", "tag", "spray")),
    ("fallen_tree", ("tree", "branch")),
    ("noise", ("noise", "noisy", "loud", "music", "party", "barking")),
)
# Each of a category's words is found at the start of a word ("lights", "dumped", "trees"), never inside one: the
# "tree" in "street", the "tag" in "postage", the "loud" in "cloud".
CATEGORY_PATTERNS = tuple(
    (category, re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in words) + ")"))
    for category, words in CATEGORY_WORDS
)
CATEGORIES = frozenset(
    {
        "missed_bin",
        "pothole",
        "street_light",
        "dumped_rubbish",
        "graffiti",
        "fallen_tree",
        "noise",
        "dog_fouling",
        "bin_request",
        "dead_animal",
        "litter_bin",
        "other",
    }
)


BIN_TO_REPLACE = re.compile(
    r"\b(?:bin|lid|box|caddy|wheelie|wheel)s?\b[^.?!]{0,40}?\b(?:broken|broke|cracked|split|snapped|stolen|"
    r"missing|damaged|new one|replaced?|come off|fallen off)\b"
    r"|\b(?:nicked|pinched|stole)\b[^.?!]{0,30}?\bbins?\b"
    r"|\b(?:broken|cracked|split|snapped|stolen|missing|damaged)\b[^.?!]{0,20}?\b(?:bin|lid|box|caddy)s?\b"
)
# A problem "Something else" or the like names: the report goes on, described in the resident's words.
SOMETHING_ELSE = re.compile(r"^(?:something else|other|another (?:thing|problem)|none of (?:these|them|those))$")


def category_of(text: str) -> str:
    """Return the service category a resident's words describe ("other" when none fits)."""
    lowered = text.lower().strip()
    if lowered in CATEGORIES:
        return lowered
    for category, words in CATEGORY_PATTERNS:
        if words.search(lowered) or (category == "bin_request" and BIN_TO_REPLACE.search(lowered)):
            return category
    return "other"


# Whole words only: "actually" holds "all" and "about" holds "out", and neither says anything about a vote or a move.
NOT_JUST = re.compile(r"\b(not|isn'?t|no)\s+(just|only)\b", re.IGNORECASE)
NEXT_POLL_WORDS = re.compile(r"\b(next|one|just|only|this|single|once)\b", re.IGNORECASE)
PERMANENT_WORDS = re.compile(
    r"\b(long|longer|perman\w*|all|every\w*|years?|yearly|always|ongoing|indefinite\w*|forever|for good)\b",
    re.IGNORECASE,
)
# With the misspellings residents type ("my mum dyed last month" was asked "died or moved out?" again and again).
DIED_WORDS = re.compile(rf"\b(died|dead|passed|pased|passd|death|deceased|{DEATH_MISSPELT})\b", re.IGNORECASE)
LEFT_WORDS = re.compile(r"\b(moved|moovd|movd|muved|left|gone|out|away|lives)\b", re.IGNORECASE)


def vote_duration_in(text: str) -> str | None:
    """Read "just the next election" as next_poll and "long term" as permanent; None when it says neither."""
    lowered = text.lower().strip()
    if lowered in ("next_poll", "permanent"):
        return lowered
    if NOT_JUST.search(lowered):
        return "permanent"
    if NEXT_POLL_WORDS.search(lowered):
        return "next_poll"
    if PERMANENT_WORDS.search(lowered):
        return "permanent"
    return None


def report_kind_in(text: str) -> str | None:
    """Read whether a report says the person died or moved out; None when it says neither."""
    if text in ("died", "left_address"):  # already read
        return text
    if DIED_WORDS.search(text):
        return "died"
    if LEFT_WORDS.search(text):
        return "left_address"
    return None


# What a report says happened, in the resident's opening words: read only when it says one of the two.
DIED = re.compile(rf"\b(died|dead|passed away|passed on|death|deceased|{DEATH_MISSPELT})\b", re.IGNORECASE)
LEFT = re.compile(
    r"\b(moved (out|away|house|home|on)|left|gone away|no longer lives?|(doesn'?t|does not|don'?t) live)\b",
    re.IGNORECASE,
)


# Where an opening report says the problem is: "a massive pothole on Rowan Close, Ashbury outside number 19", "street
# light out on Weald Mews", "fly tipping in the lane behind Priory Gardens". The words after the first "on", "in",
# "outside" ... that name a street (its type or a capitalised name) or a postcode; "a pothole in the road" names none.
PLACE_TOLD = re.compile(
    r"\b(?:on|in|at|outside|near|by|along|behind|opposite|down)\s+((?:the\s+)?[^.?!]{3,120})", re.IGNORECASE
)
CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")
STREET_NAMED = re.compile(
    rf"\b(?!(?:the|a|an|my|our|your|this|that|their|his|her|car|main|back|front|old|new)\b)[a-z']+\s+"
    rf"(?:{STREET_TYPES}|{SHORT_STREET_TYPES})\b",
    re.IGNORECASE,
)
# A street named with up to two words before its type ("Rowan Close", "St Johns Road"); the words leading into it
# ("bin day on", "I live in") are dropped by street_names.
STREET_WITH_WORDS = re.compile(rf"((?:[a-z']+\s+){{1,3}})({STREET_TYPES})\b", re.IGNORECASE)
NOT_STREET_WORDS = _word_set("""
    the a an my our your this that their his her on in at of for is it's its i live lives living near by to from
    off along down up round around day bin bins collection when what whats where which street road
""")


def street_names(text: str) -> list[str]:
    """Return the street names ``text`` may give, longest first ("on St Johns Road" gives St Johns Road, Johns Road).

    For a resident who does not know their postcode: the street's postcodes are looked up instead.
    """
    names: list[str] = []
    for match in STREET_WITH_WORDS.finditer(text):
        words = match.group(1).split()
        while words and words[0].lower().strip("'") in NOT_STREET_WORDS:
            words = words[1:]
        for start in range(len(words)):
            name = " ".join([*words[start:], match.group(2)]).title().replace("'S ", "'s ")
            if name not in names:
                names.append(name)
    return names[:3]


def street_types_spelt_right(text: str) -> str:
    """Return ``text`` with a street type typed one slip away put right ("priory wlak", "rowan cloes", "church raod").

    A slip is one letter wrong, missing, extra or swapped with its neighbour; the first letter must be right, so
    "talk" is no "walk". Only for a place asked for: what it gives is looked up, and a street not found says nothing.
    """
    return re.sub(r"[A-Za-z]{4,}", lambda m: _street_type_meant(m.group(0)), text)


def _street_type_meant(word: str) -> str:
    lowered = word.lower()
    if lowered in STREET_TYPE_WORDS:
        return word
    return next((kind for kind in STREET_TYPE_WORDS if len(kind) >= 4 and one_slip(lowered, kind)), word)


STREET_TYPE_WORDS = tuple(STREET_TYPES.split("|"))


NOT_PLACES = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "i",
        "i'm",
    ]
)


def place_told(text: str) -> str | None:
    """Return where an opening report says the problem is, when it names a street or a postcode; else None."""
    for match in PLACE_TOLD.finditer(text):
        place = PLACE_ENDS.split(match.group(1), maxsplit=1)[0].strip(" ,")
        if _names_a_place(place):
            return place
    return None


def described_with_the_place(text: str) -> str | None:
    """Return an opening report as its description when, besides its place, it says what is wrong in a few words.

    "somebody has dumped a load of mattresses in the lane behind priory gardens" was asked to describe the problem
    (a probe); "a pothole on Mill Lane" says too little to send (its size and where on the road are asked).
    """
    place = place_told(text)
    if place is None:
        return None
    # The words after the place count too: "theres a massive pothole on the high street outside boots, nearly came off
    # my bike" was asked to describe it (a probe).
    outside = text.replace(place, " ") if place in text else text
    words = [w for w in re.findall(r"[a-z']+", outside.lower()) if w not in PLACE_WORDS]
    return " ".join(text.split())[:1000] if len(words) >= DESCRIBED_WORDS else None


# Words around a place ("in the lane behind") or asking for help ("please can you fix it"), not about the problem; a
# description needs this many others.
PLACE_WORDS = _word_set(
    "on in at outside near by along behind opposite down the a an lane road street alley there there's theres is "
    "please pls can could you u fix sort it out thanks thank ta asap i i'd like want to report"
)
DESCRIBED_WORDS = 5


# Where the place stops: "on Church Road, it appeared on Monday" is on Church Road (a probe's place was the whole).
PLACE_ENDS = re.compile(
    # "no wait, its on church road not mill lane" moved the report to "church road not mill lane" (a probe)
    r",?\s+(?:not|rather than|instead of)\s|"
    r",?\s+(?:and |but )?(?:it|it's|its|which|that's|there's|since|been|this|please|can|could|i|i've|we|they)\b|"
    # "outside 19 rowan close TN41 6PA is flickering all night" sent the flickering as part of the place (a probe)
    r"\s+(?:is|are|was|were|has|have|keeps?|kept)\s+(?!(?:on|in|at|by|near|outside|opposite)\b)|"
    r",\s+(?:nearly|almost|so|really|very|just|and)\b|"
    r"\s+(?:since|yesterday|today|tonight|last (?:night|week|month)|this (?:morning|afternoon|evening|week)|"
    r"for (?:a|about|over|two|three|\d)\b|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)",
    re.IGNORECASE,
)


def _names_a_place(place: str) -> bool:
    """Whether ``place`` names a street ("mill lane"), a capitalised name that is no day or month, or a postcode."""
    if _postcode(place) is not None:
        return True
    if STREET_NAMED.search(place):
        return True
    return any(word.lower() not in NOT_PLACES for word in CAPITALISED.findall(place))


def report_kind_told(text: str) -> str | None:
    """Read whether an opening message says the person died or moved out; None when it says neither, or both.

    Stricter than ``report_kind_in`` (an answer to "died or moved out?"): "sort out her council tax" is no move.
    """
    died, left = bool(DIED.search(text)), bool(LEFT.search(text))
    if died == left:
        return None
    return "died" if died else "left_address"


# What a report about someone can add for electoral services, besides the name and the address: when it happened
# ("she died last Tuesday", "on the 3rd of November") and who is reporting ("I'm her son", "my name is Tom Dunn").
MONTH_WORD = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
DAY_WORD = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
WHEN_TOLD = re.compile(
    rf"\b(?:yesterday|today|this morning|last night|over the weekend|"
    rf"(?:last|this past) (?:week|month|year|weekend|{DAY_WORD})|on {DAY_WORD}|"
    rf"(?:a|an|one|two|three|four|five|six|a few|\d+) (?:days?|weeks?|months?|years?) ago|"
    rf"(?:on |in )?(?:the )?\d{{1,2}}(?:st|nd|rd|th)?(?: of)? {MONTH_WORD}(?:,? \d{{4}})?|"
    rf"(?:on|in) {MONTH_WORD}(?: \d{{1,2}}(?:st|nd|rd|th)?)?(?:,? \d{{4}})?|"
    r"(?:on )?(?:the )?\d{1,2}(?:st|nd|rd|th) of (?:this|last) month|(?:at the )?(?:start|end|beginning) of "
    rf"(?:this month|last month|{MONTH_WORD})|"
    rf"(?:on )?\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}})\b",
    re.IGNORECASE,
)
THEIR_RELATION = rf"(?:{RELATIONS}|grandmother|grandfather|gran|nan|grandad|grandma|lodger|tenant|flatmate|housemate)"
REPORTED_RELATION = re.compile(rf"\bmy\s+(?:late\s+)?(?P<relation>{THEIR_RELATION})\b", re.IGNORECASE)
REPORTER_TOLD = re.compile(
    rf"\b(?:i'?m|i am|im)\s+(?:his|her|their|the)\s+(?P<relation>{THEIR_RELATION}|landlord|landlady|executor)\b|"
    r"\b(?:my name is|my name's|this is)\s+(?P<name>[A-Za-z][A-Za-z'-]+(?:\s+[A-Za-z][A-Za-z'-]+){1,2})",
    re.IGNORECASE,
)


# A date this many years ago or more, in a report of a death or a move, is the person's date of birth.
BIRTH_YEARS_AGO = 3


def a_birth_date(text: str) -> bool:
    """Whether ``text`` is a whole date years ago, so a date of birth, not when someone died or moved.

    "15/08/1955" typed after a dead woman's name was her birth, yet the report said she had died then (a probe).
    """
    today = dt.date.today()
    born = parse_date_of_birth(text, today=today)
    return born is not None and born.year <= today.year - BIRTH_YEARS_AGO


def report_details_told(text: str) -> dict[str, str]:
    """Return when it happened and how the reporter knows the person, as ``text`` says them; an empty dict if not."""
    found: dict[str, str] = {}
    times = [match.group(0).strip() for match in WHEN_TOLD.finditer(text)]
    if times := [time for time in times if not a_birth_date(time)]:
        found["when"] = times[-1]  # "last week / sorry, it was on the 3rd": the later one puts it right
    if theirs := REPORTED_RELATION.search(text):
        found["relationship"] = f"the reporter's {theirs.group('relation').lower()}"
    if reporter := REPORTER_TOLD.search(text):
        if reporter.group("relation"):
            found["relationship"] = f"reported by their {reporter.group('relation').lower()}"
        elif name := clean_full_name(reporter.group("name")):
            found["reporter"] = name
    return found


# A postal ballot pack wanted somewhere other than home: "can it be sent to my daughter's address", "I'm away, send
# it to 4 Mill Lane TN41 2AB", "post it to a different address". Read only for a postal vote application.
BALLOT_ELSEWHERE = re.compile(
    r"\b(?:different|another|other|second|alternative|holiday|temporary|term[- ]time|forwarding|work)\s+address\b|"
    r"\bto\s+(?:my|our)\s+[a-z]+'?s'?\s+(?:address|house|home|place|flat)\b|"
    r"\b(?:send|sent|post|posted|deliver\w*|forward\w*|go|goes|come|comes)\s+"
    r"(?:it|them|(?:my|the) (?:postal vote|postal ballot|ballot|voting|postal|papers|pack)"
    r"(?: papers?| packs?| forms?)?)?\s*"
    r"(?:to|at)\s+(?:my\s+|our\s+)?(?:[a-z]+'s\b|[a-z]+s'|(?<=my )[a-z]+s\b(?=,)|work\b|uni\b|university\b|abroad\b|"
    r"flat\b|\d+[a-z]?\s+[a-z])",
    re.IGNORECASE,
)
ADDRESS_GIVEN = re.compile(r"\b(?:to|at)\s+((?:flat\s+\w+,?\s*)?\d+[a-z]?,?\s+[^!?]{3,200})", re.IGNORECASE)
POSTCODE_TYPED = re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b", re.IGNORECASE)
REASON_GIVEN = re.compile(r"[,.;]?\s*\b(?:because|as|since|cos|coz|cause|while|whilst)\b\s+(.{3,300})", re.IGNORECASE)


def ballot_elsewhere_in(text: str) -> bool:
    """Whether ``text`` asks for postal ballot packs to go somewhere other than home."""
    return BALLOT_ELSEWHERE.search(text) is not None


def ballot_address_in(text: str, *, asked: bool = False) -> str | None:
    """Return the address (and any reason) ``text`` gives for ballot packs, as typed; None when it gives none.

    ``asked``: the text answers "Where should we send it?", so the whole answer may be the address. An address
    has a house number or a postcode, and a street or a place; "my daughter's" alone is none.
    """
    said = " ".join(text.split()).strip(" .")
    if asked:
        given = ADDRESS_GIVEN.search(said)
        candidate = given.group(1) if given else said
    else:
        # In a request ("send the ballot papers to my daughter's house, 22 Station Road, Millbrook TN43 2AA"): the
        # numbered address after the wish, if any.
        wish = BALLOT_ELSEWHERE.search(said)
        numbered = NUMBERED_IN_TEXT.search(said, wish.start()) if wish else None
        candidate = numbered.group(0) if numbered else ""
    place = REASON_GIVEN.split(candidate, maxsplit=1)[0]
    postcode = find_postcode(place)
    rest = POSTCODE_TYPED.sub(" ", place) if postcode else place
    # A street or a house name besides any postcode, and a house number or the postcode ("TN41 2AB" alone is none).
    if not candidate or not re.search(r"[a-z]{3,}", rest, re.IGNORECASE) or not (re.search(r"\d", rest) or postcode):
        return None
    return candidate[:500]


NUMBERED_IN_TEXT = re.compile(r"(?:\bflat\s+\w+,?\s*)?\b\d+[a-z]?,?\s+[a-z][^!?]{3,200}", re.IGNORECASE)


def ballot_delivery_of(answer: str) -> tuple[str, str | None]:
    """Split a ballot address answer into the address and the reason ("4 Mill Lane TN41 2AB as I'm staying there")."""
    postcode = POSTCODE_TYPED.search(answer)
    if postcode and answer[postcode.end() :].strip(" ,.;-"):
        # "22 Station Road, Millbrook TN43 2AA, I'm staying with her": the address ends with its postcode.
        parts = [
            answer[: postcode.end()],
            re.sub(r"^\W*(?:as|because|since|cos|cause)\b", "", answer[postcode.end() :]),
        ]
    else:
        parts = REASON_GIVEN.split(answer, maxsplit=1)
    address = re.sub(r"^(?:it'?s|it is|its|to|at|send it to|please)\s+", "", parts[0].strip(" ,.;"), flags=re.I)[:240]
    reason = parts[1].strip(" ,.;")[:300] if len(parts) > 1 else None
    return address, reason or None


# A person's name in an opening report: "my lodger moved out in october, Tom Baker" was asked for the name again (a
# probe). Two to four capitalised words, or the words after "called" / "named" / "name is".
CAPITALISED_NAME = re.compile(r"\b[A-Z][A-Za-z'-]*[a-z](?:\s+(?:[A-Z][A-Za-z'-]*[a-z]|de|da|di|van|von|le|la)){1,3}\b")
NAME_SAID = re.compile(r"\b(?:called|named|name is|name was|name's)\s+([a-z'-]+(?:\s+[a-z'-]+){1,2})", re.IGNORECASE)
NOT_A_REPORTED_NAME = NOT_NAME_WORDS | _word_set("council tax electoral register roll road close lane street dear")


# A name typed in lower case just before what happened: "report that janice dunn has died" (a probe was asked for the
# name it had given, then refused its postcode and address as names).
NAME_BEFORE_EVENT = re.compile(
    rf"\b(?:that|mr|mrs|ms|miss|my {THEIR_RELATION})\s+([a-z'-]+(?:\s+[a-z'-]+){1, 2}?)\s+(?:has|had|have|is|was)?\s*"
    r"(?:died|passed|dead|moved|left|gone)\b",
    re.IGNORECASE,
)


def reported_name_told(text: str) -> str | None:
    """Return the name of the person an opening report is about, if it gives one, else None."""
    # Three words after "called", then two: "called tom baker has moved out" names Tom Baker.
    candidates = [" ".join(match.group(1).split()[:count]) for match in NAME_SAID.finditer(text) for count in (3, 2)]
    candidates += [match.group(0) for match in CAPITALISED_NAME.finditer(text)]
    candidates += [match.group(1) for match in NAME_BEFORE_EVENT.finditer(text)]
    for candidate in candidates:
        words = {word.lower() for word in candidate.split()}
        if words & NOT_A_REPORTED_NAME or STREET_WITH_WORDS.search(candidate):
            continue
        if (name := clean_full_name(candidate)) is not None:
            return name
    return None


def is_address_line(text: str) -> bool:
    """Tell whether ``text`` is nothing but an address line ("it's 19 Rowan Close thanks" is)."""
    return bool(ADDRESS_LINE.match(ADDRESS_LEAD_INS.sub("", strip_pleasantries(text))))


STREET = re.compile(rf"^(?:\d+[a-z]?\s+)?[a-z][a-z' .-]*\s(?:{STREET_TYPES})$", re.IGNORECASE)


def is_typed_address(text: str) -> bool:
    """Tell whether ``text`` is nothing but an address with its postcode ("19 Rowan Close, Ashdown, TN41 6PA").

    Each part but the postcode is an address line, a street, or one word (a town).
    """
    postcode = _postcode(text)
    if postcode is None:
        return False
    rest = strip_pleasantries(ADDRESS_LEAD_INS.sub("", text.replace(postcode[1], ",")))
    parts = [p.strip(" .!") for p in re.split(r"[,\n]+", rest) if p.strip(" .!")]
    return bool(parts) and all(
        is_address_line(p) or STREET.match(p) or re.fullmatch(r"[a-z'-]+", p, re.I) for p in parts
    )


def _loose_answer(slot: str, text: str, task: str | None) -> Any:
    """Return what a short reply says for a slot that takes words rather than a code, or None."""
    if slot in NAME_SLOTS:
        return name_in(text)
    if slot in FREE_TEXT_SLOTS:
        return text.strip() or None
    if slot == "vote_duration":
        return vote_duration_in(text)
    if slot == "report_kind":
        return report_kind_in(text)
    if slot == "service_category":
        category = category_of(text)
        # "Something else" (its button, or typed) is an answer: it was given the list of what the bot can do.
        return category if category != "other" or SOMETHING_ELSE.match(strip_pleasantries(text).lower()) else None
    if slot == "address_uprn" and (re.search(r"\d", text) or is_address_line(text)):
        return strip_pleasantries(text)
    if slot == "task_confirmed":
        return yes_or_no(text)
    if slot in ("account_reference", "payment_reference") and says_unknown(text):
        return "unknown"
    if slot == "payment_reference" and asks_for_latest_payment(text):
        return LATEST
    if slot == "request_reference" and (reference := request_reference_asked(text)):
        return reference
    if slot == "payment_reference" and payment_described(text):
        # "the £174 one I paid on 2nd november" started a payment check instead (a probe): it names the payment.
        return text.strip()
    if slot == "contact_email" and task != "receipt_request" and says_no_email(text):
        return "none"
    return None


MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# A date written inside a longer message: 26/01/1978, 26-1-78, 26 Jan 1978, 26th of January '78, January 26 1978.
DATE_IN_TEXT = re.compile(
    rf"\b(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-](?:\d{{4}}|\d{{2}})"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\.?,?\s+'?(?:\d{{4}}|\d{{2}})"
    rf"|{MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:\d{{4}}|\d{{2}})"
    rf"|\d{{1,2}}\s\d{{1,2}}\s\d{{4}})\b",
    re.IGNORECASE,
)
# A numbered address line inside a longer message: "19 Rowan Close", "Flat 2, 14 Mill Lane".
NUMBERED_ADDRESS = re.compile(
    rf"\b(?:flat \w+,?\s*)?\d+[a-z]?\s+(?:(?:[a-z']+\s+){{0,3}}?(?:{STREET_TYPES})|"
    rf"(?:[a-z']+\s+){{1,3}}?(?:{SHORT_STREET_TYPES}))\b\.?",
    re.IGNORECASE,
)
# Words that only say which detail follows ("born", "dob", "my postcode is"): they separate the details.
DETAIL_WORDS = re.compile(
    r"\b(?:my name is|my name's|name is|i'm|i am|full name|name|born on|born|date of birth|d\.o\.b\.?|dob|"
    r"birthday|post code|postcode|my address is|address|i live at|account number|account|number|ref|and|is|my|"
    r"it's|its|at|on)\b",
    re.IGNORECASE,
)
# Codes read from a message giving several details, in this order (each is taken out before the next is read).
CODED_DETAILS = ("postcode", "account_reference", "payment_reference", "request_reference", "contact_email")
SEPARATOR = "|"


def details_in(text: str) -> tuple[dict[str, str], list[str]]:
    """Read every identity detail a message gives at once, and return them with the words left over.

    "Rita Richardson, born 26 Jan 1978, TN41 6PA" gives a name, a date of birth and a postcode; "19 Rowan Close,
    Ashdown, TN41 6PA" a postcode and an address line (under ``address_uprn``, to be matched at the postcode).
    The words left over are the chunks that were none of these (a town, or a question).
    """
    found, chunks = _details_but_a_name(text)
    for index, chunk in enumerate(chunks):
        name = name_in(chunk)
        if name is not None:
            found["full_name"] = name
            del chunks[index]
            break
    return found, chunks


def _details_but_a_name(text: str) -> tuple[dict[str, str], list[str]]:
    """Read the codes, the date of birth and the address line in ``text``; return them and the chunks left over."""
    found: dict[str, str] = {}
    rest = text
    for slot in CODED_DETAILS:
        read = STRUCTURED[slot](rest)
        if read is not None:
            found[slot] = read[0]
            rest = rest.replace(read[1], SEPARATOR, 1)
    for date in DATE_IN_TEXT.finditer(rest):
        if is_a_date(date.group(0)):
            found["date_of_birth"] = date.group(0)
            rest = rest.replace(date.group(0), SEPARATOR, 1)
            break
    else:
        # Said in words inside a longer message ("sorry i typed it wrong, the twenty sixth of january nineteen seventy
        # eight"): read with its numbers as figures, the words left as they are.
        said = next(
            (d.group(0) for d in DATE_IN_TEXT.finditer(numbers_in_figures(rest)) if is_a_date(d.group(0))), None
        )
        if said is not None and re.search(MONTHS, rest, re.IGNORECASE):
            found["date_of_birth"] = said
    address = NUMBERED_ADDRESS.search(rest)
    if address is not None:
        found["address_uprn"] = address.group(0)
        rest = rest.replace(address.group(0), SEPARATOR, 1)
    chunks = [c.strip(" .!?-'\"") for c in re.split(r"[|,;\n]+", DETAIL_WORDS.sub(SEPARATOR, rest))]
    chunks = [c for c in chunks if c]
    if "address_uprn" not in found:
        # A named house on a street ("Orchard House, Rowan Close"): two chunks that read as an address line.
        for index in range(len(chunks) - 2, -1, -1):
            line = f"{chunks[index]}, {chunks[index + 1]}"
            if is_address_line(line):
                found["address_uprn"] = line
                del chunks[index : index + 2]
                break
    return found, chunks


# "my name is sam taylor": a name the resident says is theirs, however it is typed (cut at the next detail).
NAMED = re.compile(r"\b(?:my name is|my name's|name is|name\s*:)\s+", re.IGNORECASE)
NAME_ENDS = re.compile(r"[,.;:!?|\n\d]|\b(?:and|born|dob|d\.o\.b|date|postcode|address|at|from|of)\b", re.IGNORECASE)
# A resident speaking of themselves: a request with a name in it ("is John Smith on the register?") may not be.
FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i am|my|me|mine)\b", re.IGNORECASE)


# The resident naming themselves: "I'm Rita Richardson", "my name is Rita Richardson", "this is Rita Richardson".
INTRODUCED = re.compile(r"\b(?:my name is|my name's|i'm|i\u2019m|im|i am|this is)\s+", re.IGNORECASE)


def introduced_after(text: str) -> str | None:
    """Return the end of ``text`` from where the resident names themselves, when nobody else is spoken of there.

    "is my husband Tom Richardson registered? I'm Rita Richardson, born 26/01/1978, 19 Rowan Close TN41 6PA": the
    details after "I'm Rita Richardson" are hers (a probe had them all dropped and asked again). What comes before
    is about the other person and is never read; "I'm asking for him, 19 Rowan Close" names nobody, and a part that
    speaks of another person ("I'm Rita and my husband Tom, born ...") may give theirs, so neither counts.
    """
    for intro in reversed(list(INTRODUCED.finditer(text))):
        name = name_in(NAME_ENDS.split(text[intro.end() :], maxsplit=1)[0])
        rest = text[intro.start() :]
        if (
            name is not None
            and not re.search(rf"\b{RELATIONS}\b", name, re.IGNORECASE)
            and not speaks_of_someone_else(rest)
        ):
            return rest
    return None


NAME_PIECE_WORDS = 4  # the most words a piece of an opening message may have to be read as a name in lower case


def own_details_in(text: str) -> dict[str, str]:
    """Read the details an opening message gives about the resident themselves, to fill the questions ahead.

    "am i on the electoral roll? im Rita Richardson, 19 Rowan Close TN41 6PA, dob 26/1/78" gives a name, an address
    line, a postcode and a date of birth. Stricter than ``details_in`` (an answer to a question): the words of the
    request are not a name ("check if I'm registered" is no "Check If"), so a name counts when the resident says it
    is theirs ("my name is ...") or types it with capitals in a message about themselves; a message about someone
    else ("my neighbour at 3 Oak Road", "her date of birth") gives nothing but what follows the resident naming
    themselves (``introduced_after``). The details are still checked as answers are, and the identity check still
    runs on them.
    """
    if speaks_of_someone_else(text):
        own = introduced_after(text)
        if own is None:
            return {}
        text = own
    found, chunks = _details_but_a_name(text)
    named = NAMED.search(text)
    name = name_in(NAME_ENDS.split(text[named.end() :], maxsplit=1)[0]) if named else None
    pieces = [piece for chunk in chunks for piece in re.split(r"[?.!,]+", chunk)]
    if name is None and FIRST_PERSON.search(text.replace("\u2019", "'")):
        typed = [name for piece in pieces if (name := name_in(piece)) is not None and name in text]
        name = typed[-1] if typed else None
    if name is None and {"date_of_birth", "postcode"} <= found.keys():
        # "postal vote. jodie kemp 18/04/1989 10 priory gardens TN43 3EH": a name typed in lower case beside a date of
        # birth and a postcode is the resident's (a probe was asked for the name again; with capitals it was read).
        typed = [name for piece in pieces if len(piece.split()) <= NAME_PIECE_WORDS and (name := name_in(piece))]
        name = typed[-1] if typed else None
    return found | ({"full_name": name} if name else {})


def interrupts(message: dict[str, Any], *, free_text: bool = False) -> bool:
    """Tell whether a message leaves the form whatever it holds: a request for a person, an emergency, a card.

    A message that is nothing but a code (an email, a postcode, a date, a reference) asks for nobody, whatever
    the classifier says: "someone@example.com" at "What email address did you give?" was read as a request for
    a person, and a stranger cancelling a report was put in the officers' queue instead of being refused.

    Where the answer is the resident's own words (``free_text``: a description, a place, a reason), only a clear
    emergency leaves the form: "a deep pothole about a foot wide, cars are swerving round it" at "Please describe
    the problem" was read as an emergency, and the report being made was dropped for 999 advice.
    """
    from bot.routing import is_a_clear_emergency, wants_a_person  # bot.routing imports the registry, which imports this

    name = (message.get("intent") or {}).get("name")
    if name not in INTERRUPTING_INTENTS:
        return False
    text = str(message.get("text") or "")
    if name == "card_payment_attempt" or wants_a_person(text):
        return True
    if name == "emergency" and free_text:
        return is_a_clear_emergency(text)
    return not any(
        (found := read(text)) is not None and not leftover_words(text, found[1]) for read in STRUCTURED.values()
    )


def answer_in(slot: str | None, message: dict[str, Any], *, task: str | None) -> tuple[Any, bool] | None:
    """Return (the value ``message`` gives for ``slot``, whether the message is nothing but that answer).

    None when the message does not answer the slot, or when the resident asks for a person or reports an
    emergency (those interrupt whatever the message holds). A clear "stop" is the task form's to read.
    """
    if not slot:
        return None
    intent = message.get("intent") or {}
    if interrupts(message, free_text=slot in FREE_TEXT_SLOTS):
        return None
    text = str(message.get("text") or "")
    if slot in STRUCTURED:
        found = STRUCTURED[slot](text)
        if found is not None:
            value, matched = found
            return value, not leftover_words(text, matched)
    if slot == "contact_email" and task != "receipt_request" and says_no_email(text):
        # "i dont do email" read as contact_details (or stop) is no email: the report goes ahead without one.
        return "none", True
    confident_question = (
        intent.get("name") in QUICK_QUESTION_INTENTS
        and float(intent.get("confidence") or 0.0) >= LOOSE_ANSWER_CONFIDENCE
    )
    # A place or a description is whatever was typed: "outside 12 high street by the bus stop" read as
    # contact_details is still where the pothole is; only a message shaped like a question is one.
    if confident_question and (slot not in FREE_TEXT_SLOTS or looks_like_question(text)):
        return None
    value = _loose_answer(slot, text, task)
    if value is None:
        return None
    # A name, a yes or no, "I don't have it" is the whole reply, and so is a short statement of how long or
    # what happened ("just the next election", "he died"); words read for a description, a place or a
    # category, or a question ("when is the next election?"), may well be a request for something else, so a
    # clear one of those still switches task.
    return value, (
        slot in NAME_SLOTS
        or slot in ("task_confirmed", "account_reference", "payment_reference", "contact_email")
        or (slot in CHOICE_SLOTS and is_short_statement(text))
        or (slot == "address_uprn" and is_address_line(text))
    )


def says_no_email(text: str) -> bool:
    """Tell whether a reply at the email question says the resident has none or won't give one.

    "i dont do email", "no email address", "I haven't got an email"; a question ("do you not have an email?") is not.
    """
    words = _words(strip_pleasantries(text))
    if "?" in text or not words or words[0] in QUESTION_WORDS:
        return False
    return yes_or_no(text) is False or says_unknown(text)


def looks_like_question(text: str) -> bool:
    """Tell whether ``text`` reads as a question: a question mark, a question word first, or two or three words.

    "phone number" or "opening hours" typed as a description is a question; a sentence giving a place is not.
    """
    words = _words(strip_pleasantries(text))
    return "?" in text or not words or words[0] in QUESTION_WORDS or (len(words) <= 3 and not re.search(r"\d", text))


def is_short_statement(text: str) -> bool:
    """Tell whether ``text`` is a few words that ask nothing: "just the next election", "long term please"."""
    words = _words(text)
    return 0 < len(words) <= SHORT_STATEMENT_WORDS and "?" not in text and words[0] not in QUESTION_WORDS
