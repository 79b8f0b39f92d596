"""What the README, docs/ and .env.example state as fact is held against the code: commands, ports, settings,
their defaults and the files they name. A renamed setting, a dropped make target or a moved module fails here
instead of misleading the next person to read the docs."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from api.settings import ROOT, Settings
from telegram_bridge.settings import BridgeSettings
from tests.support.variables import variables_read_by_the_code

README = ROOT / "README.md"
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]
ENV_EXAMPLE = ROOT / ".env.example"
# Top-level folders whose files the docs name; a path under them in backticks must exist.
REPO_DIRS = (
    "api",
    "bot",
    "tests",
    "scripts",
    "telegram_bridge",
    "docs",
    "knowledge",
    "deploy",
    "data",
    "domain",
    "requirements",
    "tools",
)
REPO_PATH = re.compile(rf"`((?:{'|'.join(REPO_DIRS)})/[\w./-]*)`")
ENV_LINE = re.compile(r"^#? ?(CA_[A-Z0-9_]+)=(.*)$", re.MULTILINE)
# Read by two processes, each with its own development default: the action server's token and the bridge's.
TWO_DEFAULTS = {"CA_SERVICE_TOKEN"}


def text_of(path: Path) -> str:
    return path.read_text()


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", text_of(ROOT / "Makefile"), re.MULTILINE))


def stack_defaults() -> dict[str, Any]:
    """The default fields of scripts/stack.py's Stack, read from its source (it is a script, not a package)."""
    tree = ast.parse(text_of(ROOT / "scripts" / "stack.py"))
    [stack] = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Stack"]
    return {
        node.target.id: ast.literal_eval(node.value)
        for node in stack.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and isinstance(node.value, ast.Constant)
    }


def code_default(variable: str) -> tuple[bool, Any]:
    """Return (known, default) for a scalar setting of the API or the Telegram bridge."""
    name = variable.removeprefix("CA_").lower()
    if variable in TWO_DEFAULTS:
        return False, None
    for model in (Settings, BridgeSettings):
        field = model.model_fields.get(name)
        if field is not None and not field.is_required() and field.default_factory is None:
            default = field.default
            return True, default.get_secret_value() if hasattr(default, "get_secret_value") else default
    return False, None


def same_value(written: str, default: Any) -> bool:
    """Compare a default as the docs write it with the code's, allowing 90 for 90.0 and relative paths."""
    if default is None:
        return written == ""
    if isinstance(default, bool):
        return written.lower() == str(default).lower()
    if isinstance(default, int | float):
        try:
            return float(written) == float(default)
        except ValueError:
            return False
    return written == str(default).replace(f"{ROOT}/", "")


def test_every_make_command_the_docs_give_exists() -> None:
    named = {target for doc in DOCS for target in re.findall(r"`make ([a-z][a-z-]*)", text_of(doc))}
    assert named, "the README names no make commands"
    assert named <= make_targets(), sorted(named - make_targets())


def test_every_make_target_is_listed_by_make_help() -> None:
    helped = set(re.findall(r"^([a-z][a-z-]*):.*## ", text_of(ROOT / "Makefile"), re.MULTILINE))
    phony = set(re.search(r"^\.PHONY: (.*)$", text_of(ROOT / "Makefile"), re.MULTILINE).group(1).split())  # type: ignore[union-attr]
    assert make_targets() - {"help"} <= helped, "a target without a ## description is missing from `make help`"
    assert make_targets() <= phony


def test_the_ports_in_the_readme_are_the_ones_make_run_uses() -> None:
    table = dict(re.findall(r"^\| (API|Rasa|actions|mail sink) \| (\d+) \|", text_of(README), re.MULTILINE))
    defaults = stack_defaults()
    assert {name: int(port) for name, port in table.items()} == {
        "API": defaults["api_port"],
        "Rasa": defaults["rasa_port"],
        "actions": defaults["actions_port"],
        "mail sink": defaults["smtp_port"],
    }


