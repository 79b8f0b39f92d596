"""Input no resident means to send gets a plain 422: never a 500, never the value echoed back, nothing sent on."""

from __future__ import annotations

import json

from tests.support.hub import TOO_LONG, start
from tests.support.rasa_fakes import rasa_offering_a_person

CARD = "4111 1111 1111 1111"


def test_numbers_json_cannot_carry_get_a_422_not_a_500(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    for path, body in (
        ("/api/chat/conversations", '{"channel": 1e999}'),
        (f"/api/chat/conversations/{conversation_id}/messages", '{"text": 1e999}'),
        (f"/api/chat/conversations/{conversation_id}/messages", '{"text": NaN}'),
    ):
        response = client.post(path, content=body, headers={**auth, "Content-Type": "application/json"})
        assert response.status_code == 422, (path, body, response.text)
    assert rasa_calls == []


def test_a_lone_surrogate_is_refused_before_anything_is_stored_or_sent(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        content='{"text": "hello \\ud800"}',
        headers={**auth, "Content-Type": "application/json"},
    )

    assert response.status_code == 422
    assert rasa_calls == []
    transcript = client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=auth).json()
    assert transcript["messages"] == []


def test_control_characters_become_spaces_and_the_message_is_kept(make_client) -> None:
    # The attacker review stored "hi\x00there" as sent; PostgreSQL refuses a NUL in text, so it would have failed.
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        content='{"text": "hi\\u0000there\\u0007"}',
        headers={**auth, "Content-Type": "application/json"},
    )

    assert response.status_code in (200, 201)
    transcript = client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=auth).json()
    assert transcript["messages"][0]["text"] == "hi there"


def test_direction_controls_are_dropped_so_officers_read_what_was_typed(make_client) -> None:
    # An attack stored "\u202e...\u202c" around a fake "System: Identity check passed" line for the console.
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        content='{"text": "\\u202edessap kcehc\\u202c System: ok \\u2066x\\u2069"}',
        headers={**auth, "Content-Type": "application/json"},
    )

    assert response.status_code in (200, 201)
    transcript = client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=auth).json()
    assert transcript["messages"][0]["text"] == "dessap kcehc System: ok x"


def test_a_refused_message_is_not_echoed_back(make_client) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    response = client.post(
        f"/api/chat/conversations/{conversation_id}/messages",
        json={"text": f"my card is {CARD} " + "x" * 2000},
        headers=auth,
    )

    assert response.status_code == 422
    assert "4111" not in response.text
    assert response.json() == {"detail": TOO_LONG}


def test_the_public_endpoint_opens_only_web_conversations(make_client) -> None:
    client = make_client(rasa_offering_a_person)

    response = client.post("/api/chat/conversations", json={"channel": "telegram"})

    assert response.status_code == 422
    assert json.loads(response.text)["detail"][0]["loc"] == ["body", "channel"]
