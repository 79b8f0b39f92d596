"""Answer questions whose answers are knowledge articles (opening hours, contact details, what I can do).

Every article answer, and every reply to a question the bot could not answer, carries a marker in its
custom JSON (``{"knowledge": {...}}``) that the hub reads: the article it quoted (so residents can say
whether it helped) and, for a miss, a clarifying question or a low-confidence answer, what kind of gap it
was (so supervisors see which article to write next). Rasa's REST channel sends the marker as its own
item straight after the text; the hub folds it into the reply it follows.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import apologise_for_failure
from bot.knowledge import Article, ArticleError, get_knowledge
from bot.search import misroute

log = logging.getLogger(__name__)


class ActionAnswerFromKnowledge(Action):
    """Say the article that answers the resident's intent, with its source link."""

    def name(self) -> str:
        return "action_answer_from_knowledge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[dict[str, Any]]:
        intent = tracker.latest_message.get("intent", {}).get("name", "")
        entities = {e["entity"]: str(e.get("value")) for e in tracker.latest_message.get("entities", [])}
        try:
            redirected = misroute(tracker.latest_message.get("text") or "", intent, get_knowledge().articles())
            article = redirected or get_knowledge().for_intent(intent, entities)
        except (ArticleError, OSError) as error:
            log.error("knowledge unreadable: %s", error)
            article = None
        if article is None:
            log.error("no knowledge article answers intent %s", intent)
            apologise_for_failure(dispatcher)
            return []
        say_article(dispatcher, article)
        # An emergency's rule goes on to hand over as urgent: a barking dog answered instead must not.
        return [FollowupAction("action_listen")] if redirected is not None else []


# Kinds of knowledge gap the hub records: nothing found, a clarifying question, a guess from a middling match.
GAP_UNANSWERED = "unanswered"
GAP_CLARIFIED = "clarified"
GAP_LOW_CONFIDENCE = "low_confidence"


def knowledge_marker(*, article: Article | None = None, gap: str | None = None) -> dict[str, Any]:
    """Return the custom JSON that tells the hub which article a reply quoted and whether it was a gap."""
    return {"knowledge": {"article": article.slug if article else None, "gap": gap}}


def say_article(dispatcher: CollectingDispatcher, article: Article, *, gap: str | None = None) -> None:
    """Say an article's answer and its source link (``gap``: it was only the best guess at the question)."""
    # One blank-line-free message: Rasa's channels split a text into separate messages at blank lines.
    dispatcher.utter_message(text=f"{article.answer}\nMore: {article.source}",
                             json_message=knowledge_marker(article=article, gap=gap))


def misrouted_article(tracker: Tracker) -> Article | None:
    """Return the article the message names if its intent would start the wrong task, else None."""
    intent = tracker.latest_message.get("intent", {}).get("name", "")
    try:
        article = misroute(tracker.latest_message.get("text") or "", intent, get_knowledge().articles())
    except (ArticleError, OSError) as error:
        log.error("knowledge unreadable: %s", error)
        return None
    if article is not None:
        log.info("intent %s redirected to article %s", intent, article.slug)
    return article
