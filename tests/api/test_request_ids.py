"""Every HTTP request has a request id: in the response, in the metadata the hub sends Rasa, and in log lines.

The actions send the id back on their back-office calls (tests/bot/test_action_server.py), so one resident
message can be followed through every process's logs; an id that is not hex of the right length is replaced,
so no text can ride in on it.
"""

from __future__ import annotations

import json
import logging

import pytest

from bot.privacy.logs import REQUEST_ID_SHAPE, JsonFormatter, install_record_factory
from tests.support.rasa_fakes import rasa_down, rasa_offering_a_person

GIVEN = "0123456789abcdef0123456789abcdef"


def test_the_hub_gives_each_message_an_id_and_sends_it_to_rasa(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person)
    body = client.post("/api/chat/conversations", json={"channel": "web"}).json()
    auth = {"Authorization": f"Bearer {body['token']}"}

    first = client.post(
        f"/api/chat/conversations/{body['conversation_id']}/messages", json={"text": "hi"}, headers=auth
    )
    second = client.post(
        f"/api/chat/conversations/{body['conversation_id']}/messages", json={"text": "hi"}, headers=auth
    )

    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert all(REQUEST_ID_SHAPE.match(i) for i in ids) and ids[0] != ids[1]
    assert [call["metadata"]["request_id"] for call in rasa_calls] == ids  # type: ignore[index]


@pytest.mark.parametrize(("given", "kept"), [(GIVEN, True), ("Jane Smith, 1 High Street", False), ("abc", False)])
def test_a_well_formed_id_from_the_caller_is_kept_and_any_other_replaced(make_client, given, kept) -> None:
    client = make_client(rasa_offering_a_person)

    answered = client.get("/api/health", headers={"X-Request-ID": given}).headers["X-Request-ID"]

    assert (answered == given) is kept
    assert REQUEST_ID_SHAPE.match(answered)


@pytest.fixture
def private_records():
    """The log record factory the API's logging config installs (bot/privacy/logs.py), for this test only."""
    before = logging.getLogRecordFactory()
    install_record_factory()
    yield
    logging.setLogRecordFactory(before)


def test_log_lines_written_while_a_message_is_handled_carry_its_id(make_client, caplog, private_records) -> None:
    client = make_client(rasa_down)
    body = client.post("/api/chat/conversations", json={"channel": "web"}).json()
    with caplog.at_level(logging.WARNING, logger="api.conversations.rasa_client"):
        answered = client.post(
            f"/api/chat/conversations/{body['conversation_id']}/messages",
            json={"text": "hi"},
            headers={"Authorization": f"Bearer {body['token']}"},
        )

    # written in the hub's own thread lane, while the message waited on Rasa
    [unavailable] = [r for r in caplog.records if r.getMessage().startswith("rasa unavailable")]
    line = json.loads(JsonFormatter().format(unavailable))
    assert line["request_id"] == answered.headers["X-Request-ID"]
    logging.getLogger("api.test").warning("outside any request")
    assert "request_id" not in json.loads(JsonFormatter().format(caplog.records[-1]))


def test_the_json_formatter_writes_the_request_id_it_is_given() -> None:
    record = logging.LogRecord("api.conversations", logging.WARNING, __file__, 1, "rasa unavailable: %s", ("X",), None)
    record.request_id = GIVEN

    line = JsonFormatter().format(record)

    assert '"request_id": "' + GIVEN + '"' in line and '"message": "rasa unavailable: X"' in line
