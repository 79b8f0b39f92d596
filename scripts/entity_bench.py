"""Compare entity extractor settings quickly: featurise one held-out split once, then train each variant.

Run in the Rasa environment (it imports Rasa and the project's components):

    .venv/rasa/bin/python scripts/entity_bench.py --fold 1 --folds 3 \
        --variant 'base={"epochs": 40}' --variant 'light={"epochs": 40, "featurizers": ["words"]}' \
        --variant 'crf={"extractor": "CRFEntityExtractor", "max_iterations": 100}'

The folds are `make nlu-report`'s (scripts/nlu_folds.py: stratified by intent, fixed seed). Every featurizer of
config.yml up to DIET is trained on the fold's training examples and run once over the training and held-out
examples (as written and misspelt); then each variant (DIET's options as JSON on top of config.yml's DIET;
`"only_with_entities": N` keeps the examples with entities plus N of those without) is trained and scored.
A variant with `"extractor": "CRFEntityExtractor"` is Rasa's CRF instead, its other options on top of the
CRF's defaults (`features`, `max_iterations`, `L1_c`, `L2_c`, ...; `"only_with_entities"` as for DIET).
Scores are per entity, over exact spans (start, end and label all right) and over tokens (as `rasa test nlu`
counts them); the times are the extractor's training alone, wall and CPU (all threads of this process).
Results are printed and appended, one JSON line per variant, to results/entity-bench.jsonl.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import yaml  # noqa: E402
from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.nlu.classifiers.diet_classifier import DIETClassifier  # noqa: E402
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor  # noqa: E402
from rasa.shared.importers.utils import training_data_from_paths  # noqa: E402
from rasa.shared.nlu.constants import ENTITIES, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

OUT = ROOT / "results" / "entity-bench.jsonl"
Span = tuple[int, int, str]
# The entity extractors a variant (or config.yml) may name; DIET is the default.
EXTRACTORS: dict[str, type] = {"DIETClassifier": DIETClassifier, "CRFEntityExtractor": CRFEntityExtractor}


def pipeline_steps(config: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Return the components of config.yml before its entity extractor (without the intent classifier), and DIET's.

    DIET's options are config.yml's DIET's; only intent_classification false when config.yml's extractor is the CRF.
    """
    steps = yaml.safe_load(config.read_text())["pipeline"]
    names = [step["name"].rpartition(".")[2] for step in steps]
    learnt = ("DIETClassifier", "EntityDIET", "CRFEntityExtractor")
    extractor = next(i for i, name in enumerate(names) if name in learnt)
    before = [s for s in steps[:extractor] if s["name"] not in ("bot.nlp.intent_classifier.LinearIntentClassifier",)]
    # DIET's own options; the sample of examples without entities is the variant's `only_with_entities`
    skip = {"name", "examples_without_entities"}
    options = {k: v for k, v in steps[extractor].items() if k not in skip} if names[extractor] != learnt[2] else {}
    return before, {"intent_classification": False} | options


def extractor_config(options: dict[str, Any], diet_options: dict[str, Any]) -> tuple[type, dict[str, Any]]:
    """Return a variant's extractor class and its full config: DIET's on top of config.yml's DIET, or the CRF's."""
    options = dict(options)
    cls = EXTRACTORS[options.pop("extractor", "DIETClassifier")]
    if cls is DIETClassifier:
        return cls, {**DIETClassifier.get_default_config(), **diet_options, **options}
    return cls, {**cls.get_default_config(), **options}


def component_class(name: str) -> type:
    """Rasa's registered class for a component name (a Rasa class name or a dotted path)."""
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    if "." in name:
        module, _, cls = name.rpartition(".")
        return getattr(__import__(module, fromlist=[cls]), cls)
    return DefaultV1Recipe()._from_registry(name).clazz  # type: ignore[no-any-return]


class Featuriser:
    """The pipeline before DIET, trained on the training examples."""

    def __init__(self, steps: list[dict[str, Any]], storage: LocalModelStorage, training: TrainingData) -> None:
        self.components: list[tuple[str, Any]] = []
        self.spacy_model = None
        context = ExecutionContext(GraphSchema({}), "bench")
        for index, step in enumerate(steps):
            cls = component_class(step["name"])
            config = {**cls.get_default_config(), **{k: v for k, v in step.items() if k != "name"}}
            context.node_name = f"{cls.__name__}{index}"
            component = cls.create(config, storage, Resource(f"{cls.__name__}{index}"), context)
            if cls.__name__ == "SpacyNLP":
                self.spacy_model = component.provide()
                component.process_training_data(training, self.spacy_model)
            else:
                if hasattr(component, "train") and cls.__name__ not in ("SpacyEntityExtractor",):
                    component.train(training)
                if cls.__name__ == "SpacyEntityExtractor":
                    continue
                component.process_training_data(training)
            self.components.append((cls.__name__, component))

    def process(self, messages: list[Message]) -> list[Message]:
        """Featurise messages as a served model would (text only)."""
        for name, component in self.components:
            if name == "SpacyNLP":
                component.process(messages, self.spacy_model)
            else:
                component.process(messages)
        return messages


def spans(message: Message, extractor: str | None = None) -> set[Span]:
    """Return the entity spans of a message (of one extractor's, if given)."""
    return {
        (e["start"], e["end"], e["entity"])
        for e in message.get(ENTITIES) or []
        if extractor is None or e.get("extractor") == extractor
    }


def token_labels(message: Message, found: set[Span]) -> list[str]:
    """One label per token: the entity that covers it, or no_entity."""
    labels = []
    for token in message.get("text_tokens") or []:
        label = "no_entity"
        for start, end, entity in found:
            if token.start < end and start < token.end:
                label = entity
        labels.append(label)
    return labels