def test_env_example_lists_exactly_the_settings_the_code_reads() -> None:
    listed = {name for name, _ in ENV_LINE.findall(text_of(ENV_EXAMPLE))}
    read = variables_read_by_the_code()
    assert not listed - read, f".env.example lists settings nothing reads: {sorted(listed - read)}"
    assert not read - listed, f"settings missing from .env.example: {sorted(read - listed)}"


def test_env_example_gives_the_codes_defaults() -> None:
    checked = 0
    for name, value in ENV_LINE.findall(text_of(ENV_EXAMPLE)):
        known, default = code_default(name)
        line = f"# {name}={value}"
        if known and line in text_of(ENV_EXAMPLE):  # commented out: it states the default
            assert same_value(value.strip(), default), f"{name}: .env.example says {value!r}, the code {default!r}"
            checked += 1
    assert checked > 40


def test_every_setting_the_docs_name_is_read_by_the_code() -> None:
    read = variables_read_by_the_code()
    for doc in DOCS:
        named = set(re.findall(r"\b(CA_[A-Z0-9_]*[A-Z0-9])\b", text_of(doc)))
        # "CA_RETENTION_*" or "CA_OFFICER_HOURS_*" stand for a family of settings
        families = {name for name in named if not name.endswith("_") and f"`{name}_*`" in text_of(doc)}
        assert named - families <= read, f"{doc.name} names settings nothing reads: {sorted(named - families - read)}"


def test_the_defaults_in_the_readmes_tables_are_the_codes() -> None:
    rows = re.findall(r"^\| `(CA_[A-Z0-9_]+)` \| `([^`]*)` \|", text_of(README), re.MULTILINE)
    checked = [(name, written) for name, written in rows if code_default(name)[0]]
    assert len(checked) >= 6
    for name, written in checked:
        assert same_value(written, code_default(name)[1]), f"README says {name} defaults to {written!r}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_file_the_docs_name_exists(doc: Path) -> None:
    missing = [
        path
        for path in REPO_PATH.findall(text_of(doc))
        if "*" not in path and "…" not in path and not (ROOT / path.rstrip(".")).exists()
    ]
    assert not missing, f"{doc.name} names files that do not exist: {missing}"


