"""The tests' own habits, checked: helpers shared by test modules live in tests/support, and no test edits sys.path.

A test importing a helper from another test module ties the two together (running one collects the other's
tests, moving one breaks the other), and a sys.path edit hides which packages a test really imports;
pytest's ``pythonpath`` setting in pyproject.toml (and tests/bot/pytest.ini) is the one place for that.
"""

from __future__ import annotations

import ast
from pathlib import Path

from api.settings import ROOT

TESTS = ROOT / "tests"


def modules_of_tests() -> list[Path]:
    return sorted(path for path in TESTS.rglob("*.py") if "support" not in path.relative_to(TESTS).parts)


def habits_broken(source: str) -> list[str]:
    """List the imports of test modules and the sys.path edits in a Python source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        modules = (
            [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else []
        )
        found += [
            f"imports {module}"
            for module in modules
            if module.startswith("tests.") and not module.startswith("tests.support")
        ]
        if isinstance(node, ast.Attribute) and node.attr == "path" and getattr(node.value, "id", "") == "sys":
            found.append("edits sys.path")
    return found


def test_no_test_imports_another_test_module_or_edits_sys_path() -> None:
    modules = modules_of_tests()
    assert len(modules) > 50, "fewer test modules found than there are"
    broken = {str(path.relative_to(ROOT)): habits_broken(path.read_text()) for path in modules}
    assert {path: found for path, found in broken.items() if found} == {}


def test_no_script_imports_a_test_module() -> None:
    """Scripts run directly and may put the repository on sys.path, but what they share with tests is support."""
    broken = {
        str(path.relative_to(ROOT)): [found for found in habits_broken(path.read_text()) if found != "edits sys.path"]
        for path in sorted((ROOT / "scripts").glob("*.py"))
    }
    assert {path: found for path, found in broken.items() if found} == {}


def test_the_check_sees_each_way_of_breaking_the_habits() -> None:
    source = (
        "import sys\nfrom tests.api.test_knowledge_gaps import rasa_with_knowledge\nimport tests.bot.test_tasks\n"
        "from tests.support.rasa_fakes import rasa_down\nsys.path.insert(0, 'scripts')\n"
    )
    assert habits_broken(source) == [
        "imports tests.api.test_knowledge_gaps",
        "imports tests.bot.test_tasks",
        "edits sys.path",
    ]
