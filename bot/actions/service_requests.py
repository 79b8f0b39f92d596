"""The service request tasks: reporting a problem, asking about its progress and cancelling it, with the wording.

``TASKS`` at the end declares them for bot.tasks_registry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from bot.actions.common import council_phone
from bot.actions.electoral import long_date
from bot.actions.form_answers import is_address_line, leftover_words
from bot.actions.task_kit import (
    Question,
    Reply,
    Task,
    conversation_of,
    last_bot_text,
    opening_request,
    request_key,
    uprn_of,
)
from bot.backoffice import BackOffice, BackOfficeError, NotFound
from bot.backoffice_models import ServiceRequestCancellation, ServiceRequestLodged, ServiceRequestProgress
from bot.names import ADDRESSED_CATEGORIES, SLOT_HANDOFF_REASON, SLOT_OFFICER_OFFERED
from bot.parsing import (
    REQUEST_REFERENCE,
    clean_full_name,
    find_email,
    find_postcode,
    find_request_reference,
    parse_date_of_birth,
    says_unknown,
)


def lodged(result: ServiceRequestLodged, *, email_given: bool = True) -> str:
    """Confirm a lodged request: reference, expected date and the service standard.

    A promise to contact the reporter, made to one who gave no email ("We contact you about a noise complaint within 5
    working days", to a probe that said no to the email), says how to reach the team instead.
    """
    if result.already_recorded:
        return (
            f"You've already reported this: your reference is {result.reference}, so I haven't made a second "
            f"report. We expect to deal with it by {long_date(result.expected_by)}. You can ask me for an "
            "update any time by quoting the reference."
        )
    no_contact = (
        f" You didn't give an email address, so the team can't contact you: call us on {council_phone()} to talk to "
        "them."
        if not email_given and CONTACTS_YOU.search(result.service_standard)
        else ""
    )
    return (
        f"Thank you, I've reported it: your reference is {result.reference}. {result.service_standard} "
        f"We expect to deal with it by {long_date(result.expected_by)}. You can ask me for an update any "
        f"time by quoting the reference.{no_contact}"
    )


CONTACTS_YOU = re.compile(r"\bcontact you\b", re.IGNORECASE)


# How a stranger's answer invites the reporter's email: the next message giving one is checked against the report.
EMAIL_INVITATION = "If you reported it, tell me the email address you gave us with the report"
# Said whether or not the email given is the report's: "That isn't the email address given with the report" told
# anyone which address had reported a request (a probe), and a reporter held back by others' guesses was told their
# own address was wrong. Only the address's owner learns which it was, from their inbox.
NEWS_MAYBE_EMAILED = "If that's the email address given with the report, I've emailed the latest news on it"
CODE_MAYBE_SENT = (
    "Thank you. If that's the email address given with the report, I've emailed a 6-digit code to it, to check it's "
    "you. It lasts 15 minutes."
)
# The stranger's answer and the answer to an email (a typo is sent again) both invite the email next.
INVITED = re.compile(
    rf"^Request (SR-\d{{6}})\b.*(?:{re.escape(EMAIL_INVITATION)}|{re.escape(NEWS_MAYBE_EMAILED)})",
    re.DOTALL,
)
# Emails one chat may give before the bot stops checking them (for the news, and for codes to cancel).
EMAIL_TRIES_ALLOWED = 3


def invited_reference(tracker: Tracker) -> str | None:
    """Return the reference whose reporter's email the bot's latest reply asked for, or None.

    "Request SR-246625 ... If you reported it, tell me the email address ...", then "bethan.wright@example.com
    thanks": the email was read as a question about contact details and the council's numbers came back, for
    ever (the simulated residents' loop).
    """
    match = INVITED.search(last_bot_text(tracker))
    return match.group(1) if match else None


OFFICER_BUTTONS = [
    {"title": "Yes, ask an officer", "payload": "/request_officer"},
    {"title": "No, thanks", "payload": "/deny"},
]
BY_PHONE = re.compile(r"\b(?:by|over the|on the) (?:phone|telephone)\b|\b(?:phoned|rang|called) (?:it )?in\b", re.I)
WHY_THE_EMAIL = re.compile(r"\bwhy\b|\bwhat (?:for|do you need)\b", re.IGNORECASE)


def say_reply(dispatcher: Any, reply: Reply) -> list[Any]:
    """Say a reply with its buttons; return the slots it sets."""
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons)
    return list(reply.events)


def answer_at_the_invitation(tracker: Tracker) -> Reply | None:
    """Answer a question or a "no email" said when the bot had asked for the email given with a report, or None.

    Seen (a probe): "why do you need my email?" there got a menu of articles (contact the council, jobs,
    planning), and "I didn't give an email" the council's contact details with 999: neither said that the email
    is what shows the reporter, nor what to do without one.
    """
    text = str(tracker.latest_message.get("text") or "")
    if invited_reference(tracker) is None or find_email(text):
        return None
    without = f"please call us on {council_phone()} and we'll tell you the latest, or I can ask an officer to help."
    if WHY_THE_EMAIL.search(text):
        # Said as the invitation is (its reference first, the invitation after), so the email typed next is taken.
        return Reply(
            text=f"Request {invited_reference(tracker)}: anyone with its reference can see its status. Only the person "
            "who reported it gets the latest news: I email it to the address they gave with the report. "
            f"{EMAIL_INVITATION} (like name@example.com). If you didn't give one, " + without,
            buttons=OFFICER_BUTTONS,
            events=[SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "lookup_refused")],
        )
    if says_unknown(text) or DID_NOT_GIVE.search(text) or BY_PHONE.search(text):
        return Reply(
            text=f"That's fine. Without the email address given with the report, {without}",
            buttons=OFFICER_BUTTONS,
            events=[SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "lookup_refused")],
        )
    if identity_detail(text) and not find_request_reference(text):
        # "Rita Richardson", "26/01/1978", "TN41 6PA" each got the request's status again, word for word (a probe):
        # they prove nothing about who reported it, and that is said once, with the way on.
        return Reply(
            text=f"Thank you, but a name, date of birth or address can't show who reported request "
            f"{invited_reference(tracker)}: neighbours may know them. Only the email address given with the report "
            "can. If you didn't give one, " + without,
            buttons=OFFICER_BUTTONS,
            events=[SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "lookup_refused")],
        )
    return None


def identity_detail(text: str) -> bool:
    """Whether ``text`` gives a name, a date of birth, a postcode or an address line (no email)."""
    today = dt.date.today()
    return (
        find_postcode(text) is not None
        or parse_date_of_birth(text, today=today) is not None
        or clean_full_name(text) is not None
        or is_address_line(text)
    )


def progress(result: ServiceRequestProgress, *, email_given: bool = False, tries_left: bool = False) -> str:
    """Describe a request's progress: in full to its reporter, and only the status and dates to anyone else.

    References are close together and easy to guess, so a reference alone shows nothing about a person: no
    "your", no officer's note (the back office sends none), no offer to chase it. The reporter (this chat, or
    a code emailed to the report's address) sees the latest note and, when it is late, an officer's offer. A
    stranger is asked for the email given with the report, and the news goes to that address if it is the one
    (``result.news_emailed``): an email typed here proves nothing, as it may be guessed. ``email_given``: one was
    given; the answer is the same whether it was the report's or not (``tries_left``: another may be sent).
    """
    status = {"open": "open", "in_progress": "in progress"}.get(result.status, result.status)
    label = result.category_label.lower()
    if not result.reporter:
        # "for": a label may hold brackets of its own ("dumped rubbish (fly-tipping)").
        lines = [f"Request {result.reference} for {label} is {status}."]
        if result.status in ("open", "in_progress") and result.expected_by:
            lines.append(expected_words(result))
        if email_given and result.news_emailed == "mail_failed":
            lines.append(NEWS_NOT_SENT.format(phone=council_phone()))
        elif email_given:
            lines.append(
                f"{NEWS_MAYBE_EMAILED}. If nothing comes in a few minutes, please check the junk folder"
                + (", or send the address again in case it was mistyped" if tries_left else "")
                + f". If you didn't give one, please call us on {council_phone()}."
            )
            if result.overdue:
                lines.append("As it's late, I can ask an officer to look into it if you reported it.")
        else:
            # A report made without an email had no way on here (a probe): the phone is said with the invitation.
            lines.append(
                f"{EMAIL_INVITATION} (like name@example.com), and I'll email the latest news to it. "
                f"If you didn't give one, please call us on {council_phone()}."
            )
        return " ".join(lines)
    lines = [f"Your {label} request {result.reference} is {status}."]
    update = result.latest_update
    if update:
        lines.append(f"Latest update ({long_date(update.at[:10])}): {update.note}")
    if result.status in ("open", "in_progress") and result.expected_by:
        lines.append(expected_words(result))
    if result.overdue:
        lines.append("I'm sorry, it's now overdue. Would you like me to ask an officer to look into it?")
    return " ".join(lines)


# The news could not be emailed (the mail server): said only then, with the phone and an officer.
NEWS_NOT_SENT = (
    "I'm sorry, I couldn't send an email just now. Please call us on {phone}, or I can ask an officer to help."
)


def expected_words(result: ServiceRequestProgress) -> str:
    """Say when a request should be dealt with; a date gone by is said as past ("We expected ... by 18 November").

    A reference alone (no reporter) was told "We expect to deal with it by Wednesday 18 November 2026" in December
    (a probe): whether it is late is no secret, as the status shown is none.
    """
    when = long_date(result.expected_by or "")
    if result.overdue:
        return f"We expected to deal with it by {when}, so it is late."
    return f"We expect to deal with it by {when}."


NOT_FOUND_START = "I can't find a request with the reference"


def not_found(reference: str) -> str:
    """Say a reference matches no request."""
    return (
        f"{NOT_FOUND_START} {reference}. Please check it. It looks like SR-123456, "
        "and you got it in our reply or email when you told us about the problem."
    )


# Unknown references one chat may quote before the bot stops looking them up (references are easy to guess).
UNKNOWN_REFERENCES_ALLOWED = 3


def no_more_lookups() -> str:
    """Stop looking up references, saying the same whether the next one exists, is someone else's or is wrong."""
    return (
        "I can't look up any more references in this chat. If you reported a problem and need news of it, "
        f"please call us on {council_phone()}, or I can ask an officer to help."
    )


# How lodged() gives the reference: the bot's own words in this chat show which requests were reported in it.
LODGED_REFERENCE = re.compile(r"your reference is (SR-\d{6})")


def lodged_here(tracker: Tracker) -> list[str]:
    """Return the references of the requests reported in this conversation, oldest first."""
    found = []
    for event in tracker.events:
        if event.get("event") == "bot":
            found.extend(LODGED_REFERENCE.findall(str(event.get("text") or "")))
    return list(dict.fromkeys(found))


# The bot's words when it showed a request's progress to its reporter ("Your missed bin collection request SR-...
# is open").
REPORTER_SHOWN = re.compile(r"^Your [^.]* request (SR-\d{6}) is")


def codes_proven_here(tracker: Tracker) -> dict[str, str]:
    """Return, per reference, the emailed code that showed this chat the request's reporter (the back office took it).

    The code slot is set only once the back office has taken the code, so cancelling again, or asking how it is
    getting on, in the same chat is not asked for the email and a new code.
    """
    proven: dict[str, str] = {}
    reference: str | None = None
    for event in tracker.events:
        if event.get("event") != "slot":
            continue
        if event.get("name") == "request_reference":
            reference = str(event.get("value") or "") or None
        elif event.get("name") == "reporter_code" and reference and READ_CODE.fullmatch(str(event.get("value") or "")):
            proven[reference] = str(event.get("value"))
    return proven


# How the bot names the one request a reply was about: its report ("your reference is SR-...") or its progress
# told to the reporter ("Your missed bin collection request SR-... is open").
REQUEST_IN_REPLY = re.compile(f"{LODGED_REFERENCE.pattern}|{REPORTER_SHOWN.pattern}")


def request_in_last_reply(tracker: Tracker) -> str | None:
    """Return the reference of the request the bot's latest reply reported or followed for its reporter, or None."""
    match = REQUEST_IN_REPLY.search(last_bot_text(tracker))
    return (match.group(1) or match.group(2)) if match else None


def bot_said(tracker: Tracker, words: str) -> int:
    """Count the bot's replies in this chat that hold ``words``."""
    return sum(1 for e in tracker.events if e.get("event") == "bot" and words in str(e.get("text") or ""))


def no_more_email_checks() -> str:
    """Stop checking emails against reports in this chat, whatever the next one is."""
    return (
        "I can't check any more email addresses in this chat. If you reported a problem and need news of it, "
        f"please call us on {council_phone()}, or I can ask an officer to help."
    )


def unknown_references_quoted(tracker: Tracker) -> int:
    """Count the references this chat quoted that matched no request (each told so once)."""
    return sum(
        1 for e in tracker.events if e.get("event") == "bot" and str(e.get("text") or "").startswith(NOT_FOUND_START)
    )


def cancelled(result: ServiceRequestCancellation) -> str:
    """Tell the person who reported a problem what became of their request to cancel it.

    Asking twice is no error: the second answer says it was already cancelled, and when.
    """
    what = f"{result.category_label.lower()} request {result.reference}"
    if result.outcome == "cancelled":
        return (
            f"Done: I've cancelled your {what}, so the {result.responsible_team} team won't deal with it now. "
            "If the problem comes back, just tell me and I'll report it again."
        )
    if result.outcome == "already_cancelled":
        when = f" on {long_date(result.cancelled_at[:10])}" if result.cancelled_at else ""
        return f"Your {what} was already cancelled{when}, so there's nothing more to do."
    return (
        f"Your {what} is already closed, so there's nothing to cancel. If the problem is back, just tell me and "
        "I'll report it again."
    )


CANNOT_CANCEL_START = "I can't cancel SR-"


def cannot_cancel(reference: str) -> str:
    """Refuse a cancellation without saying whether the reference exists or whose it is."""
    return (
        f"I can't cancel {reference} with those details. Only the person who reported a problem can cancel it: "
        "in the chat they reported it in, or with a code we email to the address they gave. If you reported it another "
        f"way, please call us on {council_phone()}, or I can ask an officer to help."
    )


async def reporter_email_checked(
    backoffice: BackOffice, tracker: Tracker, email: str
) -> tuple[str | dict[str, Any] | None, str | None]:
    """Have a code emailed to the report's address if the email given is it, and say the same either way.

    The email alone cancelled a request: an attacker guessed a demo reporter's (firstname.lastname@...) and cancelled
    it from another chat. Now a matching email only sends a one-time code to that address, which the resident types
    back (``reporter_code_checked``). Whether it matched is never said ("That isn't the email address given with the
    report" told anyone which address reported a request, a probe). Returns (what to keep, what to say): NO_EMAIL in
    the chat it was reported in (no code needed); ALREADY_ENDED's words for a request already cancelled or closed
    (its status is no secret: nothing is sent); NOT_SHOWN past the tries or with no email (the refusal, the phone and
    an officer); CODE_NOT_SENT when the mail server or the back office failed.
    """
    reference = str(tracker.get_slot("request_reference") or "")
    if not reference:
        return email, None
    if email != NO_EMAIL and bot_said(tracker, CODE_MAYBE_SENT) >= EMAIL_TRIES_ALLOWED:
        # Past the tries the refusal comes at once (it came after the reason and "Shall I go ahead?", and the right
        # email typed at the reason question was taken as the reason: a probe). No more emails are checked.
        return NOT_SHOWN, None
    try:
        here = await backoffice.service_request_progress(reference=reference, conversation_id=conversation_of(tracker))
    except NotFound:
        return NOT_SHOWN, None  # the same refusal as for someone else's request
    except BackOfficeError:
        return CODE_NOT_SENT, None
    if here.reporter:
        return NO_EMAIL, None  # reported in this chat: the chat shows the reporter, no code is needed
    if here.status in ALREADY_ENDED:
        # A probe was sent through the email, the code, the reason and "yes" to hear it was already cancelled.
        return ALREADY_ENDED[here.status], None
    if email == NO_EMAIL:
        # No email and not the chat it was reported in: nothing shows the reporter, so the refusal (with the phone
        # and an officer) comes at once, not after the reason and "Shall I go ahead?" (a probe).
        return NOT_SHOWN, None
    return await _code_sent(backoffice, tracker, reference, email)


async def _code_sent(
    backoffice: BackOffice, tracker: Tracker, reference: str, email: str
) -> tuple[str | dict[str, Any] | None, str | None]:
    try:
        outcome = await backoffice.send_reporter_code(
            reference=reference, conversation_id=conversation_of(tracker), reporter_email=email
        )
    except NotFound:
        return NOT_SHOWN, None
    except BackOfficeError:
        return CODE_NOT_SENT, None
    if outcome == "mail_failed":
        return CODE_NOT_SENT, None
    return email, CODE_MAYBE_SENT


# The request's public status, when it is past cancelling: what the email slot holds, said by the handler.
ALREADY_ENDED = {"cancelled": "already cancelled", "closed": "already closed"}
CODE_MISMATCH = "That code doesn't match the one we emailed for"
# Wrong codes one chat may type before the bot stops checking them (the back office voids a code after five).
CODE_TRIES_ALLOWED = 3
READ_CODE = re.compile(r"\d{6}")
CODE_IN_TEXT = re.compile(r"(?<![\d£$.,])(\d{3})[\s-]?(\d{3})(?![\d,]|\.\d)")
RESEND = "resend"
NO_CODE = "no code"
NEW_EMAIL = "email:"
ASKS_TO_RESEND = re.compile(
    r"\b(?:(?:did ?n[o']?t|did not|have ?n[o']?t|not|never|still not|still no|nothing) (?:got|get|come|came|arrived?"
    r"|received?|had|turned up)|(?:has|have) ?n[o']?t (?:come|arrived|turned up)|(?:send|email) (?:it |me )?(?:again"
    r"|another|a new)|resend|re-send|no (?:code|email) (?:has )?(?:come|came|arrived|yet)|nothing (?:has )?"
    r"(?:come|arrived)|where is (?:the|my) code|(?:email|code) (?:never|hasn'?t|has not|didn'?t) (?:came|come|arrive"
    r"|arrived))\b",
    re.IGNORECASE,
)
GAVE_NO_EMAIL = re.compile(
    r"\b(?:didn'?t|did not|never) (?:give|gave|leave|left|put)\b|\bno email (?:on|with|address)\b|"
    r"\bcan'?t (?:get into|access|open) (?:that|the|my) (?:email|inbox|account)\b",
    re.IGNORECASE,
)


def _reporter_code(text: str) -> str | None:
    """Read the six-digit code from the email ("123456", "123 456", "it's 123-456"), or what else the resident says.

    An email address typed again is a new address to send the code to (a typo put right); "it hasn't come" asks for
    it again; "I didn't give an email" or "I can't get into that account" means there is no code to give.
    """
    if text in (NO_CODE, RESEND):
        return text  # read already (the form reads a message its intent left unmapped, then checks the value read)
    if email := find_email(text):
        return NEW_EMAIL + email
    found = CODE_IN_TEXT.search(text)
    if found:
        return found[1] + found[2]
    if ASKS_TO_RESEND.search(text):
        return RESEND
    return NO_CODE if GAVE_NO_EMAIL.search(text) else None


async def reporter_code_checked(
    backoffice: BackOffice, tracker: Tracker, code: str
) -> tuple[str | dict[str, Any] | None, str | None]:
    """Check the code typed against the one emailed for this chat; send a new one when asked ("it hasn't come")."""
    reference = str(tracker.get_slot("request_reference") or "")
    if code.startswith(NEW_EMAIL):
        email = code.removeprefix(NEW_EMAIL)
        if bot_said(tracker, CODE_MAYBE_SENT) >= EMAIL_TRIES_ALLOWED:
            return NOT_SHOWN, None
        kept, said = await _code_sent(backoffice, tracker, reference, email)
        if kept == email:
            return {"reporter_email": email, "reporter_code": None}, said
        return kept, said
    if code == NO_CODE:
        return NOT_SHOWN, None
    if code == RESEND:
        return await _sent_again(backoffice, tracker, reference)
    shown = await _code_shows_reporter(backoffice, tracker, reference, code)
    if shown is None:
        return CODE_NOT_SENT, None
    if shown:
        return code, None
    if bot_said(tracker, CODE_MISMATCH) >= CODE_TRIES_ALLOWED - 1:
        return NOT_SHOWN, None
    # "or it has run out": a code typed after 15 minutes was told it was wrong (a probe).
    return None, (
        f"{CODE_MISMATCH} {reference}, or it has run out (a code lasts 15 minutes). Please check the email and try "
        'again, or say "send it again".'
    )


NEW_CODE_SENT = "If that's the email address given with the report, I've emailed a new code to it"


async def _sent_again(backoffice: BackOffice, tracker: Tracker, reference: str) -> tuple[str | None, str | None]:
    """Send the code once more; a code already sent keeps working when no other can be sent (a probe lost it)."""
    ring = f"please call us on {council_phone()}, or I can ask an officer to help"
    if bot_said(tracker, NEW_CODE_SENT) >= 1:
        return None, (
            "I've already sent a new code. Emails can take a few minutes, and sometimes land in the junk folder. If "
            f"nothing comes, the address may not be the one given with the report: type it again, or {ring}."
        )
    try:
        outcome = await backoffice.send_reporter_code(
            reference=reference,
            conversation_id=conversation_of(tracker),
            reporter_email=str(tracker.get_slot("reporter_email") or ""),
        )
    except BackOfficeError:
        outcome = "mail_failed"
    if outcome == "mail_failed":
        return None, (
            "I can't send another code just now. A code already sent still works for 15 minutes after it was sent. "
            f"If it hasn't come, {ring}."
        )
    # "too_many" (the hour's allowance spent) is answered as a code sent: only the report's address has an allowance
    # to spend, so "I can't send another code" told a second probe which email was the report's.
    return None, (
        f"{NEW_CODE_SENT}. It replaces the first one. If nothing comes, the address may not be the one given with "
        "the report: you can type it again."
    )


async def _code_shows_reporter(backoffice: BackOffice, tracker: Tracker, reference: str, code: str) -> bool | None:
    """Whether the back office takes ``code`` for this chat (None when it cannot say)."""
    try:
        shown = await backoffice.service_request_progress(
            reference=reference, conversation_id=conversation_of(tracker), reporter_code=code
        )
    except BackOfficeError:
        return None
    return shown.reporter


def code_not_sent() -> str:
    """Say no code could be sent, so the request cannot be cancelled here now; the phone and a person instead."""
    return (
        "I'm sorry, I can't send you a code by email just now, so I can't cancel it here. Please call us on "
        f"{council_phone()}, or I can ask an officer to help."
    )


# The tasks: each handler makes the back-office call and words the answer with the functions above.


async def _report_problem(backoffice: BackOffice, tracker: Tracker) -> str:
    email = tracker.get_slot("contact_email")
    category = tracker.get_slot("service_category") or "other"
    request = {
        "category": category,
        # Only a report about the resident's own home is filed against an address: graffiti on the library, reported
        # after the bin days at 19 Rowan Close, was filed against 19 Rowan Close (a probe).
        "uprn": uprn_of(tracker) if category in ADDRESSED_CATEGORIES else None,
        "location_text": tracker.get_slot("problem_location"),
        "description": tracker.get_slot("problem_description"),
        "contact_email": None if email in (None, "none") else email,
    }
    result = await backoffice.lodge_service_request(
        conversation_id=conversation_of(tracker), idempotency_key=request_key(tracker, request), **request
    )
    return lodged(result, email_given=request["contact_email"] is not None)


async def _request_progress(backoffice: BackOffice, tracker: Tracker) -> str | Reply:
    reference = str(tracker.get_slot("request_reference"))
    if reference not in lodged_here(tracker) and unknown_references_quoted(tracker) >= UNKNOWN_REFERENCES_ALLOWED:
        return Reply(
            text=no_more_lookups(),
            buttons=OFFICER_BUTTONS,
            events=[SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "lookup_refused")],
        )
    # The email given with the report gets the news emailed to it (the chat is told the same whichever it was).
    email = find_email(str(tracker.latest_message.get("text") or "")) or find_email(opening_request(tracker))
    emails_so_far = bot_said(tracker, NEWS_MAYBE_EMAILED)
    if email and emails_so_far >= EMAIL_TRIES_ALLOWED:
        # Emails are not checked for ever: one chat trying address after address would fill reporters' inboxes.
        return Reply(
            text=no_more_email_checks(),
            buttons=OFFICER_BUTTONS,
            events=[SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "lookup_refused")],
        )
    try:
        result = await backoffice.service_request_progress(
            reference=reference,
            conversation_id=conversation_of(tracker),
            reporter_email=email,
            reporter_code=codes_proven_here(tracker).get(reference),
        )
    except NotFound:
        return not_found(reference)
    text = progress(result, email_given=bool(email), tries_left=emails_so_far + 1 < EMAIL_TRIES_ALLOWED)
    if result.overdue and (result.reporter or email):
        # Late: the reporter is offered an officer; so is anyone who gave an email (whether it was the report's is
        # not told), and the officer checks who they are.
        return Reply(
            text=text,
            buttons=OFFICER_BUTTONS,
            events=[SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "overdue_request")],
        )
    if email and result.news_emailed == "mail_failed":
        return Reply(
            text=text,
            buttons=OFFICER_BUTTONS,
            events=[SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "lookup_refused")],
        )
    return text


