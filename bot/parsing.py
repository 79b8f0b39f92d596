"""Read what residents type: names, dates of birth, postcodes, address choices and yes/no-like answers."""

from __future__ import annotations

import datetime as dt
import re

from dateutil import parser as date_parser

POSTCODE = re.compile(r"\b([A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKPSTUW]?)\s*([0-9][ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
NAME_WORD = re.compile(r"^[^\W\d_]+(?:['\u2019\-][^\W\d_]+)*\.?$")  # apostrophes straight or curly
NAME_LEAD_INS = re.compile(
    r"^(?:(?:it'?s|its|it is)\s+)?me\b\s*[,:\-]?\s*|"  # "me, Rita Richardson", "it's me, Rita Richardson"
    # "her name was Janice Dunn" at a report's name question was sent as "Her Name Was Janice Dunn" (a probe).
    r"^(?:(?:my|full|the|new|his|her|their)\s+)*(?:name\s+is|name\s+was|name's|names|name|i am|i'm|im|it's|its|"
    r"it is|it was|this is)\s*[:\-]?\s*",
    re.IGNORECASE,
)
DOB_LEAD_INS = re.compile(
    r"^(?:(?:(?:my\s+)?(?:date of birth|dob|d\.o\.b\.?|birthday)\s*(?:is|was|:|-)?|i was born(?: on)?|"
    r"born(?: on)?|it's|its|it is|on|"
    # "ok sorry, 26/01/1978" after a digression was unreadable twice (a probe).
    r"ok|okay|sorry|oh|ah|right|yes|yeah|yep|well|um|erm|er|hang on|oops|my mistake|my bad)[\s,.!:-]*)*(?:the\s+)?",
    re.IGNORECASE,
)
DOB_TAIL = re.compile(r"[\s,.!]+(?:thanks|thank you|thx|ta|cheers|please|pls)[\s.!]*$", re.IGNORECASE)
ADDRESS_LEAD_INS = re.compile(
    r"^(?:(?:it's|its|it is|that's|thats|my address is|i live at|i'm at|im at|we're at|"
    r"number|no\.?|no,)\s+)+",
    re.IGNORECASE,
)
OLDEST_AGE = 120


def find_postcode(text: str) -> str | None:
    """Return the first UK postcode in ``text``, normalised (upper case, one space), if there is one."""
    match = POSTCODE.search(text)
    return f"{match.group(1).upper()} {match.group(2).upper()}" if match else None


# Words that begin a question or a phrase and never a name ("how do I apply", "the electoral register"); "will",
# "can" and "do" are left out, as they begin names too (Will Smith, Can Yilmaz, Do Van Minh).
NOT_A_NAME_FIRST = frozenset(
    "how what what's whats why where when who which whose is are does did should could would shall the a an".split()  # noqa: SIM905
)
# Words no name holds: pronouns and negations ("i dont know it", "not telling you"), what people do ("Jodie Kemp doesnt
# live here", recorded as "Jodie Kemp Doesnt" moving out) and the council's business ("council tax too", recorded on
# the register as a person who had died: a probe).
NOT_IN_A_NAME = frozenset(
    """
    i i'm im you your me my we it it's its don't dont can't cant not
    doesnt doesn't isnt isn't wasnt wasn't hasnt hasn't didnt didn't has have had is was lives lived living died
    passed moved left anymore longer here there too also aswell as well
    council tax vote voting postal proxy register electoral election bin bins
    """.split()  # noqa: SIM905
)


# "my daughter Emma Johnson" at "Who would you like to vote for you?": the relation goes, the name stays.
RELATIONS = (
    r"(?:daughter|son|wife|husband|partner|mum|mother|mom|dad|father|brother|sister|friend|neighbour|neighbor|"
    r"grandson|granddaughter|carer|aunt|uncle|nephew|niece|cousin|fianc[eé]e?)"
)
RELATION_LEAD_IN = re.compile(
    rf"^(?:(?:it'?s|it is|that'?s|that would be)\s+)?(?:my|our)\s+{RELATIONS}\b[\s,:-]*"
    r"(?:(?:is\s+)?(?:called|named)\s+|is\s+)?",
    re.IGNORECASE,
)
# Words that make a message about another person: "my neighbour at 3 Oak Road", "her date of birth", "for my mum".
SOMEONE_ELSE = re.compile(
    rf"\b(?:(?:my|our|a|the|your)\s+{RELATIONS}s?\b|{RELATIONS}'?s\b|next door|someone|somebody|another person|"
    r"on behalf of|he|she|he's|she's|his|her|hers|him)\b",
    re.IGNORECASE,
)


# An application made for another person: "a postal vote for my mum Janice Dunn", "on behalf of my dad", "cancel
# her proxy". Not "my daughter to vote for me" (the resident's own proxy) nor "for me and my husband" (their own too).
FOR_SOMEONE_ELSE = re.compile(
    rf"\b(?:for|apply for|applying for)\s+(?:my|our)\s+{RELATIONS}s?\b|\bon behalf of\b|"
    rf"\b(?:my|our)\s+{RELATIONS}'?s\s+(?:postal|proxy|vote)|\b(?:his|her|their)\s+(?:postal|proxy)\b|"
    r"\bfor (?:him|her|them|someone else|somebody else|another person)\b",
    re.IGNORECASE,
)
FOR_THEMSELVES_TOO = re.compile(r"\bfor (?:me|myself|us) (?:and|&)\b|\bme (?:and|&) my\b", re.IGNORECASE)


# A question about another household's council tax: "what does my neighbour owe?", "when did next door last pay
# council tax". Not the resident's own ("my council tax"), nor a death (handled as a bereavement first).
OTHERS = (
    r"(?:neighbou?rs?|next door|someone else|somebody else|another person|other people|flatmates?|housemates?|"
    r"landlord|tenants?|the people at|the person at|the family at)"
)
ABOUT_OTHERS_COUNCIL_TAX = re.compile(
    rf"\b{OTHERS}(?:'s)?\b.{{0,60}}?\b(?:council tax|account|bill|balance|owes?|arrears|paid|pay(?:s|ing)?|"
    r"debt|band)\b|\b(?:council tax|account|bill|balance|arrears|band)\b.{0,40}?\b(?:of|for) (?:my |the )?"
    rf"{OTHERS}",
    re.IGNORECASE,
)


# A relative's own account, named as theirs ("my mum's council tax", "check her council tax", "the bill for my dad"):
# "my son paid my council tax" is the resident's own, so a relative counts only as the account's owner. A spouse or
# partner often shares the bill, so they are not in this list.
RELATIVES = (
    r"(?:mum|mom|mam|mother|dad|father|parents?|nan|nana|gran|granny|grandad|grandma|grandpa|grandmother|grandfather|"
    r"aunt|auntie|uncle|daughter|son|brother|sister|friend|cousin|niece|nephew|in-laws?|mother-in-law|father-in-law)"
)
RELATIVES_COUNCIL_TAX = re.compile(
    rf"\b{RELATIVES}'?s (?:council tax|ct|account|bill|balance|arrears)\b"
    r"|\b(?:her|his|their) (?:council tax|ct account|bill|balance|arrears|(?:last |latest |recent )?payments?)\b"
    rf"|\b(?:council tax|account|bill|balance|arrears) (?:of|for) (?:my|our) {RELATIVES}\b"
    # "when did she last pay", "has he paid", "CT24821414 too its my mums" (a probe was shown its own payment).
    r"|\b(?:when did|did|has|have) (?:she|he|they) (?:last |ever )?pa(?:y|id)\b"
    rf"|\b(?:it'?s|its|it is|that'?s|thats|that one'?s|belongs to) (?:my|our) {RELATIVES}(?:'?s)?"
    r"\s*(?:one|account)?\W*$",
    re.IGNORECASE,
)


def asks_about_others_council_tax(text: str) -> bool:
    """Tell whether ``text`` asks about another household's council tax (see ABOUT_OTHERS_COUNCIL_TAX)."""
    plain = text.replace("\u2019", "'")
    if TELLS_OF_A_DEATH.search(plain):
        # "my dad died on sunday. what do i do about his council tax" got the privacy refusal, coldly (a probe): what
        # happens to council tax after a death is for the articles, and asks nothing about an account.
        return False
    return bool(ABOUT_OTHERS_COUNCIL_TAX.search(plain) or RELATIVES_COUNCIL_TAX.search(plain))


# A death as residents misspell it ("my mum dyed last month", "my mum past away"), read wherever a death is.
DEATH_MISSPELT = r"dyed|decea?sed|decesed|desea?sed|(?:pased|passd|past) away"
TELLS_OF_A_DEATH = re.compile(
    rf"\b(?:died|has died|passed away|passed on|passed|deceased|death|funeral|bereave\w*|{DEATH_MISSPELT}|"
    r"late (?:mum|dad|mother|father|husband|wife|partner|son|daughter|nan|gran|grandad))\b",
    re.IGNORECASE,
)


def applies_for_someone_else(text: str) -> bool:
    """Tell whether ``text`` asks for an application for another person only (not for the resident as well)."""
    plain = text.replace("\u2019", "'")
    return bool(FOR_SOMEONE_ELSE.search(plain)) and not FOR_THEMSELVES_TOO.search(plain)


def speaks_of_someone_else(text: str) -> bool:
    """Tell whether ``text`` speaks of another person, so the details in it may not be the resident's own."""
    return bool(SOMEONE_ELSE.search(text.replace("\u2019", "'")))


# A correction said before a name: "no wait it's Rita Smyth Hughes" at the new-name question stopped the task (a
# probe), as if "no" had been the answer.
NAME_CORRECTION_LEAD_IN = re.compile(
    r"^(?:(?:(?:with(?:out)? (?:a |the )?|no )?hyphens?|no|nope|sorry|oops|wait|hang on|actually|correction|i mean|"
    r"i meant|my mistake)\b[\s,.!:-]*)+",
    re.IGNORECASE,
)
# How a surname is joined, said after the name: "Rita Smyth Hughes no hyphen", "rita smyth hughes with a hyphen".
HYPHEN_SAID = re.compile(
    r"[\s,.(]+(?:(no|without(?:\s+(?:a|the|any))?)|with(?:\s+(?:a|the))?)\s+hyphens?\W*$", re.IGNORECASE
)
# What follows a name in the same breath: "rita jane smyth-hughes, i double barrelled it" was refused as a name,
# and "Jodie Walsh since the wedding" taken as a five-word name (a probe). A name ends at a comma or a dash, or
# before a word that begins a clause.
NAME_THEN_MORE = re.compile(
    r"\s*(?:[,;(]|\s-\s|\s(?=(?:since|after|because|cos|as|from|following|when|now|before|but|and i|i)\b))",
    re.IGNORECASE,
)


def clean_full_name(text: str) -> str | None:
    """Return a plausible full name (at least two words of letters) from ``text``, or None.

    A question or a phrase is not a name, though its words are letters: taken as one, it was sent to be
    checked and used up one of the resident's tries. A name followed by more ("Rita Smyth-Hughes, I double
    barrelled it") is the name, when the words before the comma or clause are one.
    """
    candidate = NAME_CORRECTION_LEAD_IN.sub("", text.strip())
    candidate = RELATION_LEAD_IN.sub("", NAME_LEAD_INS.sub("", candidate).strip(" .,!")).strip(" .,!")
    hyphen = HYPHEN_SAID.search(candidate)
    if hyphen:
        candidate = candidate[: hyphen.start()]
    words = candidate.split()
    ends = NAME_THEN_MORE.search(candidate)
    if ends and len(before := candidate[: ends.start()].split()) >= 2:
        words = before
    if not 2 <= len(words) <= 6 or not all(NAME_WORD.match(word) for word in words):
        return None
    lowered = [word.lower().replace("\u2019", "'") for word in words]
    if lowered[0] in NOT_A_NAME_FIRST or NOT_IN_A_NAME.intersection(lowered):
        return None
    if hyphen and not hyphen.group(1) and len(words) >= 3 and "-" not in words[-1]:
        words[-2:] = [f"{words[-2]}-{words[-1]}"]
    elif hyphen and hyphen.group(1):
        words = [part for word in words for part in word.split("-")]
    return " ".join(_capitalised(word) if word.islower() else word for word in words)


def _capitalised(word: str) -> str:
    """Capitalise each part of a lower-case name word: "smyth-hughes" -> "Smyth-Hughes", "o'brien" -> "O'Brien"."""
    return re.sub(r"(^|[-'\u2019])([^\W\d_])", lambda m: m.group(1) + m.group(2).upper(), word)


# A date in figures: day, month and year in the UK ("26/01/1978"), month first in the US ("01/26/1978").
NUMERIC_DATE = re.compile(r"^(\d{1,2})[/\-. ](\d{1,2})[/\-. ](\d{4}|\d{2})$")


# Dates of birth said in words ("the seventeenth of august nineteen eighty four", "twenty sixth of january 1978")
# were "couldn't read that" (a probe): the numbers are written as figures before the date is read.
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ORDINAL_UNITS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
}  # fmt: skip
_ORDINAL_TEENS = {
    "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15,
    "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_UNIT = "|".join(_UNITS)
_ORD_UNIT = "|".join(_ORDINAL_UNITS)
_YEAR_WORDS = re.compile(
    rf"\b(nineteen|twenty)[\s-]+(?:(oh)[\s-]+({_UNIT})|({'|'.join(_TENS)})(?:[\s-]+({_UNIT}))?|({'|'.join(_TEENS)}))\b"
    rf"|\btwo thousand(?:[\s-]+and)?(?:[\s-]+(?:({'|'.join(_TEENS)})|({'|'.join(_TENS)})?(?:[\s-]*({_UNIT}))?))?\b",
    re.IGNORECASE,
)
_DAY_WORDS = re.compile(
    rf"\b(?:(twenty|thirty)[\s-]+({_ORD_UNIT}|{_UNIT})|({'|'.join(_ORDINAL_TEENS)})|({_ORD_UNIT}))\b", re.IGNORECASE
)


def _year_in_figures(match: re.Match[str]) -> str:
    century, oh, oh_unit, tens, unit, teen, k_teen, k_tens, k_unit = (g.lower() if g else g for g in match.groups())
    if century:
        base = 1900 if century == "nineteen" else 2000
        if oh:
            return str(base + _UNITS[oh_unit])
        if teen:
            return str(base + _TEENS[teen])
        return str(base + _TENS[tens] + (_UNITS[unit] if unit else 0))
    return str(2000 + (_TEENS[k_teen] if k_teen else (_TENS.get(k_tens or "", 0) + _UNITS.get(k_unit or "", 0))))


def _day_in_figures(match: re.Match[str]) -> str:
    tens, unit, teen, single = (g.lower() if g else g for g in match.groups())
    if tens:
        return str(_TENS[tens] + (_ORDINAL_UNITS.get(unit) or _UNITS[unit]))
    return str(_ORDINAL_TEENS[teen] if teen else _ORDINAL_UNITS[single])


def numbers_in_figures(text: str) -> str:
    """Write a date's numbers said in words as figures ("seventeenth of august nineteen eighty four": 17 ... 1984)."""
    return _DAY_WORDS.sub(_day_in_figures, _YEAR_WORDS.sub(_year_in_figures, text))


def _date_candidate(text: str) -> str:
    # "26 Jan '78": the apostrophe that stands for "19" is not part of the number.
    typed = DOB_TAIL.sub("", numbers_in_figures(text.strip()))
    candidate = re.sub(r"'(?=\d{2}\b)", "", DOB_LEAD_INS.sub("", typed).strip(" .,!"))
    # "the 3rd of March, 1939": the comma before the year is no part of the date.
    return re.sub(r",\s*(?=\d{2,4}$)", " ", candidate)


def _month_first(candidate: str) -> re.Match[str] | None:
    """Match a date in figures that cannot be day first (its second number is no month) but can be month first."""
    figures = NUMERIC_DATE.match(candidate)
    if figures and int(figures.group(1)) <= 12 < int(figures.group(2)):
        return figures
    return None


def month_first_date(text: str, *, today: dt.date) -> dt.date | None:
    """Return the date ``text`` reads month first ("01/26/1978": 26 January 1978) when it cannot be day first.

    None otherwise. Not taken as the date of birth: a council should not guess. The resident is asked whether
    they meant it.
    """
    figures = _month_first(_date_candidate(text))
    if figures is None:
        return None
    return parse_date_of_birth(f"{figures.group(2)}/{figures.group(1)}/{figures.group(3)}", today=today)


def parse_date_of_birth(text: str, *, today: dt.date) -> dt.date | None:
    """Return the date of birth in ``text`` (day first, as written in the UK), or None if it is not one.

    A date in figures that only reads month first ("01/26/1978") is not one: dateutil would swap it silently.
    """
    candidate = _date_candidate(text)
    if not re.search(r"\d", candidate) or _month_first(candidate):
        return None
    try:
        parsed: dt.date = date_parser.parse(
            candidate, dayfirst=True, fuzzy=False, default=dt.datetime(1900, 1, 1)
        ).date()
    except (ValueError, OverflowError):
        return None
    # A date with no year in it parses to 1900: refuse it rather than guess. A two-digit year counts after
    # a numeric month ("26/1/78") or a month's name ("26th jan 78"), the forms residents type.
    if not re.search(r"\d{4}|\d{1,2}[/\-. ]\d{1,2}[/\-. ]\d{2}\b|[a-z]{3,}\.?,?\s+\d{2}$", candidate, re.IGNORECASE):
        return None
    # A two-digit year is read within 50 years of now, so "5/3/50" came out as 2050: a birth is in the past.
    if parsed > today and not re.search(r"\d{4}", candidate):
        parsed = parsed.replace(year=parsed.year - 100)
    if parsed > today or parsed.year < today.year - OLDEST_AGE:
        return None
    return parsed


def choose_address(text: str, addresses: list[tuple[int, str]]) -> int | None:
    """Return the UPRN of the one address ``text`` picks out (a button's UPRN, house number or words), or None."""
    answer = ADDRESS_LEAD_INS.sub("", text.strip().lower()).strip(" .!,")
    answer = re.sub(r"[\s,.!]+(?:please|pls|thanks|thank you|ta|cheers)$", "", answer).strip(" .!,")
    if answer.isdigit() and any(str(uprn) == answer for uprn, _ in addresses):
        return int(answer)
    matches = [uprn for uprn, address in addresses if _address_matches(answer, address.lower())]
    return matches[0] if len(matches) == 1 else None


# Street types as residents shorten them ("19 rowan cl"): read as the words the council's addresses use.
STREET_ABBREVIATIONS = {
    "cl": "close",
    "rd": "road",
    "st": "street",
    "ave": "avenue",
    "av": "avenue",
    "dr": "drive",
    "ln": "lane",
    "gdns": "gardens",
    "gdn": "gardens",
    "cres": "crescent",
    "pl": "place",
    "sq": "square",
    "tce": "terrace",
    "terr": "terrace",
    "ct": "court",
    "gr": "grove",
    "gro": "grove",
    "pk": "park",
    "wk": "walk",
}
ABBREVIATED = re.compile(rf"\b({'|'.join(STREET_ABBREVIATIONS)})\b\.?")


def _spelt_out(text: str) -> str:
    return ABBREVIATED.sub(lambda match: STREET_ABBREVIATIONS[match.group(1)], text)


def _address_matches(answer: str, address: str) -> bool:
    # Both sides spelt out alike: the council's own addresses abbreviate too ("17 St Mary's Lane", a saint).
    answer, address = _spelt_out(answer), _spelt_out(address)
    first_line = address.split(",")[0]
    if answer in (first_line, address) or address.startswith(answer + ","):
        return True
    number = re.match(r"^(\d+[a-z]?)\b", answer)
    if number and re.match(rf"^{re.escape(number.group(1))}\b", first_line):
        words = set(re.findall(r"[a-z]+", answer))
        return words <= set(re.findall(r"[a-z]+", address))
    return False


ACCOUNT_REFERENCE = re.compile(r"\bCT[\s-]?(\d{4})\s?(\d{4})\b", re.IGNORECASE)
PAYMENT_REFERENCE = re.compile(r"\bPAY[\s-]?(\d{4})\s?(\d{4})\b", re.IGNORECASE)
REQUEST_REFERENCE = re.compile(r"\bSR[\s-]?(\d{6})\b", re.IGNORECASE)
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
DONT_KNOW = re.compile(
    r"\b(don'?t|do not|dont|no|not|haven'?t|have not|can'?t|cannot|lost|unknown|no idea|"
    r"not sure|skip|none|dunno|idk|no clue|misplaced|where(?:'s| is) my)\b",
    re.IGNORECASE,
)


def find_account_reference(text: str) -> str | None:
    """Return a council tax account reference (CT and 8 digits) in ``text``, normalised, if there is one."""
    match = ACCOUNT_REFERENCE.search(text)
    return f"CT{match.group(1)}{match.group(2)}" if match else None


def find_payment_reference(text: str) -> str | None:
    """Return a payment reference (PAY-8 digits) in ``text``, normalised, if there is one."""
    match = PAYMENT_REFERENCE.search(text)
    return f"PAY-{match.group(1)}{match.group(2)}" if match else None


# Words meaning the most recent payment on the account rather than one whose reference the resident has:
# "when was my last payment", "receipt for my latest payment", "the most recent one".
LATEST_PAYMENT = re.compile(
    r"\b(?:last|latest|most recent|newest|previous|recent)\s+(?:council tax\s+)?(?:pa?y\w*|pmt|instal+ment|one)s?\b"
    r"|\bwhen (?:did|do) (?:i|we) (?:last )?(?:pay|paid)\b|\bpaid last\b|\bpayment history\b"
    r"|\b(?:list|show|see|check)(?: me)? (?:all )?(?:of )?(?:my|our) payments\b"
    r"|\bwhat (?:payments (?:have|did) (?:i|we)|(?:have|did) (?:i|we) (?:paid|pay))\b"
    r"|^\s*(?:the\s+)?(?:last|latest|most recent|newest)\s*(?:please|pls|thanks)?\W*$",
    re.IGNORECASE,
)


def asks_for_latest_payment(text: str) -> bool:
    """Say whether ``text`` means the account's latest payment(s) rather than a payment it names."""
    return bool(LATEST_PAYMENT.search(text)) and find_payment_reference(text) is None


# A payment told by its amount or its day: "the £174 one I paid on 2nd november", "174 pounds on the 2/11".
PAID_AMOUNT = re.compile(r"£\s?(\d{1,5}(?:\.\d{2})?)\b|\b(\d{1,5}(?:\.\d{2})?)\s?(?:pounds?|quid|gbp)\b", re.I)
PAID_DAY = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+(\d{1,2})(?:st|nd|rd|th)?\b"
    r"|\b(\d{1,2})/(\d{1,2})(?:/\d{2,4})?\b",
    re.I,
)
# A month alone: "the november one", "the one from october" (the day is then any: 0).
PAID_MONTH = re.compile(
    r"\b(?:in|the|from|of|on|last|this|that)\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I
)
MONTH_NUMBERS = {m: n for n, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}  # noqa: SIM905


