"""Answer questions whose answers are knowledge articles (opening hours, contact details, what I can do).

Also home of the two replies search gives (an article with its link, or a clarifying question with the
likeliest articles as buttons), used here, by the task and payment-help actions when bot/routing.py says
another article answers the message better than its intent, and by the fallback.

Every article answer, and every reply to a question the bot could not answer, carries a marker in its
custom JSON (``{"knowledge": {...}}``) that the hub reads: the article it quoted (so residents can say
whether it helped) and, for a miss, a clarifying question or a low-confidence answer, what kind of gap it
was (so supervisors see which article to write next). Rasa's REST channel sends the marker as its own
item straight after the text; the hub folds it into the reply it follows.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import apologise_for_failure, council_phone
from bot.actions.electoral import COUNCIL_TAX
from bot.actions.follow_ups import follow_up_answer
from bot.actions.form_answers import REPORTED_RELATION, leftover_words, report_kind_told
from bot.actions.handoff import ActionRequestOfficer, account_number_not_needed, complaint_details
from bot.actions.service_requests import answer_at_the_invitation, say_reply
from bot.actions.task_kit import OPENING_WORDS, last_bot_text, taken_back
from bot.actions.two_requests import offer_the_second, requests_in, second_request
from bot.knowledge import Article, ArticleError, get_knowledge
from bot.names import HANDOFF_INTENTS
from bot.parsing import TELLS_OF_A_DEATH, find_email, voter_category_in
from bot.routing import instead, is_a_clear_emergency, wants_a_person
from bot.search import Decision
from bot.topics import describe

log = logging.getLogger(__name__)
CLARIFY = "I'm not sure which of these you mean. Is it one of them?"
# What a task's button says in a clarifying question, in the resident's words.
TASK_TITLES = {
    "report_problem": "Report a problem",
    "council_tax_balance": "Check my council tax balance",
    "recovery_notice": "A council tax reminder or summons",
    "report_death_or_left": "Update the register",
}
NONE_OF_THESE = {"title": "None of these", "payload": "/deny"}


def only_an_email(text: str) -> bool:
    """Tell whether ``text`` gives an email address and nothing else ("it's x@y.com", "x@y.com thanks")."""
    email = find_email(text)
    return email is not None and not leftover_words(text, email)


class ActionAnswerFromKnowledge(Action):
    """Say the article that answers the resident's intent, with its source link."""

    def name(self) -> str:
        return "action_answer_from_knowledge"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        intent = tracker.latest_message.get("intent", {}).get("name", "")
        if (reply := answer_at_the_invitation(tracker)) is not None:
            return say_reply(dispatcher, reply)
        if only_an_email(str(tracker.latest_message.get("text") or "")):
            # "bethan.wright@example.com thanks", read as contact_details, got the council's own addresses: an
            # email on its own is a detail given, answered as one (the request it was asked for goes on). Run here,
            # not as a follow-up action: after one, no rule matched, the fallback was predicted eight times over
            # ("Sorry, I didn't quite get that" x 8) and Rasa's circuit breaker left the chat dead (a probe).
            from bot.actions.tasks import ActionDetailsWithoutTask  # tasks imports this module

            return await ActionDetailsWithoutTask().run(dispatcher, tracker, domain)
        if intent not in HANDOFF_INTENTS and (noted := complaint_details(dispatcher, tracker)) is not None:
            return noted
        from bot.actions.session import logged_out_events  # it imports the registry, which imports this

        if (logged_out := await logged_out_events(dispatcher, tracker)) is not None:
            return logged_out
        if (about_it := about_the_last_reply(dispatcher, tracker)) is not None:
            return about_it
        if intent == "moved_home" and someone_else_moved_out(str(tracker.latest_message.get("text") or "")):
            # "my son has moved out to uni, how do i take him off" got "When you move, you must register again at your
            # new address" (a probe): someone else's move is a report that they left.
            from bot.actions.task_form import start_task_events  # task_form imports this module

            return [*start_task_events(tracker, task="report_death_or_left"), FollowupAction("task_form")]
        from bot.actions.tasks import going_back_events  # tasks imports this module

        if intent != "emergency" and (going_back := going_back_events(tracker)) is not None:
            return going_back
        if intent == "emergency" and says_everyone_is_safe(tracker):
            # "ok everyone is safe now" after the offer to carry on once safe was read as another emergency: 999
            # advice again and a second urgent request (a check of this session's change). It takes up the offer.
            return [FollowupAction("task_form")]
        if intent == "emergency" and (news := news_of_the_emergency(dispatcher, tracker)) is not None:
            return news
        # Asked outright for a person ("... and I want to speak to a real person"): hand over, not an article.
        # Complaints, emergencies and payment difficulty hand over by their own rules after the answer.
        if intent not in HANDOFF_INTENTS and wants_a_person(tracker.latest_message.get("text") or ""):
            return await ActionRequestOfficer().run(dispatcher, tracker, domain)
        text = str(tracker.latest_message.get("text") or "")
        second = second_request(text, intent)
        # One of two requests made ("... and when is my bin day") is answered as asked: searched whole, the message
        # named the other's article and this one was lost.
        one_of_two = second is not None and intent in {request.intent for request in requests_in(text)}
        entities = entities_of(tracker.latest_message)
        # Who a registration question is for names its article: searched, "I am a university student, how do I
        # register to vote" got the student council tax article.
        particular = intent == "how_to_register" and "voter_category" in entities
        # An emergency's rule goes on to hand over as urgent: a barking dog answered instead must not.
        if not one_of_two and not particular and say_decision(dispatcher, decision_instead(tracker)):
            return [FollowupAction("action_listen")]
        try:
            article = get_knowledge().for_intent(intent, entities)
        except (ArticleError, OSError) as error:
            log.error("knowledge unreadable: %s", error)
            article = None
        if article is None:
            log.error("no knowledge article answers intent %s", intent)
            apologise_for_failure(dispatcher)
            return []
        say_article(dispatcher, article)
        if second is not None and not tracker.get_slot("requested_slot"):
            # "What are your opening hours and when is my bin day": the other request, offered once this is answered.
            offer, buttons = offer_the_second(second)
            dispatcher.utter_message(text=offer, buttons=buttons)
        return kept_for_the_offer(article, text)


