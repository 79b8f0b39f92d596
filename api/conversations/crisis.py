"""Words that say someone may be at risk of harm, and what the hub answers them with, in any state of the chat.

"im going to kill myself" got "No problem. What else can I help you with?" from the bot, and the same words sent
while waiting for an officer got only the queue's reply (a probe); "I've taken some tablets", sent next, was told it
did not look like an account number. "my partner hits me", "my neighbour is hitting his kids" and "my elderly
neighbour hasn't been seen for days" got a party-wall article, bin help and a generic list. The hub reads every
message before the bot does, so these answers cannot depend on the intent classifier: the right numbers first, then
an urgent request for an officer (a safeguarding concern), in or out of hours. A message about someone else ("my son
says he wants to end it all") gets the same numbers, which are for them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from council import council_facts

_ME = r"(?:my ?sel[fv]e?|mysef|meself|my own life|my life)"
_PILLS = r"(?:tablets|pills|paracetamol|painkillers|medication|meds|sleeping pills|antidepressants)"
SELF_HARM = re.compile(
    rf"\b(?:kill(?:ing)?|killin|end(?:ing)?|hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?|top(?:ping)?|hang(?:ing)?) {_ME}"
    r"|\bsu[i1]c[i1]d\w*|\bsuicde\w*|\bsucid\w*"
    r"|\bself[- ]?harm\w*"
    r"|\btake (?:my|me) (?:own )?life\b"
    r"|\bend (?:it all|everything|things)\b"
    r"|\b(?:don'?t|do not|dont|no longer) (?:want|wanna|wish) (?:to )?(?:live|be alive|be here any ?more|exist|wake up"
    r"|go on)\b"
    r"|\b(?:want|wanna|going) to die\b|\bwish i (?:was|were) dead\b|\bbetter off dead\b"
    r"|\bno (?:reason|point) (?:to|in) (?:live|living|going on|carrying on)\b"
    # "honestly some days i dont see the point in anything anymore" got article buttons (a probe).
    r"|\b(?:don'?t|do not|dont|can'?t|cannot|cant) see (?:the|any) point (?:in|of) (?:anything|living|life|going on|"
    r"carrying on|it all|being here|me)\b|\bno point (?:in )?(?:anything|living|life|going on|me being here)\b"
    r"|\b(?:everyone|everybody|they|my family) (?:would|'?d) be better off without me\b"
    r"|\bcan'?t (?:go on|carry on|cope) (?:any ?more|like this|living)\b"
    r"|\boverdos(?:e|ed|ing)\b"
    # "I've taken some tablets", "i have pills here", "swallowed a load of paracetamol"
    rf"|\b(?:taken|took|swallowed|had) (?:some|a lot of|lots of|loads of|all (?:my|the|of my)|too many|a load of|"
    rf"a bottle of|a packet of|a box of|\d+) {_PILLS}\b"
    rf"|\b(?:i'?ve|i have|i got|got) (?:some |my |the )?{_PILLS} (?:here|ready|with me|in front of me)\b"
    r"|\bjump (?:off|in front of)\b",
    re.IGNORECASE,
)
DOMESTIC_ABUSE = re.compile(
    r"\b(?:my|our) (?:partner|husband|wife|boyfriend|girlfriend|ex|fianc[eé]e?|dad|father|mum|mother|son|daughter)"
    r"(?:'s| is| has| keeps?| always)?(?: \w+){0,2} (?:hit(?:s|ting)?|beat(?:s|ing)?|punch(?:es|ed|ing)?|"
    r"kick(?:s|ed|ing)?|strangl\w*|chok\w*|threaten\w*|hurt(?:s|ing)?|abus\w*|attack\w*) (?:me|us)\b"
    r"|\bdomestic (?:abuse|violence)\b|\bscared (?:to go|of going) home\b|\bafraid (?:to go|of going) home\b"
    r"|\b(?:he|she|they) (?:hits|beats|punches|kicks|chokes|strangles) me\b",
    re.IGNORECASE,
)
CHILD_AT_RISK = re.compile(
    r"\b(?:hit(?:s|ting)?|beat(?:s|ing)?|hurt(?:s|ing)?|abus\w*|neglect\w*|starv\w*|lock(?:s|ing|ed)?(?: up)?|"
    r"scream(?:s|ing)? at|smack\w*)\b[^.?!]{0,25}\b(?:kids?|child(?:ren)?|baby|babies|toddler|little (?:boy|girl))\b"
    r"|\b(?:kids?|child(?:ren)?|baby|toddler|(?:little|young) (?:boy|girl|lad|one)|(?:boy|girl) next door)\b"
    r"[^.?!]{0,25}\b(?:being (?:hit|beaten|hurt|abused|neglected)|"
    r"left (?:alone|on (?:their|his|her) own)|home alone|not (?:fed|safe))\b"
    r"|\bchild (?:abuse|neglect|protection)\b",
    re.IGNORECASE,
)
ADULT_AT_RISK = re.compile(
    r"\b(?:hasn'?t|has not|haven'?t|have not|not) (?:been )?seen (?:her|him|them)?\s*(?:for|in) "
    r"(?:days|a week|weeks|ages)"
    r"|\b(?:her|his|their) (?:milk|post|mail|papers?|letters) (?:is |are )?(?:piling|piled|building) up\b"
    r"|\b(?:elderly|old|vulnerable|disabled)\b[^.?!]{0,40}\b(?:not (?:answering|been seen|seen)|fallen|fell|"
    r"can'?t get up|being (?:hit|abused|hurt|neglected|exploited)|no food|no heating|on the floor)\b",
    re.IGNORECASE,
)


# How every officers' summary of a concern begins, and what a resident waiting with one is reminded of each time.
SAFEGUARDING = "Safeguarding:"
DANGER_NOW = "If you or anyone else is in danger now, please call 999."
# Said when a resident in crisis says they do not want to talk to anyone.
DECLINED = (
    "That's OK, you don't have to talk to anyone. An officer will still read this chat to check you're safe, and you "
    "don't have to reply to them. If you're in danger now, please call 999. Samaritans are there day or night, free "
    "on 116 123, if you want to talk later."
)


@dataclass(frozen=True)
class Concern:
    """A kind of risk of harm: its words, what the resident is told, and what the officers see in the queue."""

    pattern: re.Pattern[str]
    text: str
    summary: str
    # What the officers' queue shows under "About".
    about: str = "Safeguarding"


@cache  # read on every resident message: built once, from facts that do not change while the hub runs
def concerns() -> tuple[Concern, ...]:
    """Return the kinds of concern, most urgent first (the numbers come from council/facts.yml)."""
    facts = council_facts()
    return (
        Concern(
            SELF_HARM,
            "I'm really sorry you're feeling like this. You don't have to deal with it on your own.\n"
            "- If you've taken something, might act on these thoughts now, or you're hurt, call 999 or go to A&E "
            "now.\n"
            "- Samaritans will listen, day or night, free on 116 123, or email jo@samaritans.org.\n"
            "- If you'd rather text, text SHOUT to 85258 (free, any time).\n"
            "- If it's about someone else, the same numbers are there for them and for you.\n"
            "If money worries such as council tax are part of it, we can help with those too, whenever you're ready.",
            "Safeguarding: the resident wrote about harming themselves or ending their life. Support numbers were "
            "given.",
            "Safeguarding: self-harm or suicide",
        ),
        Concern(
            DOMESTIC_ABUSE,
            "I'm so sorry. What's happening to you is not your fault, and help is there.\n"
            "- If you're in danger now, call 999. If you can't speak, call 999, then press 55 when asked, and the "
            "police will know it's an emergency.\n"
            "- The National Domestic Abuse Helpline is free, confidential and open day and night: 0808 2000 247.\n"
            f"- If you need somewhere safe to stay tonight, our out-of-hours line is {facts.emergency_phone}; in "
            f"the day call {facts.phone}.\n"
            "If it isn't safe for someone to see this chat, you can close it at any time.",
            "Safeguarding: the resident wrote about domestic abuse. Helpline and 999 were given.",
            "Safeguarding: domestic abuse",
        ),
        Concern(
            CHILD_AT_RISK,
            "Thank you for telling us. If a child is in danger now, call 999.\n"
            f"- Otherwise, please call East Weald children's social care on {facts.children_social_care_phone}, day "
            "or night. You don't need to be sure: they would rather hear from you.\n"
            "- You can also call the NSPCC helpline on 0808 800 5000.",
            "Safeguarding: the resident is worried about a child's safety. 999 and children's social care were given.",
            "Safeguarding: a child at risk",
        ),
        Concern(
            ADULT_AT_RISK,
            "Thank you for looking out for them. If you think they may be hurt or ill inside, call 999: the police "
            "can check on them.\n"
            f"- If you're worried an adult is being harmed or can't look after themselves, call East Weald adult "
            f"social care on {facts.adult_social_care_phone}.",
            "Safeguarding: the resident is worried about an adult's safety or welfare. 999 and adult social care "
            "were given.",
            "Safeguarding: an adult at risk",
        ),
    )


def concern_in(text: str) -> Concern | None:
    """Return the most urgent concern a message raises, or None."""
    plain = text.replace("\u2019", "'")
    return next((concern for concern in concerns() if concern.pattern.search(plain)), None)


def in_crisis(text: str) -> bool:
    """Whether a message says someone may be at risk of harm."""
    return concern_in(text) is not None