def payment_described(text: str) -> tuple[str | None, tuple[int, int] | None] | None:
    """Return the amount ("174.00") and the (day, month) a message tells a payment by, or None if it tells neither.

    The day is 0 when only the month is told ("the november one").
    """
    amount_match = PAID_AMOUNT.search(text)
    amount = f"{float(amount_match.group(1) or amount_match.group(2)):.2f}" if amount_match else None
    day: tuple[int, int] | None = None
    if (found := PAID_DAY.search(text)) is not None:
        g = found.groups()
        if g[0]:
            day = (int(g[0]), MONTH_NUMBERS[g[1][:3].lower()])
        elif g[2]:
            day = (int(g[3]), MONTH_NUMBERS[g[2][:3].lower()])
        else:
            day = (int(g[4]), int(g[5]))
    elif (month := PAID_MONTH.search(text)) is not None:
        day = (0, MONTH_NUMBERS[month.group(1).lower()])
    if amount is None and day is None:
        return None
    return amount, day


def find_request_reference(text: str) -> str | None:
    """Return a service request reference (SR-6 digits) in ``text``, normalised, if there is one."""
    match = REQUEST_REFERENCE.search(text)
    return f"SR-{match.group(1)}" if match else None


# At the reference question, the six figures alone: "I think the number is 245007" was refused (a probe).
SIX_FIGURES = re.compile(r"(?<![\d/.-])(\d{6})(?![\d/.-])")