async def _cancel_service_request(backoffice: BackOffice, tracker: Tracker) -> str | Reply:
    reference = str(tracker.get_slot("request_reference"))
    email = tracker.get_slot("reporter_email")
    refused = Reply(
        text=cannot_cancel(reference),
        buttons=OFFICER_BUTTONS,
        events=[SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "cancel_refused")],
    )
    if email in ALREADY_ENDED.values():
        return f"Request {reference} is {email}, so there's nothing to cancel. If the problem is back, just tell me."
    if email == CODE_NOT_SENT or tracker.get_slot("reporter_code") == CODE_NOT_SENT:
        return Reply(
            text=code_not_sent(),
            buttons=OFFICER_BUTTONS,
            events=[SlotSet(SLOT_OFFICER_OFFERED, True), SlotSet(SLOT_HANDOFF_REASON, "cancel_refused")],
        )
    if (
        NOT_SHOWN in (email, tracker.get_slot("reporter_code"))
        or bot_said(tracker, CANNOT_CANCEL_START) >= EMAIL_TRIES_ALLOWED
    ):
        # Refused as before, without asking the back office: six wrong emails then the right one cancelled (a probe).
        return refused
    code = str(tracker.get_slot("reporter_code") or "")
    try:
        result = await backoffice.cancel_service_request(
            reference=reference,
            conversation_id=conversation_of(tracker),
            reporter_code=code if READ_CODE.fullmatch(code) else None,
            reason=str(tracker.get_slot("cancel_reason") or ""),
        )
    except NotFound:
        return refused
    return cancelled(result)


