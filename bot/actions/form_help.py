"""Inside a form, a question about the question: why a detail is needed, where to find it, what it means.

"Why do you need that?", "I don't know", "help" or "what do you mean?" typed while the form waits for a
detail were taken as the answer (and refused) or met with the same question again, for ever. They are
not answers: the resident gets the reason the detail is asked and how to find or write it, with the phone
number and a button to talk to a person, and the form carries on with the same question. "Forget it"
(with or without another question) stops the task instead.
"""

from __future__ import annotations

import re

from bot.tasks_registry import QUESTIONS, REGISTRY
from council import council_facts

# Words that ask about the question rather than answer it.
HELP_ASKED = re.compile(
    r"\bwhy\b|\bwhat for\b|\bwhat(?:'s| is| does)? (?:that|this|it)(?: mean)?(?: for)?\b|"
    r"\bwhat do (?:you|u|ya) mean\b|"
    r"\bwhat do (?:you|u) need (?:it|that|this|(?:my|me|an?|the) [\w-]+(?: [\w-]+)?) for\b|"
    r"\b(?:don'?t|dont|do not|didn'?t) (?:understand|get (?:it|that|you)|know)\b|\bdunno\b|\bidk\b|"
    r"\bno (?:idea|clue)\b|\bnot sure\b|\bconfus|\bhuh\b|\bwhat (?:went|'?s gone|has gone) wrong\b|"
    r"^\W*what happened\b|"
    r"\b(?:don'?t|dont|do not) have (?:it|one|that|them|any)\b|\bhaven'?t got (?:it|one|that)\b|"
    r"\bcan'?t remember\b|\bforgot(?:ten)?\b|"
    r"\b(?:lost|misplaced|mislaid|threw away|thrown away|deleted)\s+"
    r"(?:it|that|them|(?:the|my) (?:ref\w*|number|e-?mail|letter|receipt|bill|confirmation))\b|"
    r"\bwhere (?:do|can|would|will|should) i (?:find|get|look)\b|\bwhere(?:'s| is) (?:it|that|my|the)\b|"
    r"\bcan'?t find\b|\bcannot find\b|^\s*(?:help|help me|help please|pls help|please help|\?+)\W*$|"
    # "what?" at "Please describe the problem" was to be sent to the team as the pothole's description (a probe)
    r"^\s*(?:what|wot|wat|wha|eh|huh|pardon|you what)\s*\?*\s*$|^\s*(?:sorry|come again|say (?:that )?again)\s*\?+\s*$",
    re.IGNORECASE,
)
# Longer messages in a free-text slot may say "I don't know" as part of a real answer ("no idea who dumped it").
FREE_TEXT_HELP_WORDS = 6
FREE_TEXT_STOP_START = 2  # words before "forget it" in a description that still make it a change of mind
STOP_ASKED = re.compile(
    # "nvm" at the name question got "Sorry, I need your first name and surname" (a probe)
    r"\b(?:forget (?:it|that|about it|this|all that)|never ?mind|nvm|nevermind|forget abt it|"
    r"scrap (?:it|that|this)|cancel (?:it|that|this)|"
    r"scratch that|don'?t bother|leave it|stop (?:it|this|that|asking|the form|please|now|there|here)|"
    r"(?:i|i'd|i would) (?:want|like) to stop|(?:don'?t|do not) want to (?:do|carry on|continue|go on)|"
    r"changed my mind)\b"
    # The word alone, or first ("stop", "cancel please", "quit this"), and the Stop button's payload.
    r"|^\W*(?:stop|cancel|quit|exit|abort|end this|start again|start over|restart)\b",
    re.IGNORECASE,
)

