"""Words that say a resident may harm themselves, and what the hub answers them with, in any state of the chat.

"im going to kill myself" got "No problem. What else can I help you with?" from the bot, and the same words sent
while waiting for an officer got only the queue's reply (a probe). The hub reads every message before the bot does,
so the answer here cannot depend on the intent classifier: support numbers first, and an urgent request for an
officer, in or out of hours. A message about someone else ("my son says he wants to end it all") gets the same
numbers, which are for them too.
"""

from __future__ import annotations

import re

_ME = r"(?:my ?sel[fv]e?|mysef|meself|my own life|my life)"
CRISIS = re.compile(
    rf"\b(?:kill(?:ing)?|killin|end(?:ing)?|hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?|top(?:ping)?) {_ME}"
    r"|\bsu[i1]c[i1]d\w*|\bsuicde\w*|\bsucid\w*"
    r"|\bself[- ]?harm\w*"
    r"|\btake (?:my|me) (?:own )?life\b"
    r"|\bend (?:it all|everything|things)\b"
    r"|\b(?:don'?t|do not|dont|no longer) (?:want|wanna|wish) (?:to )?(?:live|be alive|be here any ?more|exist|wake up"
    r"|go on)\b"
    r"|\b(?:want|wanna|going) to die\b|\bwish i (?:was|were) dead\b|\bbetter off dead\b"
    r"|\bno (?:reason|point) (?:to|in) (?:live|living|going on|carrying on)\b"
    r"|\bcan'?t (?:go on|carry on|cope) (?:any ?more|like this|living)\b"
    r"|\boverdos(?:e|ed|ing)\b",
    re.IGNORECASE,
)
# Said first, before anything about the council.
SUPPORT_TEXT = (
    "I'm really sorry you're feeling like this. You don't have to deal with it on your own.\n"
    "- If you might act on these thoughts now, or you're hurt, call 999 or go to A&E.\n"
    "- Samaritans will listen, day or night, free on 116 123, or email jo@samaritans.org.\n"
    "- If you'd rather text, text SHOUT to 85258 (free, any time).\n"
    "- If it's about someone else, the same numbers are there for them and for you.\n"
    "If money worries such as council tax are part of it, we can help with those too, whenever you're ready."
)
# What the officers see in the queue (no words of the resident's: the transcript is there for them).
SUMMARY = "Safeguarding: the resident wrote about harming themselves or ending their life. Support numbers were given."


def in_crisis(text: str) -> bool:
    """Whether a message says someone may harm themselves or end their life."""
    return bool(CRISIS.search(text.replace("\u2019", "'")))
