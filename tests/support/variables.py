"""Which environment variables the code reads, found in the code itself so that no list here can drift.

Sources: the fields of the three settings classes (the API's and the Telegram bridge's by import, the action
server's by parsing, since it is pydantic 1 in the Rasa environment), ``${CA_...}`` in Rasa's endpoints files
and compose.yaml, and the exact string ``"CA_..."`` wherever Python code reads one by name (os.environ,
the sealing key, test switches), in scripts/bootstrap.sh and in the Makefile.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from api.settings import ROOT, Settings
from telegram_bridge.settings import BridgeSettings

PYTHON_DIRS = ("api", "bot", "telegram_bridge", "scripts", "tests")
RASA_ENDPOINTS = (ROOT / "endpoints.yml", ROOT / "deploy" / "rasa" / "endpoints.yml")
SHELL_FILES = (ROOT / "compose.yaml", ROOT / "scripts" / "bootstrap.sh", ROOT / "Makefile")
NAMED = re.compile(r"""["'](CA_[A-Z0-9_]*[A-Z0-9])["']""")
SUBSTITUTED = re.compile(r"\$\{(CA_[A-Z0-9_]+)")
MAKE_DEFAULT = re.compile(r"^export (CA_[A-Z0-9_]+) \?=", re.MULTILINE)


def settings_fields(path: Path, class_name: str) -> set[str]:
    """Return CA_<FIELD> for each field of a settings class, read from its source without importing it."""
    tree = ast.parse(path.read_text())
    return {
        f"CA_{node.target.id.upper()}"
        for cls in tree.body
        if isinstance(cls, ast.ClassDef) and cls.name == class_name
        for node in cls.body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }


def settings_variables() -> set[str]:
    """Every CA_ variable a settings class reads (the API, the action server, the Telegram bridge)."""
    names = {f"CA_{name.upper()}" for name in Settings.model_fields}
    names |= {f"CA_{name.upper()}" for name in BridgeSettings.model_fields}
    return names | settings_fields(ROOT / "bot" / "settings.py", "BotSettings")


def rasa_endpoint_variables() -> set[str]:
    """Every variable Rasa's endpoints files substitute."""
    return {name for path in RASA_ENDPOINTS for name in re.findall(r"\$\{(\w+)\}", path.read_text())}


def variables_read_by_the_code() -> set[str]:
    """Every CA_ variable some part of the repository reads."""
    names = settings_variables() | {name for name in rasa_endpoint_variables() if name.startswith("CA_")}
    for directory in PYTHON_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            names |= set(NAMED.findall(path.read_text()))
    for path in SHELL_FILES:
        text = path.read_text()
        names |= set(SUBSTITUTED.findall(text)) | set(MAKE_DEFAULT.findall(text))
    return names