# "everyone is safe now", "we're all ok", "nobody was hurt": the danger is over.
SAFE_NOW = re.compile(
    r"\b(?:every(?:one|body)|we|i|they|all|he|she)(?:'?re|'?m|'s| is| are| am| was| were)? (?:all )?"
    r"(?:safe|ok|okay|fine|alright|out)\b|\b(?:all|safe) (?:safe|now)\b|"
    r"\bno ?(?:one|body)(?:'s| is| was)? (?:hurt|injured)\b",
    re.IGNORECASE,
)


def says_everyone_is_safe(tracker: Tracker) -> bool:
    """Whether the resident, offered to carry on with a task once safe, says they are safe (and no new danger)."""
    from bot.actions.tasks import carry_on_pending  # tasks imports this module

    text = str(tracker.latest_message.get("text") or "").replace("\u2019", "'")
    return carry_on_pending(tracker) and bool(SAFE_NOW.search(text)) and not is_a_clear_emergency(text)


def news_of_the_emergency(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]] | None:
    """Answer news of an emergency already handed over ("the fire brigade are here now, they got him out").

    It was read as a new emergency: the 999 advice and the handover again (a probe). Only danger in clear words
    (someone trapped, a fire) is; anything else is noted for the officer, with the offer to carry on.
    """
    from bot.actions.handoff import CARRY_ON_BUTTON
    from bot.actions.tasks import carry_on_pending

    text = str(tracker.latest_message.get("text") or "").replace("\u2019", "'")
    if not carry_on_pending(tracker) or is_a_clear_emergency(EMERGENCY_SERVICES.sub(" ", text)):
        return None
    dispatcher.utter_message(text=EMERGENCY_NEWS, buttons=[CARRY_ON_BUTTON])
    return [FollowupAction("action_listen")]


# Those who came: "the fire brigade are here now" tells of no new fire.
EMERGENCY_SERVICES = re.compile(
    r"\b(?:the )?(?:fire ?(?:brigade|service|engines?|crews?|fighters?|men)|firefighters|ambulances?|paramedics|"
    r"police)\b",
    re.IGNORECASE,
)
EMERGENCY_NEWS = (
    "Thank you for letting us know: the officer will see it. If anyone is still in danger, call 999. When you're "
    "ready, I can carry on from where we left off."
)


# Kinds of knowledge gap the hub records: nothing found, a clarifying question, a guess from a middling match.
GAP_UNANSWERED = "unanswered"
GAP_CLARIFIED = "clarified"
GAP_LOW_CONFIDENCE = "low_confidence"


