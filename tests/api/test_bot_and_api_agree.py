"""What the bot and the back office each hold for themselves must agree: service categories and answers' fields.

The bot (Rasa environment) reads a resident's words into a category and the API (app environment) keeps
the service standard of each; neither can import the other, so this reads the bot's lists from its source.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
from datetime import date, datetime
from pathlib import Path
from types import UnionType
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

import bot.backoffice_models as bot_records
from api.electoral.schemas import PollingPlace
from api.main import create_app
from api.service_requests.standards import STANDARDS, Category
from api.settings import ROOT, Settings


def bot_constant(path: Path, name: str) -> Any:
    """Return a module-level constant of a bot module, read without importing rasa-sdk."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            if isinstance(target, ast.Name) and target.id == name:
                value = node.value.args[0] if isinstance(node.value, ast.Call) else node.value  # frozenset({...})
                return ast.literal_eval(value)
    raise AssertionError(f"{name} not found in {path}")


def test_the_bot_knows_exactly_the_categories_the_back_office_has() -> None:
    bot_categories = set(bot_constant(ROOT / "bot" / "actions" / "form_answers.py", "CATEGORIES"))
    assert bot_categories == set(STANDARDS) == set(get_args(Category))


def test_every_category_the_bot_reads_from_words_exists_and_addressed_ones_too() -> None:
    worded = {category for category, _ in bot_constant(ROOT / "bot" / "actions" / "form_answers.py", "CATEGORY_WORDS")}
    addressed = set(bot_constant(ROOT / "bot" / "names.py", "ADDRESSED_CATEGORIES"))
    assert worded <= set(STANDARDS) and addressed <= set(STANDARDS)
    assert set(STANDARDS) - worded == {"other"}, "a category residents cannot name in words"


# Each back-office answer the bot reads, by the route that gives it, and the record the bot reads it into.
BOT_READS: dict[tuple[str, str], type] = {
    ("POST", "/api/v1/conversations/{conversation_id}/handoffs"): bot_records.HandoffTicket,
    ("GET", "/api/v1/addresses"): bot_records.AddressList,
    ("GET", "/api/v1/polling-stations"): bot_records.PollingPlace,
    ("GET", "/api/v1/elections/upcoming"): bot_records.UpcomingElections,
    ("POST", "/api/v1/electoral/verifications"): bot_records.Verification,
    ("GET", "/api/v1/electoral/me"): bot_records.ElectoralRecord,
    ("POST", "/api/v1/electoral/absent-vote-requests"): bot_records.AbsentVoteRecorded,
    ("POST", "/api/v1/electoral/absent-vote-requests/{reference}/withdrawal"): bot_records.AbsentVoteWithdrawal,
    ("POST", "/api/v1/electoral/change-requests"): bot_records.ChangeRecorded,
    ("POST", "/api/v1/payments/verifications"): bot_records.Verification,
    ("GET", "/api/v1/payments/account"): bot_records.Account,
    ("GET", "/api/v1/payments/payments/{payment_reference}"): bot_records.Payment,
    ("POST", "/api/v1/payments/document-requests"): bot_records.DocumentSent,
    ("POST", "/api/v1/service-requests"): bot_records.ServiceRequestLodged,
    ("POST", "/api/v1/service-requests/{reference}/progress-checks"): bot_records.ServiceRequestProgress,
    ("POST", "/api/v1/service-requests/{reference}/cancellation"): bot_records.ServiceRequestCancellation,
    ("GET", "/api/v1/bin-collections"): bot_records.BinCollections,
}


def json_kind(annotation: Any) -> str:
    """How a field's value is written in JSON: dates, times, enums and literals of words are all strings."""
    if get_origin(annotation) is Literal:
        return json_kind(type(get_args(annotation)[0]))
    if isinstance(annotation, type) and issubclass(annotation, bool):
        return "boolean"
    if isinstance(annotation, type) and issubclass(annotation, int) and not issubclass(annotation, enum.Enum):
        return "integer"
    if annotation in (str, date, datetime) or (isinstance(annotation, type) and issubclass(annotation, str)):
        return "string"
    return repr(annotation)


def unwrapped(annotation: Any) -> tuple[Any, bool, bool]:
    """Return the annotation without ``| None`` and ``list[...]``, whether it may be null, and whether a list."""
    nullable = False
    if get_origin(annotation) in (UnionType, Union):
        options = [a for a in get_args(annotation) if a is not type(None)]
        nullable = len(options) < len(get_args(annotation))
        (annotation,) = options
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        return item, nullable, True
    return annotation, nullable, False