def prf(hit: float, guessed: float, true: float) -> dict[str, float]:
    """Precision, recall and F1 from counts."""
    p = hit / guessed if guessed else 0.0
    r = hit / true if true else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "support": true}


def score(gold: list[Message], predicted: list[Message], extractor: str = "DIETClassifier") -> dict[str, Any]:
    """Per-entity exact-span and token scores of one extractor's entities, with micro and macro averages."""
    result: dict[str, Any] = {}
    for unit in ("span", "token"):
        hit: Counter[str] = Counter()
        guessed: Counter[str] = Counter()
        true: Counter[str] = Counter()
        for g, p in zip(gold, predicted, strict=True):
            gs, ps = spans(g), spans(p, extractor)
            if unit == "span":
                items_g, items_p = [s[2] for s in gs], [s[2] for s in ps]
                hits = [s[2] for s in gs & ps]
            else:
                lg, lp = token_labels(p, gs), token_labels(p, ps)
                items_g = [x for x in lg if x != "no_entity"]
                items_p = [x for x in lp if x != "no_entity"]
                hits = [a for a, b in zip(lg, lp, strict=True) if a == b and a != "no_entity"]
            true.update(items_g)
            guessed.update(items_p)
            hit.update(hits)
        per = {name: prf(hit[name], guessed[name], true[name]) for name in sorted(true)}
        micro = prf(sum(hit.values()), sum(guessed.values()), sum(true.values()))
        macro = sum(row["f1"] for row in per.values()) / len(per)
        result[unit] = {"entities": per, "micro_f1": micro["f1"], "macro_f1": macro}
    return result


def text_copies(examples: list[Message]) -> list[Message]:
    """Fresh messages holding only the text, as a resident's message arrives."""
    return [Message(data={TEXT: m.get(TEXT)}) for m in examples]


def main() -> int:
    """Featurise one fold once, train and score each variant."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fold", type=int, default=1)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the checkout whose data/nlu to split (default: this one)"
    )
    parser.add_argument("--variant", action="append", default=[], help='NAME={"epochs": 25, ...}')
    args = parser.parse_args()

    import nlu_folds

    work = Path(tempfile.mkdtemp(prefix="entity-bench-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)  # the folds and every extractor trained (tens of MB)
    nlu_folds.ROOT = args.root
    nlu_folds.write_folds(work, args.folds)
    fold = work / f"fold{args.fold}"
    training = training_data_from_paths([str(fold / "train.yml")], "en")
    tests = {name: training_data_from_paths([str(fold / f"{name}.yml")], "en") for name in ("test", "test_typos")}
    steps, diet_options = pipeline_steps(args.config)
    (work / "storage").mkdir()
    storage = LocalModelStorage(work / "storage")
    started = time.monotonic()
    featuriser = Featuriser(steps, storage, training)
    featurised = {name: featuriser.process(text_copies(data.nlu_examples)) for name, data in tests.items()}
    print(f"featurised in {time.monotonic() - started:.0f} s", flush=True)

    for number, variant in enumerate(args.variant):
        name, _, options = variant.partition("=")
        options_dict = json.loads(options or "{}")
        keep = options_dict.pop("only_with_entities", None)
        cls, config = extractor_config(options_dict, diet_options)
        data = training
        if keep is not None:
            with_entities = [m for m in training.nlu_examples if m.get(ENTITIES)]
            without = [m for m in training.nlu_examples if not m.get(ENTITIES)]
            rng = random.Random(2026)  # noqa: S311
            chosen = with_entities + rng.sample(without, min(keep, len(without)))
            data = TrainingData(chosen)
        context = ExecutionContext(GraphSchema({}), "bench", node_name=f"extractor{number}")
        extractor = cls.create(config, storage, Resource(f"extractor{number}"), context)
        wall, cpu = time.monotonic(), time.process_time()
        extractor.train(data)
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
        row: dict[str, Any] = {
            "variant": name,
            "options": json.loads(options or "{}"),
            "extractor": cls.__name__,
            "fold": args.fold,
            "folds": args.folds,
            "train_examples": len(data.nlu_examples),
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "load": os.getloadavg()[0],
        }
        for test_name, data_set in tests.items():
            predicted = extractor.process(copy_features(featurised[test_name]))
            row[test_name] = score(data_set.nlu_examples, predicted, cls.__name__)
        OUT.parent.mkdir(exist_ok=True)
        with OUT.open("a") as out:
            out.write(json.dumps(row) + "\n")
        summary = ", ".join(
            f"{t} span micro {row[t]['span']['micro_f1']:.3f} macro {row[t]['span']['macro_f1']:.3f}"
            f" token micro {row[t]['token']['micro_f1']:.3f} macro {row[t]['token']['macro_f1']:.3f}"
            for t in tests
        )
        print(f"{name}: {row['train_examples']} examples, {wall:.0f} s wall, {cpu:.0f} s CPU; {summary}", flush=True)
        per = row["test"]["token"]["entities"]
        print("   token F1: " + ", ".join(f"{k} {v['f1']:.2f}" for k, v in per.items()), flush=True)
    return 0


def copy_features(messages: list[Message]) -> list[Message]:
    """Messages with the text, tokens and features of the featurised ones but no entities yet."""
    copies = []
    for message in messages:
        data = {k: v for k, v in message.data.items() if k != ENTITIES}
        copies.append(Message(data=data, features=list(message.features)))
    return copies


if __name__ == "__main__":
    sys.exit(main())