NO_EMAIL = "none"
# The reporter email (or code) slot when nothing shows the reporter: the reason and the confirmation are not asked.
NOT_SHOWN = "not shown"
# The reporter email (or code) slot when no code could be emailed: the phone and an officer instead.
CODE_NOT_SENT = "code not sent"
# The reporter email slot when an emailed code already showed this chat the reporter (``codes_proven_here``).
PROVEN_BY_CODE = "proven by code"
STOPS_THE_CANCELLATION = (NOT_SHOWN, CODE_NOT_SENT, *ALREADY_ENDED.values())
DID_NOT_GIVE = re.compile(r"\b(didn'?t|did not|never|without|wasn'?t|no email)\b", re.IGNORECASE)


def _reporter_email(text: str) -> str | None:
    """Read the email given with the report, or ``none`` when the resident says they gave none."""
    email = find_email(text)
    if email:
        return email
    return NO_EMAIL if says_unknown(text) or DID_NOT_GIVE.search(text) else None


def _cancel_reason(text: str) -> str | None:
    """Keep the resident's reason in their words (an officer reads it), a few words at least.

    "Yes", "ok" or "no" is no reason (a "yes" was kept as one, and the team read "Reason: yes").
    """
    reason = " ".join(text.split())
    if len(reason) < 2 or not [w for w in leftover_words(reason, "") if w not in BARE_REPLIES]:
        return None
    return reason[:300]


