"""A change to any of the project's own pipeline components must retrain the model: each module config.yml names
is one of the files the model's fingerprint hashes (MODEL_INPUTS in scripts/stack.py)."""

from __future__ import annotations

import ast
from pathlib import Path

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
