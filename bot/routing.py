"""Where a parsed message goes, in one function: the task it starts, the article it gets, or a question back.

The actions make these decisions one at a time as the rules call them (action_start_task,
action_answer_from_knowledge, action_handle_miss); this module puts the same decisions together for a
message and its intent, so `make knowledge-eval` measures what residents get without a running stack.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge import Article
from bot.names import HANDOFF_INTENTS, INTENT_REQUEST_OFFICER, MISSED_INTENTS, TASKS
from bot.search import chosen_article, decide, misroute, ranker_for

# Intents whose rules start something on the resident's behalf: a task form or an officer handoff.
STARTING = TASKS | frozenset(HANDOFF_INTENTS) | {INTENT_REQUEST_OFFICER}
CLARIFY = "(clarifying question)"


@dataclass(frozen=True)
class Route:
    """What a message leads to.

    ``first`` is what the resident gets (an article slug, a task or intent name, or CLARIFY), ``top3`` what
    they get or are offered, ``starts`` the task or handoff begun, if any.
    """

    first: str | None
    top3: tuple[str, ...] = ()
    starts: str | None = None


def route(text: str, intent: str, articles: list[Article]) -> Route:
    """Return where ``text``, parsed as ``intent``, goes with the current articles."""
    if intent in MISSED_INTENTS:
        return _search(text, articles)
    redirected = misroute(text, intent, articles)
    task = task_of_article(redirected)
    if task is not None:
        return Route(task, (task,), starts=task)
    if redirected is not None:
        return Route(redirected.slug, (redirected.slug,))
    if intent in STARTING:
        return Route(intent, (intent,), starts=intent)
    answer = next((a for a in articles if intent in a.intents and not a.when), None)
    name = answer.slug if answer else intent
    return Route(name, (name,))


def task_of_article(article: Article | None) -> str | None:
    """Return the task an article belongs to (bin days: the lookup by address), if it has one.

    A message redirected to such an article starts that task instead: the article would only say "ask me".
    """
    if article is None:
        return None
    return next((intent for intent in article.intents if intent in TASKS), None)


def _search(text: str, articles: list[Article]) -> Route:
    chosen = chosen_article(text, articles)
    if chosen is not None:
        return Route(chosen.slug, (chosen.slug,))
    hits = ranker_for(articles).rank(text)
    decision = decide(hits)
    if decision.answer is not None:
        return Route(decision.answer.slug, (decision.answer.slug,))
    if len(decision.choices) == 1:
        return Route(decision.choices[0].slug, (decision.choices[0].slug,))
    if decision.choices:
        return Route(CLARIFY, tuple(article.slug for article in decision.choices))
    return Route(None, tuple(hit.article.slug for hit in hits))
