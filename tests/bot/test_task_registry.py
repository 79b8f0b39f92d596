"""The task registry agrees with the domain, the rules, the training data and the back office's categories.

Each task is declared once in its topic module (bot/tasks_registry.py collects them), but Rasa learns and
runs it from YAML: the intent that starts it (data/nlu, domain/), the rule that starts the task form
(data/rules) and the questions the form asks (domain/ ``utter_ask_*`` or an ``action_ask_*``). Nothing at
run time would notice these disagreeing (a rule starting an undeclared task ends in the failure apology, a
slot without a question is asked in silence), so this test reads them all and holds them together.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import ActionExecutor

from bot.actions import form_answers
from bot.actions.task_form import ValidateTaskForm, required_slots_for, start_task_events
from bot.actions.task_kit import Question, Reply, Task
from bot.names import ADDRESS_SLOTS, ADDRESSED_CATEGORIES, UNKNOWN
from bot.tasks_registry import QUESTIONS, REGISTRY, TASKS, TaskDeclarationError, collect
from tests.support.trackers import make_tracker, user_event

ROOT = Path(__file__).resolve().parents[2]
START_ACTIONS = ["action_start_task", "task_form"]
# Rasa runs these by name without a rule naming them: the session start, and the form's helpers.
CALLED_BY_RASA = {"action_session_start", "validate_task_form"}


def _yaml_files(folder: str) -> list[dict[str, Any]]:
    return [yaml.safe_load(path.read_text()) or {} for path in sorted((ROOT / folder).glob("*.yml"))]


def _domain() -> dict[str, Any]:
    merged: dict[str, Any] = {"intents": [], "slots": {}, "actions": [], "responses": {}, "forms": {}}
    for part in _yaml_files("domain"):
        for key, value in merged.items():
            if isinstance(value, list):
                value += part.get(key) or []
            else:
                value.update(part.get(key) or {})
    return merged


def _rules() -> list[dict[str, Any]]:
    return [rule for part in _yaml_files("data/rules") for rule in part.get("rules") or []]


def _step_intents(step: dict[str, Any]) -> list[str]:
    if "intent" in step:
        return [step["intent"]]
    return [s["intent"] for s in step.get("or") or [] if "intent" in s]


def _task_starting_intents() -> set[str]:
    """Return the intents a rule follows with action_start_task and the task form."""
    started: set[str] = set()
    for rule in _rules():
        steps = rule.get("steps") or []
        for index, step in enumerate(steps):
            actions = [s.get("action") for s in steps[index + 1 : index + 3]]
            if _step_intents(step) and actions == START_ACTIONS:
                started.update(_step_intents(step))
    return started


def _asked_slots(name: str) -> set[str]:
    """Return every slot the form can ask for the task: its own and those its identity, account or address need."""
    task = REGISTRY[name]
    return (
        set(task.slots)
        | set(required_slots_for(name, {}))
        | set(required_slots_for(name, {"account_reference": UNKNOWN}))
    )


def _string_constants(folder: Path, *, leaving_out: set[str]) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        if path.name not in leaving_out:
            found |= {
                node.value
                for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
            }
    return found


def test_every_task_has_training_examples_and_is_an_intent_of_the_domain() -> None:
    examples = {
        item["intent"]: item.get("examples") or ""
        for part in _yaml_files("data/nlu")
        for item in part.get("nlu") or []
        if "intent" in item
    }
    assert {name for name in TASKS if not examples.get(name, "").strip()} == set()
    assert set(_domain()["intents"]) >= TASKS


def test_the_rules_start_exactly_the_declared_tasks() -> None:
    """A rule starting an undeclared task would end in the failure apology; a task no rule starts is dead."""
    assert _task_starting_intents() == TASKS


@pytest.mark.parametrize("name", sorted(TASKS))
def test_every_question_a_task_asks_is_in_the_domain_with_its_wording_and_its_check(name: str) -> None:
    domain = _domain()
    asked = _asked_slots(name)
    assert asked <= set(domain["slots"])
    assert asked <= set(domain["forms"]["task_form"]["required_slots"])
    unasked = {
        slot
        for slot in asked
        if f"utter_ask_{slot}" not in domain["responses"] and f"action_ask_{slot}" not in domain["actions"]
    }
    assert unasked == set()
    # task_confirmed is yes or no, read from the affirm and deny intents by its domain mapping; a task's own
    # question is checked by the Question it declares (found by the form under the same validate_ name).
    form = ValidateTaskForm()
    unchecked = {slot for slot in asked - {"task_confirmed"} if not hasattr(form, f"validate_{slot}")}
    assert unchecked == set()


def test_every_tasks_own_question_says_why_it_is_asked() -> None:
    """Asking "why do you need that?" gets the question's own reason, not the general sentence."""
    assert {slot for slot, question in QUESTIONS.items() if not question.why.strip()} == set()