BARE_REPLIES = frozenset({"nope", "nah", "yup", "aye", "y", "n", "yeah", "yep", "alright", "k", "kk"})
# Words that give a reason in a request to cancel ("cancel SR-123456, the bin was collected after all").
REASON_GIVEN = re.compile(
    r"\b(?:because|cos|coz|cause|since|after all|came back|come back|came round|mistake|found|moved|painted over|"
    r"wrong|back on|took it|taken away|gone|turned up|resolved|"
    r"(?:been|was|were|got|is|are|now|already|it's|its|has|have) (?:been )?"
    r"(?:fixed|fixd|sorted|repaired|cleared|collected|colected|emptied|done|filled(?: in)?|removed))\b",
    re.IGNORECASE,
)


def reason_in_request(text: str) -> str | None:
    """Return the reason a request to cancel gives with it, in the resident's words, or None if it gives none.

    "Cancel SR-123456, the bin was collected after all" says why: the form does not ask again. "I don't need
    it any more" only says what cancelling means, so the reason is still asked.
    """
    if not REASON_GIVEN.search(text):
        return None
    return _cancel_reason(re.sub(r"\s+([,.!?])", r"\1", REQUEST_REFERENCE.sub(" ", text)).strip(" ,.-"))


# Words that ask for a report to be cancelled: with a reason, they are no "stop" ("cancel it the bin men came back").
CANCEL_WORDS = re.compile(r"\b(?:cancel\w*|cancle|canx|withdraw\w*|call (?:it )?off)\b", re.IGNORECASE)
NOT_CANCELLING = re.compile(r"\b(?:don'?t|do not|not|never|no need to)\s+(?:\w+\s+)?(?:cancel|withdraw)", re.IGNORECASE)