# Why each detail is asked, and how to find or write it.
WHY_AND_HOW: dict[str, str] = {
    "full_name": "I need your name to find your record and check it's really you, so nobody else can see it. "
    "I only use it for this check. Please type your first name and surname, for example Sam Taylor.",
    "date_of_birth": "Your date of birth, with your name and address, proves it's you, so nobody else can see "
    "your record. Please type it as day, month and year, for example 05/11/1990 or 5 November 1990.",
    "postcode": "Your postcode lets me find your address. It's the last line of your address, for example TN41 6PA.",
    "address_uprn": "I need to know which home at that postcode is yours. Please choose it from the buttons, or "
    "type the house number and street, for example 19 Rowan Close.",
    "account_reference": "Your council tax account number tells me which account to check. It's at the top of "
    "your council tax bill and starts with CT, for example CT12345678. If you can't find it, say \"I don't "
    "have it\" and I'll check with your name, date of birth and postcode instead.",
    "payment_reference": "The payment reference tells me which payment you mean. It's on your payment "
    "confirmation or bank statement, for example PAY-12345678. If you don't have it, just say so.",
    "request_reference": "The reference tells me which report you mean. It's in the reply or email you got "
    "when you reported the problem, for example SR-123456. If you can't find it, one of our team can look "
    "up your report for you.",
    "contact_email": 'An email address lets us send you updates. It\'s up to you: say "no" to skip it.',
    "vote_duration": "A postal or proxy vote can be for the next election only, or long term (up to 3 years). "
    'Please say "just the next election" or "long term".',
    "proxy_name": "A proxy is the person who votes for you, and the law asks us to record who they are. Please "
    "type their first name and surname.",
    "proxy_relationship": "The application form asks how you know your proxy. For example: my daughter, a "
    "friend, my neighbour.",
    "proxy_reason": "For a long-term proxy the law asks for a reason, such as a disability, your job, or "
    "studying away. A few words are enough.",
    "new_name": "I need the name you want on the register now: your new first name and surname.",
    "reported_name": "I need the person's name to find them on the register at your address. Please type "
    "their first name and surname.",
    "report_kind": "We handle a death and a move out differently. Please say whether the person has died, or "
    "has moved out.",
    "service_category": "The kind of problem tells me which team to send it to. Please choose one of the "
    'buttons, or say "something else".',
    "problem_location": "The team needs to find it. Please give the street and a landmark or house number "
    "nearby, or a postcode.",
    "problem_description": "A few words help the team bring the right things, for example which bin was "
    "missed or how big the hole is.",
    # "why do i need to give all this?" at a postal vote's "Shall I go ahead?" got only this line (a probe).
    "task_confirmed": "I ask for these details so the right team can act on what you asked for, and so no one "
    "else can do it in your name. Nothing is sent until you say yes. "
    'Please say "yes" to go ahead, or "no" to leave it.',
}
GENERAL_HELP = "I need that detail to finish what you asked for."
OFFICER_BUTTON = {"title": "Talk to a person", "payload": "/request_officer"}


def asks_for_help(text: str, *, free_text: bool = False) -> bool:
    """Tell whether ``text`` asks about the question rather than answering it.

    In a description or a place (``free_text``) only a short message: "no idea who dumped it" is an answer.
    """
    if not HELP_ASKED.search(text):
        return False
    return not free_text or len(text.split()) <= FREE_TEXT_HELP_WORDS


def asks_to_stop(text: str, *, free_text: bool = False) -> bool:
    """Tell whether ``text`` drops the task in hand ("oh wait, forget it, how do I pay my council tax").

    In a description or a place (``free_text``) only near the start: "leave it by the gate" is an answer.
    """
    found = STOP_ASKED.search(text)
    if found is None:
        return False
    return not free_text or len(text[: found.start()].split()) <= FREE_TEXT_STOP_START


def way_out() -> str:
    """Return the sentence that says the resident can phone or talk to a person instead."""
    return f"If it's easier, you can call us on {council_facts().phone}, or talk to a person."


# Details a resident may ask about by name while another is being asked ("why do you need my date of birth" at
# the name question): the answer is about the detail they named.
DETAIL_NAMED = (
    (re.compile(r"\b(?:date of birth|birth ?day|d\.?o\.?b|born)\b", re.IGNORECASE), "date_of_birth"),
    (re.compile(r"\bpost ?code\b", re.IGNORECASE), "postcode"),
    (re.compile(r"\baccount (?:number|no|ref\w*)\b", re.IGNORECASE), "account_reference"),
    (re.compile(r"\be-?mail\b", re.IGNORECASE), "contact_email"),
    (re.compile(r"\b(?:my|your|full) name\b", re.IGNORECASE), "full_name"),
)

ASKS_ABOUT_A_DETAIL = re.compile(r"\bwhy\b|\bwhat\b.*\bfor\b|\bwhat (?:do|does|is|'s)\b", re.IGNORECASE)


def help_for(slot: str, text: str = "", task: str | None = None) -> str:
    """Return why ``slot`` is asked and how to answer it, with the phone number and the officer offer.

    A question only one task asks says why in its own declaration (``task_kit.Question.why``). When ``text``
    names another detail the bot asks for ("why do you need my date of birth"), that detail is explained. A task
    that needs a detail for a reason of its own says it (``task_kit.Task.why``): "why do you need my email?" in
    the receipt task was told about updates on a report.
    """
    named = slot
    if ASKS_ABOUT_A_DETAIL.search(text):  # not "I deleted the email with it in" at the reference question
        named = next((detail for pattern, detail in DETAIL_NAMED if pattern.search(text)), slot)
    if named == "contact_email" and slot in ("reporter_email", "reporter_code"):
        # "why do you need my email?" at the report's email or its code: that question's reason, not "I don't need
        # your email address for this" (a probe).
        named = slot
    declared = REGISTRY.get(task or "")
    if declared is not None and named in declared.why:
        return f"{declared.why[named]} {way_out()}"
    if named == "contact_email" and named != slot and declared is not None and named not in declared.slots:
        # "Why do you need my email?" where no email is asked (a council tax check): it was told about updates.
        return f"I don't need your email address for this. {help_for(slot, task=task)}"
    if named != slot:
        return f"{WHY_AND_HOW[named]} {way_out()}"
    question = QUESTIONS.get(slot)
    why = question.why if question is not None and question.why else WHY_AND_HOW.get(slot, GENERAL_HELP)
    return f"{why} {way_out()}"
