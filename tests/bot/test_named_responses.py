"""The REST channel names the domain response each reply came from, so the hub can leave out a repeated warning.

A resident who typed a card number was warned by the hub and again by the bot (utter_card_details) with another
phone number; the hub now drops the bot's one when it has warned, and knows it by this name, not by its words.
"""

from __future__ import annotations

import asyncio

from rasa.core.actions.action import create_bot_utterance
from rasa.core.channels import rest

from bot import channels


def collected(message: dict[str, object]) -> list[dict[str, object]]:
    """What the REST webhook answers for one bot utterance, as Rasa's processor sends it to the collector."""
    collector = rest.CollectingOutputChannel()
    asyncio.run(collector.send_response("resident", create_bot_utterance(message).message()))
    return collector.messages


def test_the_webhooks_collector_is_the_projects() -> None:
    assert rest.CollectingOutputChannel is channels.NamedResponses


def test_a_response_from_the_domain_is_named_in_what_the_hub_is_sent() -> None:
    [item] = collected({"text": "Please don't type card details in this chat.", "utter_action": "utter_card_details"})

    assert item["text"] == "Please don't type card details in this chat."
    assert item["response"] == "utter_card_details"


def test_every_item_of_a_response_with_buttons_and_custom_json_is_named() -> None:
    items = collected(
        {
            "text": "Anything else?",
            "buttons": [{"title": "No", "payload": "/deny"}],
            "custom": {"ask_rating": True},
            "utter_action": "utter_anything_else",
        }
    )

    assert [item.get("response") for item in items] == ["utter_anything_else", "utter_anything_else"]


def test_a_message_an_action_wrote_has_no_name() -> None:
    [item] = collected({"text": "Your bin day is Tuesday."})

    assert "response" not in item