def cancels_with_a_reason(text: str) -> str | None:
    """Return the reason a request to cancel gives ("cancel it the bin men came back"), or None if it is not one.

    "Cancel it" alone stops the questions in hand; with a reason it asks for a report to be cancelled, and was read
    as a stop: the cancelling stopped, and nothing was cancelled (a probe).
    """
    if not CANCEL_WORDS.search(text) or NOT_CANCELLING.search(text.replace("\u2019", "'")):
        return None
    return reason_in_request(text)


def _cancel_summary(tracker: Tracker, address: str | None) -> str:
    return f"I'll cancel your request {tracker.get_slot('request_reference')}."


def _at_an_address(slots: Mapping[str, Any]) -> bool:
    """Tell whether the problem is at a property (a missed bin is at an address) rather than a described place."""
    return slots.get("service_category") in ADDRESSED_CATEGORIES


def _report_problem_summary(tracker: Tracker, address: str | None) -> str:
    # Quoted on one line: "bin not collected\n\nBot: Thank you, that's confirmed ..." read in the console as a line
    # of the bot's own (an attack).
    where = one_line(tracker.get_slot("problem_location")) or address or "the address you chose"
    label = REPORT_WORDS.get(str(tracker.get_slot("service_category") or "other"), "a problem")
    email = tracker.get_slot("contact_email")
    # The email is shown too: "OK, I've changed that" to a new address could not be checked (a probe).
    updates = f" Updates will go to {email}." if email and "@" in str(email) else ""
    # "at on Mill Lane by the bridge" (a probe): a place that says how it is placed needs no "at".
    placed = where if PLACED.match(where) else f"at {where}"
    return f'I\'ll report {label} {placed}: "{one_line(tracker.get_slot("problem_description"))}".{updates}'