def test_every_pre_commit_hook_runs_something_that_exists() -> None:
    config = yaml.safe_load(text_of(ROOT / ".pre-commit-config.yaml"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {"ruff", "ruff-format", "mypy"} <= {hook["id"] for hook in hooks}
    for hook in hooks:
        assert hook["language"] == "system", f"{hook['id']} would download its own copy of a tool"
        words = hook["entry"].replace("'", " ").replace("&&", " ").split()
        for word in words:
            if word.startswith(".venv/"):
                assert (ROOT / word).exists(), f"{hook['id']} runs {word}, which `make install` does not make"
        if words[0] == "make":
            assert set(words[1:]) - {"--no-print-directory"} <= make_targets(), hook["id"]


def test_nothing_points_outside_the_repository() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    pointing = [
        name
        for name in tracked
        if not name.endswith((".png", ".tar.gz", ".ico"))
        and (ROOT / name).is_file()
        and re.search(r"\.\./shared|\b(DESIGN|DOMAIN)\.md\b", (ROOT / name).read_text(errors="ignore"))
        and name != "tests/api/test_readme_facts.py"
    ]
    assert not pointing, f"these files point at documents outside the repository: {pointing}"


# `python -m <module> [command]` for the project's own modules (pytest and pip are not ours to check).
PYTHON_COMMAND = re.compile(r"python -m ((?:api|telegram_bridge|tools)(?:\.\w+)*)(?: ([a-z][a-z-]*))?")
# A default written in prose: "`CA_X`, 4 s", "`CA_X`, default 120", "`CA_X` (default 24" and "30 s for Rasa (`CA_X`)".
PROSE_DEFAULTS = (
    re.compile(r"`(?P<name>CA_[A-Z0-9_]+)`,? (?:default )?(?P<value>\d+(?:\.\d+)?)(?: (?P<unit>s|minutes|hours)\b)?"),
    re.compile(r"`(?P<name>CA_[A-Z0-9_]+)` \(default (?P<value>\d+(?:\.\d+)?)"),
    re.compile(r"(?P<value>\d+(?:\.\d+)?) (?P<unit>s|minutes|hours)\b[\w ]{0,30}\(`(?P<name>CA_[A-Z0-9_]+)`"),
)
COMPOSE_DEFAULT = re.compile(r"\$\{(CA_[A-Z0-9_]+):-([^}]*)\}")


def strings_in(path: Path) -> set[str]:
    """Every string constant in a Python source: the command names its argument parser accepts are among them."""
    return {
        node.value
        for node in ast.walk(ast.parse(text_of(path)))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_every_python_command_the_docs_give_exists() -> None:
    commands = {found for doc in DOCS for found in PYTHON_COMMAND.findall(text_of(doc))}
    assert len(commands) >= 5, "the docs name fewer python -m commands than they used to"
    for module, command in sorted(commands):
        main = ROOT / module.replace(".", "/") / "__main__.py"
        assert main.exists(), f"`python -m {module}` names a module that cannot be run"
        assert not command or command in strings_in(main), f"`python -m {module} {command}`: no such command"


def bot_defaults() -> dict[str, Any]:
    """The action server's settings defaults, read from bot/settings.py (pydantic 1, the Rasa environment)."""
    tree = ast.parse(text_of(ROOT / "bot" / "settings.py"))
    return {
        f"CA_{node.target.id.upper()}": node.value.value
        for cls in tree.body
        if isinstance(cls, ast.ClassDef) and cls.name == "BotSettings"
        for node in cls.body
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and isinstance(node.value, ast.Constant)
    }


def documented_default(name: str) -> tuple[bool, Any]:
    """Return (known, default) for a setting of the API, the bridge, the action server or compose.yaml."""
    known, default = code_default(name)
    if known:
        return known, default
    if name in bot_defaults():
        return True, bot_defaults()[name]
    compose = dict(COMPOSE_DEFAULT.findall(text_of(ROOT / "compose.yaml")))
    return (True, compose[name]) if name in compose else (False, None)


def in_units_of(name: str, value: float, unit: str | None) -> float:
    """Convert a written value to the unit the setting's name ends with (CA_X_SECONDS, CA_X_MINUTES ...)."""
    seconds = value * {"minutes": 60, "hours": 3600}.get(unit or "s", 1)
    for suffix, size in (("_SECONDS", 1), ("_MINUTES", 60), ("_HOURS", 3600)):
        if name.endswith(suffix) and unit:
            return seconds / size
    return value


def test_the_defaults_the_docs_write_in_prose_are_the_codes() -> None:
    checked = []
    for doc in DOCS:
        for pattern in PROSE_DEFAULTS:
            for found in pattern.finditer(text_of(doc)):
                name, value, unit = found["name"], float(found["value"]), found.groupdict().get("unit")
                known, default = documented_default(name)
                if known:
                    written = in_units_of(name, value, unit)
                    assert float(default) == written, f"{doc.name} says {name} is {found[0]!r}; the code: {default}"
                    checked.append(name)
    assert len(set(checked)) >= 6, sorted(set(checked))


def test_the_prose_default_check_reads_each_way_a_default_is_written() -> None:
    text = (
        "each call (`CA_BACKOFFICE_TIMEOUT_SECONDS`, 4 s), grants (`CA_CONVERSATION_GRANT_SECONDS`, default 120), "
        "hours `CA_CONSOLE_CLOSED_VISIBLE_HOURS` (default 24), the hub 30 s for Rasa (`CA_RASA_TIMEOUT_SECONDS`)"
    )
    found = sorted((f["name"], f["value"]) for pattern in PROSE_DEFAULTS for f in pattern.finditer(text))
    assert found == [
        ("CA_BACKOFFICE_TIMEOUT_SECONDS", "4"),
        ("CA_CONSOLE_CLOSED_VISIBLE_HOURS", "24"),
        ("CA_CONVERSATION_GRANT_SECONDS", "120"),
        ("CA_RASA_TIMEOUT_SECONDS", "30"),
    ]
    assert in_units_of("CA_CONSOLE_IDLE_MINUTES", 30, "minutes") == 30
    assert in_units_of("CA_RASA_RETRY_SECONDS", 2, "minutes") == 120
