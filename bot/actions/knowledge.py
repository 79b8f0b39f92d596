"""Answer questions whose answers are knowledge articles (opening hours, contact details, what I can do)."""

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


def say_article(dispatcher: CollectingDispatcher, article: Article) -> None:
    """Say an article's answer and its source link."""
    # One blank-line-free message: Rasa's channels split a text into separate messages at blank lines.
    dispatcher.utter_message(text=f"{article.answer}\nMore: {article.source}")


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