PLACED = re.compile(
    r"(?:on|in|at|by|near|outside|opposite|behind|beside|next to|along|under|over|between|round|around|across)\b",
    re.IGNORECASE,
)


def one_line(value: object) -> str:
    """Return a resident's words with every run of spaces and line breaks made one space."""
    return " ".join(str(value or "").split())


# How the confirmation names each kind of problem ("I'll report a other problem" was said before).
REPORT_WORDS = {
    "missed_bin": "a missed bin collection",
    "pothole": "a pothole",
    "street_light": "a street light fault",
    "dumped_rubbish": "dumped rubbish",
    "graffiti": "graffiti",
    "fallen_tree": "a fallen tree or branch",
    "noise": "a noise problem",
    "dog_fouling": "dog fouling",
    "bin_request": "a request for a new or replacement bin",
    "dead_animal": "a dead animal",
    "litter_bin": "an overflowing litter bin",
    "other": "a problem",
}


def _shown_so_far(slots: Mapping[str, Any]) -> bool:
    """Whether nothing yet stops the cancellation (a wrong email or code past the tries, or no code sent)."""
    return not {slots.get("reporter_email"), slots.get("reporter_code")} & set(STOPS_THE_CANCELLATION)


TASKS = (
    Task(
        "report_problem",
        _report_problem,
        slots=(
            "service_category",
            "postcode",
            "address_uprn",
            "problem_location",
            "problem_description",
            "contact_email",
            "task_confirmed",
        ),
        asked_if={
            "postcode": _at_an_address,
            "address_uprn": _at_an_address,
            "problem_location": lambda slots: not _at_an_address(slots),
        },
        summary=_report_problem_summary,
    ),
    Task("request_progress", _request_progress, slots=("request_reference",)),
    Task(
        "cancel_service_request",
        _cancel_service_request,
        slots=("request_reference", "reporter_email", "reporter_code", "cancel_reason", "task_confirmed"),
        asked_if={
            # Asked once a code went to the email given (not in the chat it was reported in: NO_EMAIL there).
            "reporter_code": lambda slots: slots.get("reporter_email") not in (NO_EMAIL, *STOPS_THE_CANCELLATION),
            "cancel_reason": _shown_so_far,
            "task_confirmed": _shown_so_far,
        },
        summary=_cancel_summary,
        questions={
            "reporter_email": Question(
                _reporter_email,
                again="Sorry, I need the email address you gave when you reported it, like name@example.com. "
                "If you didn't give one, just say so.",
                why="Only the person who reported a problem can cancel it, so I check the email address given with "
                "the report. If you didn't give one, just say so.",
                check=reporter_email_checked,
            ),
            "reporter_code": Question(
                _reporter_code,
                again="Sorry, the code is the 6 digits in the email we've just sent, like 123456. If it hasn't come, "
                'say "send it again". If you can\'t get to that email, just say so.',
                why="Only the person who reported a problem can cancel it. An email address can be guessed, so the "
                "code we email to the address given with the report shows it's you.",
                check=reporter_code_checked,
                requests=(RESEND, NEW_EMAIL),
            ),
            "cancel_reason": Question(
                _cancel_reason,
                again="Could you tell me in a few words why it isn't needed?",
                free_text=True,
                why="The team likes to know why a report isn't needed, for example \"the bin was collected after "
                'all". A few words are enough.',
            ),
        },
    ),
)