def request_reference_asked(text: str) -> str | None:
    """Return the request reference an answer to "What is the reference?" gives, with or without its "SR-"."""
    if (found := find_request_reference(text)) is not None:
        return found
    numbers = SIX_FIGURES.findall(text)
    return f"SR-{numbers[0]}" if len(numbers) == 1 else None


def find_email(text: str) -> str | None:
    """Return the email address in ``text``, if there is one."""
    match = EMAIL.search(text)
    return match.group(0) if match else None


def says_unknown(text: str) -> bool:
    """Say whether ``text`` means the resident doesn't have or won't give the thing asked for."""
    return bool(DONT_KNOW.search(text)) and not any(ch.isdigit() for ch in text)


# Which election deadline a question is about (the deadline_kind values of data/nlu/electoral.yml), read from the
# words residents use, misspelt ones too. Read by the bot itself: the learnt extractor found these half as often.
_EMERGENCY = r"(?:emergency|emergancy|emergeny|emergancey|emergencey|emergenc|urgent|last[- ]minute)"
_PROXY = r"(?:prox(?:y|ie|ys|ies|e|i)|proxi(?:es)?)"
DEADLINE_KINDS = (
    ("emergency_proxy", re.compile(rf"\b{_EMERGENCY}\s+{_PROXY}\b", re.IGNORECASE)),
    ("proxy", re.compile(rf"\b{_PROXY}\b|\bsome(?:one|body) (?:to|who can|who could) vote for me\b", re.IGNORECASE)),
    (
        "postal",
        re.compile(r"\bpost(?:al|el|le|ol|all)\b|\bvot(?:e|ing) by (?:post|mail)\b|\bpostal[- ]?vot", re.IGNORECASE),
    ),
    (
        "voter_authority_certificate",
        re.compile(
            r"\bvoter'?s? (?:authou?rity |auth |athority |authorty )?"
            r"(?:certificate|certifcate|certficate|cert|card|id|i\.d\.?)"
            r"|\bvac\b|\bphoto (?:id|i\.d\.?)\b|\b(?:voting|vote|election) (?:id|i\.d\.?)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "registration",
        re.compile(
            r"\b(?:re[gj][ie]?[sd]?t[ae]?[rd](?:ed|ing|s)?|re[gj]ist[ae]r(?:ed|ing|s)?|regi?sta?r|rejister|regester(?:ing)?"
            r"|regist(?:ration|ering)|registartion|enrol+(?:ing|ment)?|electoral roll"
            r"|sign(?:ing)? up to vote|get(?:ting)? on the (?:electoral )?(?:register|roll))\b",
            re.IGNORECASE,
        ),
    ),
)


# Who a registration question is for, read from the resident's words: it picks the article (knowledge/register-*.md
# `when: {voter_category: ...}`). Read here rather than by the trained entity extractor, which missed "moved abroad",
# "in the army" and "domestic abuse victim" once it was a CRF (reports/nlu/training-time.md). First match wins:
# someone at risk abroad needs the anonymous route first; forces posted abroad register as service voters.
VOTER_CATEGORIES = (
    (
        "anonymous",
        re.compile(
            r"\banon[iy]m[oi]?[ua]?s(?:ly)?\b|\brefuge\b|\bdomestic (?:abuse|violence)\b|\babus(?:ive|ed|er)\b|"
            r"\bat risk\b|"
            r"\b(?:my|our) (?:own )?safety\b|\bunsafe\b|\bstalk(?:er|ed|ing)?\b|\bfleeing\b|\bviolent\b|"
            r"\bkeep (?:my|our) (?:name|address|details) (?:off|out|hidden|secret|private)\b|"
            r"\b(?:hide|hidden|hiding) (?:my|our) (?:name|address)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "service",
        re.compile(
            r"\b(?:army|navy|raf|royal air force|royal marines?|armed forces|the forces|forces family|military|"
            r"soldier|sailor|serving (?:in|abroad|overseas)|crown servant|british council|service voter)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "overseas",
        re.compile(
            r"\babroad\b|\boverseas\b|\bexpat(?:riate)?s?\b|\boutside (?:the )?(?:uk|u\.k\.|united kingdom|britain|"
            r"england|country)\b|\bemigrated\b|\bliv(?:e|ing) in (?:spain|france|portugal|australia|canada|"
            r"america|the us|the usa|germany|italy|ireland|new zealand|dubai|another country)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "student",
        re.compile(
            r"\bstudents?\b|\buni(?:versity)?\b|\bhalls\b|\bterm(?:[- ]?time)? address\b|\bterm[- ]?time\b|"
            r"\bcollege\b|\bcampus\b|\bfreshers?\b",
            re.IGNORECASE,
        ),
    ),
)


def voter_category_in(text: str) -> str | None:
    """Return who a registration question is for (anonymous, service, overseas, student), or None."""
    plain = text.replace("\u2019", "'")
    return next((category for category, words in VOTER_CATEGORIES if words.search(plain)), None)


# A short follow-up to a deadline answer that names another kind: "and proxy?", "what about postal votes", "same
# for a proxy". Asking to apply ("and I want a proxy") is a request, not a follow-up.
FOLLOW_UP_START = re.compile(
    r"^\s*(?:and|&|also|what about|how about|wbu|same for|and for|and what about|what's it for|whats it for|for)\b",
    re.IGNORECASE,
)
APPLYING = re.compile(r"\b(?:apply|want|need|get|give|sign|set up|register me|would like|i'?d like)\b", re.IGNORECASE)


# A bin named in a short follow-up to the bin days ("what about recycling?", "and the brown bin?").
# The words that name one kind of bin, by what it takes or its colour ("is the recycling the same day?").
BIN_KINDS = "recycling|garden|food|green|blue|brown|black|general|caddy"
BIN_NAMED = re.compile(rf"\b(?:{BIN_KINDS}|rubbish|waste|bins?)\b", re.IGNORECASE)


def follow_up_of(task: str | None, text: str) -> str | None:
    """Return the task a short follow-up of ``task`` asks again, else None.

    "and proxy?" after a deadline asks the deadline again; "what about recycling?" after the bin days, the bin days.
    """
    if task == "election_deadlines" and deadline_follow_up(text):
        return task
    bins = task == "ask_bin_day" and FOLLOW_UP_START.search(text) and len(text.split()) <= 8
    if bins and BIN_NAMED.search(text) and not APPLYING.search(text):
        return task
    return None


def deadline_follow_up(text: str) -> bool:
    """Say whether ``text`` asks the same deadline question for another kind of vote or registration."""
    # "proxy?" alone, just after a deadline, asks the same (a probe's started a proxy application).
    bare = "?" in text and len(text.split()) <= BARE_FOLLOW_UP_WORDS
    return (
        (bool(FOLLOW_UP_START.search(text)) or bare)
        and len(text.split()) <= 8
        and bool(deadline_kinds_in(text))
        and not APPLYING.search(text)
    )


BARE_FOLLOW_UP_WORDS = 3  # "proxy?", "postal vote?", "a proxy one?"


def deadline_kinds_in(text: str) -> list[str]:
    """Return the deadline kinds a message names, in the order it names them ("postal and proxy votes": both)."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in DEADLINE_KINDS:
        for match in pattern.finditer(text):
            # "emergency proxy" is read first: its "proxy" is not a second, ordinary proxy.
            if any(start <= match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            found.append((match.start(), kind))
    kinds: list[str] = []
    # "register for a postal vote" asks about the postal vote: registering is named first only when alone.
    for _, kind in sorted(found, key=lambda place: (place[1] == "registration", place[0])):
        if kind not in kinds:
            kinds.append(kind)
    return kinds