def knowledge_marker(*, article: Article | None = None, gap: str | None = None) -> dict[str, Any]:
    """Return the custom JSON that tells the hub which article a reply quoted and whether it was a gap."""
    return {"knowledge": {"article": article.slug if article else None, "gap": gap}}


def about_the_last_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Answer a message that is about the bot's last reply, whatever intent it was read as, or None.

    Words taking back what was just recorded ("actually can you cancel that, my neighbour says he's moving it" was
    read as moving home, "sorry I hit the wrong button" as out of scope: probes) go to the undo; "I don't know my
    account number" after the offer of help to pay keeps the offer; a question about council tax after a death gets
    its article. Run first by the actions that answer from the articles and that handle a miss.
    """
    if taken_back(tracker) is not None:
        return [FollowupAction("action_stop_with_nothing_to_stop")]
    if (not_needed := account_number_not_needed(dispatcher, tracker)) is not None:
        return not_needed
    if (elsewhere := document_elsewhere(dispatcher, tracker)) is not None:
        return elsewhere
    if (follow_up := answered_as_a_follow_up(dispatcher, tracker)) is not None:
        return follow_up
    return council_tax_after_a_death(dispatcher, tracker)


def answered_as_a_follow_up(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Answer a short follow-up about the article just given from its lines (bot.actions.follow_ups), or None.

    "wat do i need" after the register-to-vote article got the help menu, and "how much?" the council tax balance's
    account question (probes).
    """
    follow_up = follow_up_answer(tracker)
    if follow_up is None:
        return None
    article, lines = follow_up
    dispatcher.utter_message(text=lines, json_message=knowledge_marker(article=article) if article else None)
    return [FollowupAction("action_listen")]


# "can it go to rita.r@workplace.co.uk instead" after a receipt was emailed got a choice of planning articles (a
# probe): documents go only to the address held for the account, and that is said again with how to change it.
ANOTHER_EMAIL = re.compile(
    r"@|\b(?:work|other|different|new|another|personal|husband'?s|wife'?s)\s+e-?mail\b|\binstead\b", re.IGNORECASE
)
# Where receipts and statements go, said before a receipt asked for another email and after one was sent.
ONLY_THE_EMAIL_HELD = (
    "for your security, I can only send receipts and statements to the email address we already hold for your "
    "council tax account"
)
DOCUMENTS_GO_TO_THE_EMAIL_HELD = (
    f"F{ONLY_THE_EMAIL_HELD[1:]}. To change that address, please call us on {{phone}}; once it's changed, ask me again."
)


