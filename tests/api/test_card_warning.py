"""A resident who types a card number is warned once, with the number that takes card payments.

Found by a hostile pass: the hub warned ("... call 01632 960 123", the office-hours line) and the bot, reading
card_payment_attempt in the redacted text, warned again ("... the automated phone line 01632 960 124 (24 hours)"):
two warnings, two numbers. The hub's warning stays (it knows a number was hidden, whatever the bot reads) and
names the payment line; the bot's own warning, named by the REST channel (bot/channels.py), is not repeated.
"""

from __future__ import annotations

import re

from api.settings import ROOT
from council import council_facts
from tests.support.hub import start
from tests.support.rasa_fakes import CARD_DETAILS, rasa_offering_a_person, rasa_refusing_card_details
from tests.support.telegram_hub import SERVICE, outbox, send

PHONE = re.compile(r"0\d{4} \d{3} \d{3}")


def test_a_typed_card_number_gets_one_warning_with_the_payment_line(make_client) -> None:
    client = make_client(rasa_refusing_card_details)
    conversation_id, auth = start(client)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": "can I pay with 4111 1111 1111 1111 please"},
        headers=auth,
    )

    replies = [m["text"] for m in response.json()["messages"]]
    warnings = [text for text in replies if "card details" in text]
    assert len(warnings) == 1, replies
    assert PHONE.findall(warnings[0]) == [council_facts().payment_phone]
    assert replies[-1] == "Anything else?"


def test_telegram_gets_one_warning_too(make_client) -> None:
    client = make_client(rasa_refusing_card_details, SERVICE)

    send(client, "my card is 4111 1111 1111 1111", update_id=1)

    texts = [m["text"] for m in outbox(client)]
    assert len([text for text in texts if "card details" in text]) == 1, texts


def test_the_bots_warning_is_kept_when_nothing_was_hidden(make_client) -> None:
    """'can I give you my card number?' holds no number: the hub says nothing, so the bot's warning is the one."""
    client = make_client(rasa_refusing_card_details)
    conversation_id, auth = start(client)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": "can I give you my card number?"},
        headers=auth,
    )

    assert [m["text"] for m in response.json()["messages"]] == [CARD_DETAILS, "Anything else?"]


def test_the_hub_and_the_bot_name_the_same_payment_line() -> None:
    facts = council_facts()
    domain = (ROOT / "domain" / "payments.yml").read_text()
    [bots] = [line for line in domain.splitlines() if "Please don't type card details" in line]
    assert PHONE.findall(bots) == [facts.payment_phone]
    assert f"{facts.payment_phone}, 24 hours a day" in (ROOT / "knowledge" / "how-to-pay.md").read_text()


def test_an_ordinary_echo_still_follows_the_warning(make_client) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages", json={"text": "4111 1111 1111 1111"}, headers=auth
    )

    texts = [m["text"] for m in response.json()["messages"]]
    assert "card details" in texts[0] and texts[1] == "You said: [card number removed, ending 1111]"
