"""Every task the bot does, collected from the topic modules that declare them (one home per task).

The task form, the start and complete actions and the routing read the tasks from here only. The
collection is checked as it is built, so a mistake in a declaration stops the action server at start
(and fails the bot tests) instead of reaching a resident as an apology.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.actions import bins, electoral, payments, service_requests
from bot.actions.task_kit import Task

TASK_MODULES = (electoral, payments, service_requests, bins)


class TaskDeclarationError(ValueError):
    """A task is declared twice, has no handler, or asks for a confirmation it cannot summarise."""


def collect(tasks: Iterable[Task]) -> dict[str, Task]:
    """Index the tasks by name, refusing a declaration the form could not run."""
    registry: dict[str, Task] = {}
    for task in tasks:
        if task.name in registry:
            raise TaskDeclarationError(f"task {task.name!r} is declared twice")
        if not callable(task.handler):
            raise TaskDeclarationError(f"task {task.name!r} has no handler")
        if "task_confirmed" in task.slots and task.summary is None:
            raise TaskDeclarationError(f"task {task.name!r} asks for a confirmation but has no summary")
        if task.slots.count("task_confirmed") > 1 or (
            "task_confirmed" in task.slots and task.slots[-1] != "task_confirmed"
        ):
            raise TaskDeclarationError(f"task {task.name!r} must ask for task_confirmed once, last")
        unknown = set(task.asked_if) - set(task.slots)
        if unknown:
            raise TaskDeclarationError(f"task {task.name!r} has conditions for slots it never asks: {sorted(unknown)}")
        registry[task.name] = task
    return registry


REGISTRY: dict[str, Task] = collect(task for module in TASK_MODULES for task in module.TASKS)

# Every intent that starts a task (data/rules start them with action_start_task and the task form).
TASKS = frozenset(REGISTRY)
IDENTITY_TASKS = frozenset(name for name, task in REGISTRY.items() if task.needs == "identity")
ACCOUNT_TASKS = frozenset(name for name, task in REGISTRY.items() if task.needs == "account")
ADDRESS_TASKS = frozenset(name for name, task in REGISTRY.items() if task.needs == "address")