def document_elsewhere(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Answer a request to send the document just emailed to another address, or None."""
    text = str(tracker.latest_message.get("text") or "")
    if tracker.get_slot("requested_slot") or "we only send documents there" not in last_bot_text(tracker):
        return None
    if not ANOTHER_EMAIL.search(text):
        return None
    dispatcher.utter_message(text=DOCUMENTS_GO_TO_THE_EMAIL_HELD.format(phone=council_phone()))
    return [FollowupAction("action_listen")]


def council_tax_after_a_death(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """Answer a question about council tax after someone died with sympathy and its article, or None.

    "my dad died on sunday, what do i do about his council tax" got a choice of council tax exemptions, registering a
    death and council car parks (a probe), and before that the refusal to discuss someone else's account. The
    register can be updated from the answer's button.
    """
    text = str(tracker.latest_message.get("text") or "")
    if tracker.get_slot("requested_slot") or not (TELLS_OF_A_DEATH.search(text) and COUNCIL_TAX.search(text)):
        return None
    try:
        article = get_knowledge().article("council-tax-after-death")
    except (ArticleError, OSError, KeyError):
        return None
    task = "report_death_or_left"
    dispatcher.utter_message(
        text=f"I'm so sorry for your loss. {article.answer}\nMore: {article.source}\n{TASK_OFFERS[task]}",
        buttons=[task_button(task)],
        json_message=knowledge_marker(article=article),
    )
    return [SlotSet(OPENING_WORDS, text[:1000]), FollowupAction("action_listen")]


def someone_else_moved_out(text: str) -> bool:
    """Whether ``text`` tells that another person moved out ("my son has moved out to uni"), not the resident."""
    return report_kind_told(text) == "left_address" and REPORTED_RELATION.search(text) is not None


# An answer that offers to take a report here ("You can report it in this chat").
# Dots inside a link are no sentence's end ("report it to us at https://www.ashdownvale.gov.uk/... or in this chat").
REPORT_OFFERED = re.compile(r"\breport\b(?:[^.]|\.(?!\s)){0,120}?\b(?:in|here in) this chat\b", re.IGNORECASE)


def kept_for_the_offer(article: Article | None, text: str) -> list[EventType]:
    """Keep the words an answer offering a task was given for: the task starts from them when taken up.

    "my husband passed away, his name was Peter Gray, we live at 5 Priory Walk TN44 3LW", then "Update the register",
    was asked his name again (a probe): the tracker store keeps no resident's text to read it from later. So was the
    graffiti "all over the bus shelter on Priory Walk" once "report it in this chat please" took up the answer's offer.
    """
    if article is None or not (article.slug in TASK_AFTER_ARTICLE or REPORT_OFFERED.search(article.answer)):
        return []
    return [SlotSet(OPENING_WORDS, text[:1000])]


def say_article(dispatcher: CollectingDispatcher, article: Article, *, gap: str | None = None) -> None:
    """Say an article's answer and its source link (``gap``: it was only the best guess at the question)."""
    # One blank-line-free message: Rasa's channels split a text into separate messages at blank lines.
    task = TASK_AFTER_ARTICLE.get(article.slug)
    dispatcher.utter_message(
        text=f"{article.answer}\nMore: {article.source}" + (f"\n{TASK_OFFERS[task]}" if task else ""),
        buttons=[task_button(task)] if task else [],
        json_message=knowledge_marker(article=article, gap=gap),
    )


# An article that leaves the resident with something this chat can do next: "my husband passed away" got the
# register office's answer and no way to update the register, then "What would you like me to do with that?" (a
# probe). The task is offered with a button.
TASK_AFTER_ARTICLE = {"register-a-death": "report_death_or_left"}
TASK_OFFERS = {"report_death_or_left": "I can also let our electoral services team know now, if you like."}


def choice_button(article: Article) -> dict[str, str]:
    """Return the button that picks ``article`` in a clarifying question."""
    return {"title": article.title, "payload": "/out_of_scope" + json.dumps({"article": article.slug})}


def entities_of(message: dict[str, Any]) -> dict[str, str]:
    """Return the values that pick an article: the message's entities, and who a registration question is for.

    The latter is read from the words (bot.parsing.voter_category_in), not left to the entity extractor.
    """
    entities = {e["entity"]: str(e.get("value")) for e in message.get("entities", [])}
    category = voter_category_in(str(message.get("text") or ""))
    if category is not None:
        entities["voter_category"] = category
    return entities


def say_decision(dispatcher: CollectingDispatcher, decision: Decision, *, mark: bool = False) -> bool:
    """Say the article search chose, or ask which of its choices the resident means; say whether it said anything.

    A single choice is answered outright: a question with one button and "None of these" asks nothing. With
    ``mark``, a clarifying question or a single middling choice is marked as a knowledge gap.
    """
    if decision.answer is not None:
        say_article(dispatcher, decision.answer)
    elif len(decision.choices) == 1 and not decision.task:
        say_article(dispatcher, decision.choices[0], gap=GAP_LOW_CONFIDENCE if mark else None)
    elif decision.choices:
        task = [task_button(decision.task)] if decision.task else []
        dispatcher.utter_message(
            text=CLARIFY,
            buttons=[*map(choice_button, decision.choices), *task, NONE_OF_THESE],
            json_message=knowledge_marker(gap=GAP_CLARIFIED if mark else None),
        )
    return decision.answer is not None or bool(decision.choices)


def task_button(task: str) -> dict[str, str]:
    """Return the button that starts ``task`` (its intent as the payload, which the rules start it from)."""
    return {"title": TASK_TITLES.get(task, describe(task)), "payload": f"/{task}"}


def decision_instead(tracker: Tracker) -> Decision:
    """Return what answers the latest message better than its intent (bot.routing.instead); empty if nothing."""
    parsed = tracker.latest_message.get("intent") or {}
    intent = str(parsed.get("name") or "")
    try:
        decision = instead(
            tracker.latest_message.get("text") or "",
            intent,
            get_knowledge().articles(),
            float(parsed.get("confidence") or 0.0),
        )
    except (ArticleError, OSError) as error:
        log.error("knowledge unreadable: %s", error)
        return Decision()
    if decision.answer is not None or decision.choices:
        log.info("intent %s answered from the articles instead", intent)
    return decision
