"""The console reads other features through their services, never their tables.

The console is the officers' side of conversations and handoffs, so it may use those tables and its own
officers'. Everything else it shows (who a resident proved to be, the records made in a chat, the day's
lockouts and knowledge gaps) comes from functions in the feature that owns the data, so that feature can
change its tables without the console breaking. This reads the console's imports from its source.
"""

from __future__ import annotations

import ast

from api.settings import ROOT

CONSOLE = ROOT / "api" / "console"
# The tables the console owns or is the officers' side of.
OWN_TABLES = {"api.conversations.models", "api.officers.models"}


def imported_modules(source: str) -> set[str]:
    """Every module a Python source imports from, at any depth (imports inside functions count too)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def tables_reached(source: str) -> set[str]:
    """The other features' table modules (``api.<feature>.models``) a source imports."""
    return {
        module
        for module in imported_modules(source)
        if module.startswith("api.") and module.endswith(".models") and module not in OWN_TABLES
    }


def test_no_console_module_imports_another_feature_s_tables() -> None:
    modules = sorted(CONSOLE.rglob("*.py"))
    assert modules, "no console modules found"
    reached = {path.name: tables_reached(path.read_text()) for path in modules}
    assert {name: tables for name, tables in reached.items() if tables} == {}


def test_the_check_notices_a_table_imported_however_it_is_written() -> None:
    source = (
        "from api.electoral.models import Verification\n"
        "from api.payments import models\n"
        "import api.service_requests.models\n"
        "from api.conversations.models import Handoff\n"
        "def later():\n    from api.knowledge_gaps.models import KnowledgeGap\n"
    )
    assert tables_reached(source) == {
        "api.electoral.models",
        "api.payments.models",
        "api.service_requests.models",
        "api.knowledge_gaps.models",
    }
