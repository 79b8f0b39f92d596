"""One redactor on every way text reaches the hub: residents' messages (also split over two), what the bot
hands over, what officers see, and the API's own log."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.conversations.card_guard import SPLIT_WINDOW
from api.conversations.models import Handoff, Message, Note
from api.db import utcnow
from api.knowledge_gaps.models import KnowledgeGap
from api.service_requests.models import ServiceRequest
from api.settings import DEV_TELEGRAM_TOKEN
from tests.support.backoffice_api import granted
from tests.support.console import add_officers, page_csrf, resident_waiting, sign_in
from tests.support.hub import resident_texts, say, start
from tests.support.rasa_fakes import rasa_offering_a_person, rasa_with_knowledge

CARD = "4111.1111.1111.1111"
TELEGRAM = {"Authorization": f"Bearer {DEV_TELEGRAM_TOKEN}"}


def test_a_card_number_in_a_handoff_packet_from_the_bot_is_hidden(make_client, open_session, database_url) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, _ = start(client)

    response = client.post(
        f"/api/v1/conversations/{conversation_id}/handoffs",
        headers=granted(conversation_id),
        json={
            "reason": "payment_difficulty",
            "topic": "payments",
            "summary": f"Resident typed {CARD} exp 12/27",
            "wanted": f"pay with {CARD}",
            "collected": {"note": f"card {CARD} cvv 123", "postcode": "TN41 6PA"},
        },
    )

    assert response.status_code == 201
    with open_session(database_url) as session:
        handoff = session.scalars(select(Handoff)).one()
    assert handoff.summary == "Resident typed [card number removed, ending 1111] exp [expiry date removed]"
    assert handoff.packet == {
        "topic": "payments",
        "wanted": "pay with [card number removed, ending 1111]",
        "collected": {
            "note": "card [card number removed, ending 1111] cvv [security code removed]",
            "postcode": "TN41 6PA",
        },
    }


def test_the_apis_log_never_holds_a_card_number(make_client, caplog) -> None:
    make_client(rasa_offering_a_person)  # the app puts its filter on the log's handlers

    logging.getLogger("api.anything").warning("resident wrote %s", f"my card is {CARD} 123")

    assert "resident wrote my card is [card number removed, ending 1111] [security code removed]" in caplog.text
    assert "1111.1111" not in caplog.text


# ----- a number split over two messages -----


def test_a_card_number_split_over_two_web_messages_is_hidden_in_both(
    make_client, rasa_calls, open_session, database_url
) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    first = say(client, conversation_id, auth, "my card is 4111 1111")
    second = say(client, conversation_id, auth, "1111 1111 is that ok?")

    assert first["rewritten"] == []
    # The widget replaces the earlier bubbles with these texts (the bot had repeated what was typed).
    assert [(m["sender"], m["text"]) for m in second["rewritten"]] == [
        ("resident", "my card is [card number removed]"),
        ("bot", "You said: my card is [card number removed]"),
    ]
    assert second["messages"][0]["sender"] == "system" and "don't type card details" in second["messages"][0]["text"]
    assert rasa_calls[1]["message"] == "[card number removed, ending 1111] is that ok?"
    transcript = client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=auth).json()["messages"]
    assert [m["text"] for m in transcript if m["sender"] == "resident"] == [
        "my card is [card number removed]",
        "[card number removed, ending 1111] is that ok?",
    ]
    with open_session(database_url) as session:
        stored = " ".join(session.scalars(select(Message.text)))
    assert "4111" not in stored


def test_a_card_number_split_with_words_before_the_later_piece_is_hidden_in_both(
    make_client, open_session, database_url
) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    say(client, conversation_id, auth, "first bit 4111 1111")
    second = say(client, conversation_id, auth, "next bit 1111 1111")

    assert [(m["sender"], m["text"]) for m in second["rewritten"]] == [
        ("resident", "first bit [card number removed]"),
        ("bot", "You said: first bit [card number removed]"),
    ]
    with open_session(database_url) as session:
        stored = list(session.scalars(select(Message.text).where(Message.sender == "resident")))
    assert stored == ["first bit [card number removed]", "next bit [card number removed, ending 1111]"]


def test_a_card_number_in_a_pasted_link_is_hidden_before_it_is_stored(make_client, open_session, database_url) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    reply = say(client, conversation_id, auth, "https://pay.example/?card=4111%201111%201111%201111")

    assert reply["messages"][0]["sender"] == "system" and "don't type card details" in reply["messages"][0]["text"]
    with open_session(database_url) as session:
        stored = " ".join(session.scalars(select(Message.text)))
    assert "4111" not in stored and "https://pay.example/?card=[card number removed, ending 1111]" in stored


def test_messages_sent_long_apart_are_not_read_as_one_number(make_client, open_session, database_url) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    say(client, conversation_id, auth, "my card is 4111 1111")
    with open_session(database_url) as session:
        session.execute(update(Message).values(created_at=utcnow() - SPLIT_WINDOW - timedelta(minutes=1)))
        session.commit()

    later = say(client, conversation_id, auth, "1111 1111")

    assert later["rewritten"] == []
    transcript = client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=auth).json()["messages"]
    assert [m["text"] for m in transcript if m["sender"] == "resident"] == ["my card is 4111 1111", "1111 1111"]


def test_a_phone_number_then_an_account_number_are_left_alone(make_client) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    say(client, conversation_id, auth, "01632 960123")
    assert say(client, conversation_id, auth, "12345678")["rewritten"] == []
    say(client, conversation_id, auth, "4111 1111 1111")
    assert say(client, conversation_id, auth, "5")["rewritten"] == []  # 4111 1111 1111 5 is no card


def test_telegram_is_told_to_delete_the_earlier_message_too(make_client) -> None:
    client = make_client(rasa_offering_a_person, TELEGRAM)

    first = client.post("/api/v1/telegram/updates", json={"update_id": 1, "chat_id": 42, "text": "4111 1111 1111"})
    second = client.post("/api/v1/telegram/updates", json={"update_id": 2, "chat_id": 42, "text": "1111 12/27"})

    assert first.json()["card_number_hidden"] is False and first.json()["earlier_hidden"] == []
    assert second.json()["card_number_hidden"] is True
    # The bridge deletes the resident's earlier message, and the bot's reply that repeated it.
    earlier = second.json()["earlier_hidden"]
    assert earlier[0] == first.json()["message_id"] and len(earlier) == 2
    outbox = client.get("/api/v1/telegram/outbox").json()["messages"]
    assert [m["text"] for m in outbox if m["message_id"] == earlier[1]] == ["You said: [card number removed]"]


def test_the_officer_console_is_given_the_rewritten_message(make_client, open_session, database_url) -> None:
    with open_session(database_url) as session:
        add_officers(session)
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    officer = TestClient(client.app)
    assert sign_in(officer, "focus").status_code == 303
    say(client, conversation_id, auth, "card 5500 0000")  # the bot echoes it; then the resident asks for a person
    asked = client.post(f"/api/v1/conversations/{conversation_id}/handoffs", json={}, headers=granted(conversation_id))
    assert asked.status_code == 201
    seen = officer.get(f"/console/api/conversations/{conversation_id}?after=0").json()["messages"]
    fragment = next(m for m in seen if m["sender"] == "resident")
    echo = next(m for m in seen if m["text"].startswith("You said"))

    say(client, conversation_id, auth, "0000 0004 exp 01/28")

    update_ = officer.get(f"/console/api/conversations/{conversation_id}?after={seen[-1]['id']}").json()
    # The page puts these texts in place of the lines it shows (the bot's echo repeated the fragment).
    assert [(m["id"], m["text"]) for m in update_["rewritten"]] == [
        (fragment["id"], "card [card number removed]"),
        (echo["id"], "You said: card [card number removed]"),
    ]
    assert update_["messages"][0]["text"] == "[card number removed, ending 0004] exp [expiry date removed]"


def test_an_officers_reply_and_note_lose_a_card_number_however_typed(make_client, open_session, database_url) -> None:
    with open_session(database_url) as session:
        add_officers(session)
    client = make_client(rasa_offering_a_person)
    conversation_id, _, reference = resident_waiting(client)
    officer = TestClient(client.app)
    assert sign_in(officer, "focus").status_code == 303
    csrf = {"X-CSRF-Token": page_csrf(officer), "Accept": "application/json"}
    assert officer.post(f"/console/handoffs/{reference}/claim", headers=csrf).status_code == 200

    officer.post(
        f"/console/conversations/{conversation_id}/messages",
        headers=csrf,
        data={"text": "Did you mean 4111\u00a01111\u00a01111\u00a01111, expiry 12/27?"},
    )
    officer.post(
        f"/console/conversations/{conversation_id}/notes",
        headers=csrf,
        data={"text": "Resident read out 5500/0000/0000/0004 cvv 123"},
    )

    with open_session(database_url) as session:
        reply = session.scalars(select(Message.text).where(Message.sender == "officer")).one()
        note = session.scalars(select(Note.text)).one()
    assert reply == "Did you mean [card number removed, ending 1111], expiry [expiry date removed]?"
    assert note == "Resident read out [card number removed, ending 0004] cvv [security code removed]"


def test_the_first_piece_of_a_split_number_is_hidden_in_the_knowledge_gap_it_left_too(
    make_client, open_session, database_url
) -> None:
    # The bot did not understand the first piece, so the hub kept it as a knowledge gap's question.
    client = make_client(rasa_with_knowledge)
    conversation_id, auth = start(client)
    say(client, conversation_id, auth, "my card is 4111.1111")
    say(client, conversation_id, auth, "1111.1111 thanks")
    with open_session(database_url) as session:
        questions = list(session.scalars(select(KnowledgeGap.question).order_by(KnowledgeGap.id)))
    assert questions == ["my card is [card number removed]", "[card number removed, ending 1111] thanks"]


# ----- the expiry date and code sent in messages of their own -----


def test_a_code_sent_after_the_card_number_and_expiry_date_in_messages_of_their_own_is_hidden(
    make_client, open_session, database_url
) -> None:
    """A resident reading a card aloud sends the number, then the expiry date, then the code: none is kept."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    say(client, conversation_id, auth, "4111111111111111")
    say(client, conversation_id, auth, "12/27")
    say(client, conversation_id, auth, "123")
    say(client, conversation_id, auth, "4111 1111 1111 1111 12/27")
    say(client, conversation_id, auth, "456")

    stored = resident_texts(open_session, database_url)
    assert stored == [
        "[card number removed, ending 1111]",
        "[expiry date removed]",
        "[security code removed]",
        "[card number removed, ending 1111] [expiry date removed]",
        "[security code removed]",
    ]


