"""Every task the bot does, collected from the topic modules that declare them (one home per task).

The task form, the start and complete actions and the routing read the tasks from here only. The
collection is checked as it is built, so a mistake in a declaration stops the action server at start
(and fails the bot tests) instead of reaching a resident as an apology.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.actions import bins, electoral, payments, service_requests
from bot.actions.task_kit import Question, Task
from bot.names import FORM_SLOTS

TASK_MODULES = (electoral, payments, service_requests, bins)


class TaskDeclarationError(ValueError):
    """A task is declared twice, has no handler, asks for a confirmation it cannot summarise, or has a stray check."""


def collect(tasks: Iterable[Task]) -> dict[str, Task]:
    """Index the tasks by name, refusing a declaration the form could not run."""
    registry: dict[str, Task] = {}
    for task in tasks:
        if task.name in registry:
            raise TaskDeclarationError(f"task {task.name!r} is declared twice")
        if not callable(task.handler):
            raise TaskDeclarationError(f"task {task.name!r} has no handler")
        if "task_confirmed" in task.slots and task.summary is None and task.record_summary is None:
            raise TaskDeclarationError(f"task {task.name!r} asks for a confirmation but has no summary")
        if task.slots.count("task_confirmed") > 1 or (
            "task_confirmed" in task.slots and task.slots[-1] != "task_confirmed"
        ):
            raise TaskDeclarationError(f"task {task.name!r} must ask for task_confirmed once, last")
        unknown = set(task.asked_if) - set(task.slots)
        if unknown:
            raise TaskDeclarationError(f"task {task.name!r} has conditions for slots it never asks: {sorted(unknown)}")
        _check_questions(task, registry)
        registry[task.name] = task
    return registry


def _check_questions(task: Task, earlier: dict[str, Task]) -> None:
    """Refuse a task's own question it never asks, or one another task already declared (one home per check)."""
    unasked = set(task.questions) - set(task.slots)
    if unasked:
        raise TaskDeclarationError(f"task {task.name!r} has checks for questions it never asks: {sorted(unasked)}")
    for other in earlier.values():
        shared = set(task.questions) & set(other.questions)
        if shared:
            raise TaskDeclarationError(f"task {task.name!r} declares {sorted(shared)} again (from {other.name!r})")


REGISTRY: dict[str, Task] = collect(task for module in TASK_MODULES for task in module.TASKS)

# Every intent that starts a task (data/rules start them with action_start_task and the task form).
TASKS = frozenset(REGISTRY)
IDENTITY_TASKS = frozenset(name for name, task in REGISTRY.items() if task.needs == "identity")
ACCOUNT_TASKS = frozenset(name for name, task in REGISTRY.items() if task.needs == "account")
ADDRESS_TASKS = frozenset(name for name, task in REGISTRY.items() if task.needs == "address")
# The tasks' own questions and their checks, by slot (the task form checks the shared ones itself).
QUESTIONS: dict[str, Question] = {slot: q for task in REGISTRY.values() for slot, q in task.questions.items()}
# Every answer a task may have gathered: forgotten when a task starts or ends, so none carries into the next.
FORGOTTEN_SLOTS = (*FORM_SLOTS, *(slot for slot in QUESTIONS if slot not in FORM_SLOTS))
