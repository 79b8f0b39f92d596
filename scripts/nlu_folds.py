"""Write the NLU cross-validation folds for `make nlu-report`: train and test files, and a misspelt copy of each test.

Run in the Rasa environment by scripts/nlu_report.py: .venv/rasa/bin/python scripts/nlu_folds.py OUT [--folds 5]
Folds are stratified by intent with a fixed seed. The misspelt copy (scripts/typos.py) changes one or two words
of each held-out example outside its entities, and moves the entities' offsets with the text, so entity
annotations stay right.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402
from sklearn.model_selection import StratifiedKFold  # noqa: E402
from typos import perturb  # noqa: E402

SEED = 2026


def misspelt(message: Message, rng: random.Random) -> Message:
    """Return a copy of ``message`` with one or two words misspelt outside its entities."""
    entities = [dict(entity) for entity in message.get(ENTITIES) or []]
    spans = [(entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]) for entity in entities]
    text, moved = perturb(message.get(TEXT), rng, spans)
    for entity, (start, end) in zip(entities, moved, strict=True):
        entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END] = start, end
    data = {**message.data, TEXT: text}
    if entities:
        data[ENTITIES] = entities
    return Message(data=data)


def write_folds(out: Path, folds: int) -> None:
    """Split data/nlu into stratified folds and write each fold's train.yml, test.yml and test_typos.yml."""
    data = load_data(str(ROOT / "data" / "nlu"))
    examples = data.intent_examples
    intents = [example.get("intent") for example in examples]
    rng = random.Random(SEED)  # noqa: S311 (repeatable typos, not secrets)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    for index, (train, test) in enumerate(splitter.split(examples, intents)):
        folder = out / f"fold{index + 1}"
        folder.mkdir(parents=True, exist_ok=True)
        training = TrainingData(
            [examples[i] for i in train],
            entity_synonyms=data.entity_synonyms,
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
        )
        (folder / "train.yml").write_text(training.nlu_as_yaml())
        (folder / "test.yml").write_text(TrainingData([examples[i] for i in test]).nlu_as_yaml())
        typos = TrainingData([misspelt(examples[i], rng) for i in test])
        (folder / "test_typos.yml").write_text(typos.nlu_as_yaml())
        print(f"fold {index + 1}: {len(train)} training examples, {len(test)} held out")


def main() -> int:
    """Parse the arguments and write the folds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    write_folds(args.out, args.folds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
