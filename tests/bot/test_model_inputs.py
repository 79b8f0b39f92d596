"""A change to any of the project's own pipeline components must retrain the model: each module config.yml names
is one of the files the model's fingerprint hashes (MODEL_INPUTS in scripts/stack.py)."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def model_inputs() -> set[str]:
    tree = ast.parse((ROOT / "scripts" / "stack.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "MODEL_INPUTS" for t in node.targets):
            return set(ast.literal_eval(node.value))
    raise AssertionError("scripts/stack.py has no MODEL_INPUTS")


def test_every_project_component_in_config_yml_is_a_model_input() -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    names = [step["name"] for step in config["pipeline"] + config["policies"]]
    modules = {name.rpartition(".")[0].replace(".", "/") + ".py" for name in names if "." in name}
    assert modules, "config.yml names none of the project's components"
    assert modules <= model_inputs(), f"not hashed into the model's name: {sorted(modules - model_inputs())}"


def project_imports(module: Path) -> set[Path]:
    """The project's own modules (bot.*) that ``module`` imports, directly or through them."""
    seen: set[Path] = set()
    todo = [module]
    while todo:
        tree = ast.parse(todo.pop().read_text())
        for node in ast.walk(tree):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                path = ROOT / (name.replace(".", "/") + ".py")
                if name.startswith("bot.") and path.exists() and path not in seen:
                    seen.add(path)
                    todo.append(path)
    return seen


def test_every_module_a_project_component_imports_is_a_model_input() -> None:
    """The classifier came to import bot/nlp/vote_turn.py; a change there must name a new model too."""
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    names = [step["name"] for step in config["pipeline"] + config["policies"]]
    components = {ROOT / (name.rpartition(".")[0].replace(".", "/") + ".py") for name in names if "." in name}
    imported = set().union(*(project_imports(component) for component in components))
    hashed = {str(path.relative_to(ROOT)) for path in imported}
    assert hashed <= model_inputs(), f"not hashed into the model's name: {sorted(hashed - model_inputs())}"


def test_rasa_trains_with_a_cache_of_its_own_for_each_version_of_the_pipeline_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa's cache restored a classifier trained by older code into a model named for the new code."""
    spec = importlib.util.spec_from_file_location("stack_under_test", ROOT / "scripts" / "stack.py")
    assert spec is not None and spec.loader is not None
    stack = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "stack_under_test", stack)
    spec.loader.exec_module(stack)
    monkeypatch.setattr(stack, "RASA_CACHES", tmp_path)
    monkeypatch.delenv("RASA_CACHE_DIRECTORY", raising=False)
    (tmp_path / "cache-0123456789abcdef").mkdir()  # a cache left by older pipeline code

    cache = Path(stack._rasa_env()["RASA_CACHE_DIRECTORY"])

    assert cache == tmp_path / f"cache-{stack.pipeline_code_fingerprint()}"
    assert not (tmp_path / "cache-0123456789abcdef").exists()