def test_a_number_sent_after_an_expiry_date_without_a_card_number_stays(
    make_client, open_session, database_url
) -> None:
    """Only after a hidden card number: a date then a house number in its own message are kept as typed."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    say(client, conversation_id, auth, "bin day 12/27")
    say(client, conversation_id, auth, "123")
    say(client, conversation_id, auth, "[expiry date removed]")
    say(client, conversation_id, auth, "456")

    stored = resident_texts(open_session, database_url)
    assert stored == ["bin day 12/27", "123", "[expiry date removed]", "456"]


def test_years_sent_one_a_message_are_stored_as_typed(make_client, open_session, database_url) -> None:
    """Years of arrears listed one a message read as four groups of a card when joined (hostile review #158)."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    replies = [say(client, conversation_id, auth, year) for year in ["2015", "2016", "2017", "2018"]]

    assert all(reply["rewritten"] == [] for reply in replies)
    stored = resident_texts(open_session, database_url)
    assert stored == ["2015", "2016", "2017", "2018"]


def test_a_code_sent_after_its_label_with_the_card_number_five_messages_back_is_hidden(
    make_client, open_session, database_url
) -> None:
    """Number, "exp", date, "cvv", code, one a message: the card was out of the three read (hostile review #169)."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    for text in ["4111 1111 1111 1111", "exp", "12/27", "cvv", "123"]:
        say(client, conversation_id, auth, text)

    stored = resident_texts(open_session, database_url)
    assert stored == [
        "[card number removed, ending 1111]",
        "exp",
        "[expiry date removed]",
        "cvv",
        "[security code removed]",
    ]


def test_a_bare_number_messages_after_a_card_number_stays(make_client, open_session, database_url) -> None:
    """Without a label, a number four messages after a card is a house number or an amount, as typed."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    for text in ["4111 1111 1111 1111", "which house?", "123", "ok", "thanks"]:
        say(client, conversation_id, auth, text)

    stored = resident_texts(open_session, database_url)
    assert stored == ["[card number removed, ending 1111]", "which house?", "123", "ok", "thanks"]


def test_an_expiry_date_in_words_and_the_code_each_a_message_after_the_card_are_hidden(
    make_client, open_session, database_url
) -> None:
    """Read aloud one word a message (hostile review #170): the month, the year and the code are all hidden."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    for text in ["4111 1111 1111 1111", "expires", "december", "2027", "cvv", "123"]:
        say(client, conversation_id, auth, text)

    stored = resident_texts(open_session, database_url)
    assert stored == [
        "[card number removed, ending 1111]",
        "expires",
        "[expiry date removed]",
        "[expiry date removed]",
        "cvv",
        "[security code removed]",
    ]


def test_the_last_four_told_before_the_full_number_stay_as_typed(make_client, open_session, database_url) -> None:
    """'card ending 0004' is no piece of the number sent next: not rewritten, and the number keeps its ending."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    say(client, conversation_id, auth, "card ending 0004")
    second = say(client, conversation_id, auth, "full number 5500 0000 0000 0004")

    assert second["rewritten"] == []
    stored = resident_texts(open_session, database_url)
    assert stored == ["card ending 0004", "full number [card number removed, ending 0004]"]


def test_a_card_number_in_five_pieces_with_chat_between_is_hidden_in_every_piece(
    make_client, open_session, database_url
) -> None:
    """Read out a group a message, the last group in two pieces, with chat between (round four of issue 10)."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    sent = ["4111", "1111", "hang on", "1111", "11", "sorry, wrong button", "ok", "11"]
    for text in sent:
        say(client, conversation_id, auth, text)

    stored = resident_texts(open_session, database_url)
    assert stored == [
        "[card number removed]",
        "[card number removed]",
        "hang on",
        "[card number removed]",
        "[card number removed]",
        "sorry, wrong button",
        "ok",
        "[card number removed, ending 1111]",
    ]


def test_a_card_numbers_first_half_three_chat_messages_back_is_hidden(make_client, open_session, database_url) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    for text in ["my card is 4111 1111", "hang on", "getting my purse", "right", "1111 1111"]:
        say(client, conversation_id, auth, text)

    stored = resident_texts(open_session, database_url)
    assert stored == [
        "my card is [card number removed]",
        "hang on",
        "getting my purse",
        "right",
        "[card number removed, ending 1111]",
    ]


def test_short_numbers_a_message_each_with_chat_between_stay(make_client, open_session, database_url) -> None:
    """A flat number, a year and an amount, with chat between, are as typed however many messages are read."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    sent = ["flat 12", "ok", "2024", "sorry", "4111", "thanks", "1234 5678", "yes", "9012 3456", "bye"]
    for text in sent:
        say(client, conversation_id, auth, text)

    stored = resident_texts(open_session, database_url)
    assert stored == sent


def test_the_first_piece_of_a_split_number_is_hidden_in_what_the_bot_lodged_quoting_it(
    make_client, open_session, database_url
) -> None:
    """The bot hands over and lodges a report quoting the first piece; the second piece completes the number."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    say(client, conversation_id, auth, "I can't pay, my card 4111 1111 keeps failing")
    handoff = client.post(
        f"/api/v1/conversations/{conversation_id}/handoffs",
        headers=granted(conversation_id),
        json={
            "reason": "payment_difficulty",
            "topic": "payments",
            "summary": "Resident said: I can't pay, my card 4111 1111 keeps failing",
            "wanted": "help paying",
            "collected": {"said": "my card 4111 1111 keeps failing"},
        },
    )
    report = client.post(
        "/api/v1/service-requests",
        headers=granted(conversation_id),
        json={
            "conversation_id": conversation_id,
            "idempotency_key": "piece-quoted-1",
            "category": "other",
            "location_text": "Mill Lane",
            "description": "my card 4111 1111 keeps failing at the payment kiosk",
        },
    )
    assert handoff.status_code == 201 and report.status_code == 201, (handoff.text, report.text)
    say(client, conversation_id, auth, "1111 1111")

    with open_session(database_url) as session:
        stored_handoff = session.scalars(select(Handoff)).one()
        stored_request = session.scalars(select(ServiceRequest)).one()
    assert stored_handoff.summary == "Resident said: I can't pay, my card [card number removed] keeps failing"
    assert stored_handoff.packet["collected"] == {"said": "my card [card number removed] keeps failing"}
    assert stored_request.description == "my card [card number removed] keeps failing at the payment kiosk"


def test_round_four_forms_are_hidden_in_an_officers_reply_and_note(make_client, open_session, database_url) -> None:
    with open_session(database_url) as session:
        add_officers(session)
    client = make_client(rasa_offering_a_person)
    conversation_id, _, reference = resident_waiting(client)
    officer = TestClient(client.app)
    assert sign_in(officer, "focus").status_code == 303
    csrf = {"X-CSRF-Token": page_csrf(officer), "Accept": "application/json"}
    assert officer.post(f"/console/handoffs/{reference}/claim", headers=csrf).status_code == 200

    reply = "Did you mean 4lll 1111 1111 1111?"
    note = "Read out as for 111 1111 1111 1111, code one two three"
    officer.post(f"/console/conversations/{conversation_id}/messages", headers=csrf, data={"text": reply})
    officer.post(f"/console/conversations/{conversation_id}/notes", headers=csrf, data={"text": note})

    with open_session(database_url) as session:
        stored_reply = session.scalars(select(Message.text).where(Message.sender == "officer")).one()
        stored_note = session.scalars(select(Note.text)).one()
    assert stored_reply == "Did you mean [card number removed, ending 1111]?"
    assert stored_note == "Read out as [card number removed, ending 1111], code [security code removed]"


def test_a_card_typed_as_an_answer_to_a_forms_question_reaches_the_bot_hidden(
    make_client, rasa_calls, open_session, database_url
) -> None:
    """A name field (the bot fills slots from what it is sent): it never sees the digits."""
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    say(client, conversation_id, auth, "5500 OOOO OOOO OOO4")
    say(client, conversation_id, auth, "my name is x4111111111111111")

    assert [call["message"] for call in rasa_calls] == [
        "[card number removed, ending 0004]",
        "my name is x[card number removed, ending 1111]",
    ]


@pytest.mark.parametrize("between", ["it has been there 2 weeks", "about 30 cm deep", "number 5 on the left"])
def test_a_card_number_split_with_a_small_number_between_the_pieces_is_hidden_in_both(
    make_client, open_session, database_url, between: str
) -> None:
    # An attack: "big hole next to house 4111 1111", "it has been there 2 weeks", "1111 1111" hid nothing, and the
    # whole card was lodged with a report and stored in the transcript.
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    say(client, conversation_id, auth, "big hole next to house 4111 1111")
    say(client, conversation_id, auth, between)
    last = say(client, conversation_id, auth, "1111 1111")

    assert last["messages"][0]["sender"] == "system" and "don't type card details" in last["messages"][0]["text"]
    with open_session(database_url) as session:
        stored = list(session.scalars(select(Message.text).where(Message.sender == "resident").order_by(Message.id)))
    assert stored == ["big hole next to house [card number removed]", between, "[card number removed, ending 1111]"]
