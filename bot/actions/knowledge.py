"""Answer questions whose answers are knowledge articles (opening hours, contact details, what I can do)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import apologise_for_failure
from bot.knowledge import ArticleError, get_knowledge

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
            article = get_knowledge().for_intent(intent, entities)
        except (ArticleError, OSError) as error:
            log.error("knowledge unreadable: %s", error)
            article = None
        if article is None:
            log.error("no knowledge article answers intent %s", intent)
            apologise_for_failure(dispatcher)
            return []
        # One blank-line-free message: Rasa's channels split a text into separate messages at blank lines.
        dispatcher.utter_message(text=f"{article.answer}\nMore: {article.source}")
        return []
