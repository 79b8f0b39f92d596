"""One redactor on every way text reaches the hub: what the bot hands over, and the API's own log."""

from __future__ import annotations

import logging

from sqlalchemy import select

from api.conversations.models import Handoff
from tests.api.console_helpers import SERVICE
from tests.api.rasa_fakes import rasa_offering_a_person
from tests.api.test_chat import start

CARD = "4111.1111.1111.1111"


def test_a_card_number_in_a_handoff_packet_from_the_bot_is_hidden(make_client, open_session, database_url) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, _ = start(client)

    response = client.post(f"/api/v1/conversations/{conversation_id}/handoffs", headers=SERVICE, json={
        "reason": "payment_difficulty", "topic": "payments", "summary": f"Resident typed {CARD} exp 12/27",
        "wanted": f"pay with {CARD}", "collected": {"note": f"card {CARD} cvv 123", "postcode": "TN41 6PA"}})

    assert response.status_code == 201
    with open_session(database_url) as session:
        handoff = session.scalars(select(Handoff)).one()
    assert handoff.summary == "Resident typed [card number removed, ending 1111] exp [expiry date removed]"
    assert handoff.packet == {"topic": "payments", "wanted": "pay with [card number removed, ending 1111]",
                              "collected": {"note": "card [card number removed, ending 1111] cvv "
                                                    "[security code removed]", "postcode": "TN41 6PA"}}


def test_the_apis_log_never_holds_a_card_number(make_client, caplog) -> None:
    make_client(rasa_offering_a_person)  # the app puts its filter on the log's handlers

    logging.getLogger("api.anything").warning("resident wrote %s", f"my card is {CARD} 123")

    assert "resident wrote my card is [card number removed, ending 1111] [security code removed]" in caplog.text
    assert "1111.1111" not in caplog.text