def test_a_tasks_own_question_is_not_also_checked_by_the_form() -> None:
    """One home per check: a question a task declares must not shadow (or be shadowed by) a form method."""
    assert {slot for slot in QUESTIONS if f"validate_{slot}" in vars(ValidateTaskForm)} == set()


def test_every_question_a_task_asks_is_forgotten_when_another_task_starts() -> None:
    """Answers to one task must never carry into the next (the postcode and chosen address are kept)."""
    tracker = make_tracker(user_event("am I registered", intent="check_registration"))
    cleared = {event["name"] for event in start_task_events(tracker)}
    kept = {slot for name in TASKS for slot in _asked_slots(name)} - cleared
    assert kept == set(ADDRESS_SLOTS)


def test_every_category_the_bot_uses_exists_in_the_back_office() -> None:
    """The API's categories, read from its source (the Rasa environment cannot import the API)."""
    source = (ROOT / "api" / "service_requests" / "standards.py").read_text()
    alias = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "Category"
    )
    api_categories = set(ast.literal_eval(alias.value.slice))  # type: ignore[attr-defined]
    worded = {category for category, _ in form_answers.CATEGORY_WORDS}
    assert set(form_answers.CATEGORIES) == api_categories
    assert worded | set(ADDRESSED_CATEGORIES) | {"other"} <= api_categories


def test_the_domain_declares_exactly_the_actions_the_server_runs_and_each_is_used() -> None:
    executor = ActionExecutor()
    executor.register_package("bot.actions")
    declared = set(_domain()["actions"])
    assert declared == set(executor.actions)
    in_rules = {step.get("action") for rule in _rules() for step in rule.get("steps") or []}
    asks = {action for action in declared if action.startswith("action_ask_")}
    in_code = _string_constants(ROOT / "bot", leaving_out=set())
    assert {a for a in declared if a not in in_rules | asks | CALLED_BY_RASA | in_code} == set()


def test_every_slot_of_the_domain_is_used_by_the_code() -> None:
    """A slot nothing reads is dead weight in every tracker (the sealing list only names slots to seal)."""
    named = _string_constants(ROOT / "bot", leaving_out={"sealing.py"})
    unused = set(_domain()["slots"]) - named
    assert unused == set()


async def _answer(backoffice: Any, tracker: Any) -> str | Reply:
    return "done"


def test_a_declaration_the_form_could_not_run_is_refused_when_collected() -> None:
    with pytest.raises(TaskDeclarationError, match="declared twice"):
        collect([Task("a", _answer), Task("a", _answer)])
    with pytest.raises(TaskDeclarationError, match="no handler"):
        collect([Task("a", None)])  # type: ignore[arg-type]
    with pytest.raises(TaskDeclarationError, match="no summary"):
        collect([Task("a", _answer, slots=("new_name", "task_confirmed"))])
    with pytest.raises(TaskDeclarationError, match="once, last"):
        collect([Task("a", _answer, slots=("task_confirmed", "new_name"), summary=lambda t, a: "")])
    with pytest.raises(TaskDeclarationError, match="never asks"):
        collect([Task("a", _answer, asked_if={"new_name": lambda slots: True})])
    with pytest.raises(TaskDeclarationError, match="never asks"):
        collect([Task("a", _answer, questions={"new_name": Question(lambda text: text, again="")})])
    reason = Question(lambda text: text, again="Why?")
    with pytest.raises(TaskDeclarationError, match="again"):
        collect(
            [
                Task("a", _answer, slots=("why",), questions={"why": reason}),
                Task("b", _answer, slots=("why",), questions={"why": reason}),
            ]
        )
    assert set(collect([Task("a", _answer)])) == {"a"}


def test_the_registry_holds_every_task_the_bot_had_before_it() -> None:
    """The nineteen tasks the tables in bot/names.py listed when the registry replaced them (new ones join them)."""
    assert {
        "check_registration",
        "absent_vote_status",
        "polling_station",
        "ask_bin_day",
        "next_election",
        "election_deadlines",
        "request_postal_vote",
        "request_proxy_vote",
        "cancel_absent_vote",
        "renew_absent_vote",
        "changed_name",
        "open_register_opt_out",
        "report_death_or_left",
        "payment_received",
        "council_tax_balance",
        "recovery_notice",
        "receipt_request",
        "report_problem",
        "request_progress",
    } <= TASKS