def disagreements(record: type, schema: type[BaseModel], where: str) -> list[str]:
    """List where the bot's record reads something the API's response schema does not promise."""
    found: list[str] = []
    hints = get_type_hints(record)
    for item in dataclasses.fields(record):
        if item.metadata == bot_records.FROM_CLIENT:
            continue
        name = f"{where}.{item.name}"
        if item.name not in schema.model_fields:
            found.append(f"{name}: the API does not send it")
            continue
        ours, ours_nullable, ours_list = unwrapped(hints[item.name])
        theirs, theirs_nullable, theirs_list = unwrapped(schema.model_fields[item.name].annotation)
        if theirs_nullable and not ours_nullable:
            found.append(f"{name}: the API may send null, the bot does not expect it")
        if ours_list != theirs_list:
            found.append(f"{name}: a list on one side only")
        elif dataclasses.is_dataclass(ours) and isinstance(theirs, type) and issubclass(theirs, BaseModel):
            found += disagreements(ours, theirs, name)
        elif json_kind(ours) != json_kind(theirs):
            found.append(f"{name}: the bot reads {json_kind(ours)}, the API sends {json_kind(theirs)}")
    return found


def test_every_record_the_bot_reads_is_what_its_route_answers(tmp_path: Path) -> None:
    """The bot's client reads answers into records of its own (another environment, no shared code); each field
    it reads must be one the route's response schema sends, of the same JSON kind, and allowed null when the
    API may send null (a polling district with no station yet was read as a station and failed the action)."""
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/unused.db", environment="test"))
    # FastAPI 0.165 keeps included routers whole in app.routes; iter_route_contexts flattens them.
    answers = {
        (method, context.path): context.route.response_model
        for context in iter_route_contexts(app.routes)
        if isinstance(context.route, APIRoute)
        for method in context.methods or ()
    }
    assert set(BOT_READS) <= set(answers), "a route the bot calls is not in the API"
    found = [
        problem
        for (method, path), record in BOT_READS.items()
        for problem in disagreements(record, answers[(method, path)], f"{method} {path}: {record.__name__}")
    ]
    assert found == []


def test_the_agreement_check_notices_a_field_the_api_does_not_promise() -> None:
    @dataclasses.dataclass(frozen=True)
    class Misread:
        station: bot_records.Station
        ward: int
        missing: str

    found = disagreements(Misread, PollingPlace, "Misread")
    assert found == [
        "Misread.station: the API may send null, the bot does not expect it",
        "Misread.ward: the bot reads integer, the API sends string",
        "Misread.missing: the API does not send it",
    ]


def _handoff_reasons_the_bot_sets() -> set[str]:
    """Every reason the bot gives a handoff: offers it records (SlotSet(SLOT_HANDOFF_REASON, "...")), the reasons
    its handoff-worthy intents carry (bot/names.py HANDOFF_INTENTS) and the ones bot/actions/handoff.py returns."""
    found = {reason for reason, _ in bot_constant(ROOT / "bot" / "names.py", "HANDOFF_INTENTS").values()}
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "SlotSet"
                and len(node.args) == 2
                and getattr(node.args[0], "id", None) == "SLOT_HANDOFF_REASON"
            ):
                # A reason may be one of two ("overdue_request" if ... else "lookup_refused"): both count.
                value = node.args[1]
                choices = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
                found |= {c.value for c in choices if isinstance(c, ast.Constant) and c.value is not None}
    handoff = ast.parse((ROOT / "bot" / "actions" / "handoff.py").read_text())
    function = next(n for n in handoff.body if isinstance(n, ast.FunctionDef) and n.name == "handoff_reason")
    returned = [n.value for n in ast.walk(function) if isinstance(n, ast.Return) and isinstance(n.value, ast.Tuple)]
    return found | {r.elts[0].value for r in returned if isinstance(r.elts[0], ast.Constant)}


def test_every_handoff_reason_the_bot_gives_is_one_the_hub_takes_and_the_console_names() -> None:
    """A reason the hub refused would turn an accepted officer offer into a failure apology."""
    from api.console.service import REASON_NAMES
    from api.conversations.schemas import HandoffCreate

    taken = set(get_args(HandoffCreate.model_fields["reason"].annotation))
    bot_reasons = _handoff_reasons_the_bot_sets()
    assert {"overdue_request", "locked_out", "fallback", "resident_asked", "complaint"} <= bot_reasons
    assert bot_reasons - taken == set()
    assert set(REASON_NAMES) == taken
