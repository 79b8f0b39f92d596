"""Rasa checks each action server answer with a validator built once, with the same schema and the same error."""

from __future__ import annotations

import jsonschema
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import channels, rasa_speedups


def remote_action() -> RemoteAction:
    return RemoteAction("action_check_registration", None)


def test_rasa_loads_the_cached_check_with_the_projects_channel() -> None:
    assert channels.TracedRestInput.name() == "rest"
    assert RemoteAction._validate_action_result is rasa_speedups.validate_action_result


def test_the_schema_is_checked_and_the_validator_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    rasa_speedups.action_result_validator.cache_clear()
    checked: list[object] = []
    kind = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())
    original = kind.check_schema
    monkeypatch.setattr(
        kind, "check_schema", classmethod(lambda cls, schema: checked.append(schema) or original(schema))
    )
    answer = {"events": [{"event": "slot", "name": "postcode", "value": "AV1 2BC"}], "responses": [{"text": "Hi"}]}

    for _ in range(3):
        assert remote_action()._validate_action_result(answer) is True

    assert len(checked) == 1


def test_a_malformed_answer_is_refused_as_rasa_refuses_it() -> None:
    answer = {"events": "not a list", "responses": []}

    with pytest.raises(ValidationError) as cached:
        remote_action()._validate_action_result(answer)
    with pytest.raises(ValidationError) as plain:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())

    assert cached.value.message.startswith(plain.value.message)
    assert "Failed to validate Action server response" in cached.value.message
