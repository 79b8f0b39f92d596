"""Every response in domain/ is filled without a KeyError (issue 12, two seen in the Rasa log of a probe).

Rasa fills a response's text and buttons by replacing each ``{name}`` with the slot or the value the uttering
action passed; a name it cannot find is logged as a KeyError ("interpolator.interpolate.text") and the response
is sent unfilled. A button payload with an entity in JSON ('/inform{"vote_duration": "next_poll"}') reads as such
a placeholder, so asking how long a postal vote is for logged two. These tests fill every response as Rasa does
and hold every placeholder to a slot or to a value every action that utters the response passes.
"""

from __future__ import annotations

import ast
import asyncio
import re
import warnings
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

ROOT = Path(__file__).resolve().parents[2]
# Rasa's own reading of a placeholder (rasa.core.nlg.interpolator.interpolate_text).
PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")
INTERPOLATED = ("text", "image", "custom", "buttons", "attachment", "quick_replies")


def _domain() -> Any:
    from rasa.shared.core.domain import Domain

    with warnings.catch_warnings():  # Rasa warns that slot auto-fill was removed in 3.0, for every domain
        warnings.simplefilter("ignore", UserWarning)
        return Domain.load(str(ROOT / "domain"))


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _placeholders(variant: dict[str, Any]) -> set[str]:
    """The names Rasa would try to fill in one variant of a response (``{{`` escapes a brace, as in format)."""
    names: set[str] = set()
    for key in INTERPOLATED:
        for text in _strings(variant.get(key)):
            names |= set(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))
    return names


def _values_passed_by_actions() -> dict[str, list[set[str]]]:
    """For each response an action utters (``utter_message(response=...)``), the keywords each call passes."""
    passed: dict[str, list[set[str]]] = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "utter_message"):
                continue
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            response = keywords.get("response")
            if isinstance(response, ast.Constant) and isinstance(response.value, str):
                passed.setdefault(response.value, []).append(set(keywords) - {"response", "text", "buttons"})
    return passed


def test_every_placeholder_is_a_slot_or_passed_by_every_action_that_utters_it() -> None:
    domain = _domain()
    slots = {slot.name for slot in domain.slots}
    passed = _values_passed_by_actions()
    unfilled = []
    for name, variants in domain.responses.items():
        for variant in variants:
            for placeholder in _placeholders(variant) - slots:
                calls = passed.get(name) or [set()]  # a rule's utterance passes nothing
                if not all(placeholder in call for call in calls):
                    unfilled.append((name, placeholder))
    assert unfilled == []


def test_every_response_is_filled_by_rasa_without_a_key_error() -> None:
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    domain = _domain()
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    tracker = DialogueStateTracker.from_events("t", [SlotSet("pending_task", "request_postal_vote")], domain.slots)
    with capture_logs() as logged:
        for name in domain.responses:
            for _ in range(8):  # variants are chosen at random
                asyncio.run(nlg.generate(name, tracker, "rest"))
    assert [entry.get("response") for entry in logged if entry["event"] == "interpolator.interpolate.text"] == []


@pytest.mark.parametrize(("title", "payload"), [("Just", "next_poll"), ("Long", "permanent")])
def test_the_vote_duration_buttons_reach_the_resident_as_payloads_rasa_reads(title: str, payload: str) -> None:
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
    from rasa.shared.nlu.training_data.message import Message

    domain = _domain()
    tracker = DialogueStateTracker.from_events("t", [], domain.slots)
    generated = asyncio.run(
        TemplatedNaturalLanguageGenerator(domain.responses).generate("utter_ask_vote_duration", tracker, "rest")
    )
    button = next(b for b in generated["buttons"] if b["title"].startswith(title))
    parsed = YAMLStoryReader.unpack_regex_message(Message(data={"text": button["payload"]}), domain)
    assert parsed.get("intent")["name"] == "inform"
    assert [(e["entity"], e["value"]) for e in parsed.get("entities")] == [("vote_duration", payload)]
