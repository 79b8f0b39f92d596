"""A fast look at the intent data: stratified cross-validation of the intent classifier in a minute or two.

`make nlu-report` is the published measure (Rasa's own cross-validation of the whole pipeline, which takes
much longer). This probe approximates the same features with scikit-learn (word and character n-gram
counts and the MiniLM sentence embedding) and the same linear model as bot/nlp/intent_classifier.py, so
that whoever writes training data can see within a minute which intents are confused and by which
examples. Each held-out example is also scored misspelt (scripts/typos.py), through the same spelling layer
as the pipeline (bot/nlp/spelling.py; `--no-spelling` leaves it out, for comparison).
Run it with `make nlu-probe`, or .venv/rasa/bin/python scripts/nlu_probe.py [--folds 5] [--show 40]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import classification_report
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from typos import perturb  # noqa: E402

from bot.nlp.intent_classifier import FeatureJoiner, LinearIntentClassifier  # noqa: E402
from bot.nlp.sentence_features import load_encoder  # noqa: E402
from bot.nlp.spelling import Speller, english_words  # noqa: E402
from bot.nlp.vote_turn import turned  # noqa: E402

ENCODER_DIMENSIONS = 384  # all-MiniLM-L6-v2's sentence vector


def examples() -> tuple[list[str], list[str]]:
    """Texts (entity mark-up removed) and intents of every NLU example."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(ROOT / "data" / "nlu"))
    pairs = [(m.get("text"), m.get("intent")) for m in data.intent_examples if m.get("text") and m.get("intent")]
    return [text for text, _ in pairs], [intent for _, intent in pairs]


def configured_quantize() -> bool:
    """Whether config.yml's sentence featurizer runs the quantised encoder (its `quantize` setting)."""
    import yaml

    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    for component in pipeline:
        if component["name"].endswith("SentenceEmbeddingFeaturizer"):
            return bool(component.get("quantize", False))
    return False


class Encoder:
    """MiniLM sentence vectors by text, cached under results/ (the probe encodes the same texts every run)."""

    def __init__(self, *, quantize: bool = False) -> None:
        self.quantize = quantize
        self.cache = ROOT / "results" / ("nlu-probe-vectors-int8.npz" if quantize else "nlu-probe-vectors.npz")
        self.vectors: dict[str, np.ndarray] = {}
        if self.cache.exists():
            saved = np.load(self.cache)
            self.vectors = dict(zip(saved["texts"].tolist(), saved["vectors"], strict=True))
        self._model: Any = None

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = sorted(set(texts) - self.vectors.keys())
        if missing:
            self._model = self._model or load_encoder(quantize=self.quantize)
            found = self._model.encode(missing, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
            self.vectors.update(zip(missing, found, strict=True))
            self.cache.parent.mkdir(exist_ok=True)
            np.savez(self.cache, texts=np.array(list(self.vectors)), vectors=np.array(list(self.vectors.values())))
        return np.array([self.vectors[text] for text in texts])


def features(
    train: list[str], tests: list[list[str]], encoder: Encoder, dense_weight: float
) -> tuple[scipy.sparse.csr_matrix, list[scipy.sparse.csr_matrix]]:
    """Word and char_wb 1-4 counts and the sentence embedding, joined as the Rasa component joins them."""
    words = CountVectorizer(token_pattern=r"(?u)\b\w+\b")  # noqa: S106 (a regex, not a password)
    chars = CountVectorizer(analyzer="char_wb", ngram_range=(1, 4))

    def blocks(
        word_counts: scipy.sparse.spmatrix, char_counts: scipy.sparse.spmatrix, dense: np.ndarray
    ) -> list[list[tuple[bool, scipy.sparse.csr_matrix]]]:
        rows = zip(scipy.sparse.csr_matrix(word_counts), scipy.sparse.csr_matrix(char_counts), dense, strict=True)
        return [[(False, w), (False, c), (True, scipy.sparse.csr_matrix(d.reshape(1, -1)))] for w, c, d in rows]

    fitted = blocks(words.fit_transform(train), chars.fit_transform(train), encoder(train))
    joiner = FeatureJoiner(dense_weight).fit(fitted)
    applied = [joiner.transform(blocks(words.transform(test), chars.transform(test), encoder(test))) for test in tests]
    return joiner.transform(fitted), applied


def dense_columns(joined: scipy.sparse.csr_matrix) -> list[int]:
    """Return the sentence embedding's columns (`features` puts it last)."""
    return list(range(joined.shape[1] - ENCODER_DIMENSIONS, joined.shape[1]))


def speller_for(train: list[str]) -> Callable[[str], str]:
    """Return the spelling layer as the Rasa pipeline has it: vocabulary from the training texts' spaCy tokens."""
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    speller = Speller.from_texts(([t.text for t in tokenizer(text)] for text in train), english_words())

    def correct(text: str) -> str:
        return speller.correct_text(text, [(t.idx, t.idx + len(t)) for t in tokenizer(text)])[0]

    return correct


def text_speak(
    texts: list[str], labels: np.ndarray, args: argparse.Namespace, defaults: dict[str, Any], encoder: Encoder
) -> None:
    """Train on every example; print how many of the held-out text-speak phrases reach their intent, and misses."""
    import yaml

    groups = yaml.safe_load((ROOT / "scripts" / "textspeak_phrases.yml").read_text())
    phrases = [
        (group, intent, text) for group, by_intent in groups.items() for intent, ts in by_intent.items() for text in ts
    ]
    correct = (lambda text: text) if args.no_spelling else speller_for(texts)
    x_train, (x_phrases,) = features(
        [correct(text) for text in texts],
        [[correct(text) for _, _, text in phrases]],
        encoder,
        defaults["dense_weight"],
    )
    model = LinearIntentClassifier.make_model(defaults).fit(x_train, labels, dense_columns(x_train))
    predicted = model.predict(x_phrases)
    for group in groups:
        rows = [(intent, text, got) for (g, intent, text), got in zip(phrases, predicted, strict=True) if g == group]
        right = sum(intent == got for intent, _, got in rows)
        print(f"text-speak phrases ({group}, scripts/textspeak_phrases.yml): {right} of {len(rows)} reach their intent")
        for intent, text, got in rows:
            if intent != got:
                print(f"  [{intent} -> {got}] {text}")


def misspelt(texts: list[str]) -> list[str]:
    """Return a misspelt copy of each text (the same every run)."""
    rng = random.Random(2026)  # noqa: S311 (repeatable typos, not secrets)
    return [perturb(text, rng)[0] for text in texts]


def cross_validate(
    texts: list[str],
    typos: list[str],
    labels: np.ndarray,
    args: argparse.Namespace,
    defaults: dict[str, Any],
    encoder: Encoder,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Predict each example from a model trained on the other folds; also predict its misspelt copy."""
    predicted, predicted_typos = np.empty_like(labels), np.empty_like(labels)
    confidence = np.zeros(len(texts))
    for train, test in StratifiedKFold(args.folds, shuffle=True, random_state=args.seed).split(texts, labels):
        correct = (lambda text: text) if args.no_spelling else speller_for([texts[i] for i in train])
        train_texts = [correct(texts[i]) for i in train]
        x_train, (x_test, x_typos) = features(
            train_texts,
            [[correct(texts[i]) for i in test], [correct(typos[i]) for i in test]],
            encoder,
            defaults["dense_weight"],
        )
        model = LinearIntentClassifier.make_model(defaults).fit(x_train, labels[train], dense_columns(x_train))
        probabilities = model.predict_proba(x_test)
        # As the classifier does (read_the_turn): the direction of "X instead of Y" between post and in person.
        firsts = model.classes_[probabilities.argmax(axis=1)]
        predicted[test] = [turned(correct(texts[i]), str(first)) for i, first in zip(test, firsts, strict=True)]
        confidence[test] = probabilities.max(axis=1)
        predicted_typos[test] = [
            turned(correct(typos[i]), str(first)) for i, first in zip(test, model.predict(x_typos), strict=True)
        ]
    return predicted, confidence, predicted_typos


def main() -> int:
    """Cross-validate and print per-intent scores (as written, and misspelt) and the misclassified examples."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026, help="how the examples are dealt into folds")
    parser.add_argument("--show", type=int, default=60, help="how many misclassified examples to print")
    parser.add_argument("--C", type=float, help="override the classifier's C")
    parser.add_argument("--dense-weight", type=float, help="override the classifier's dense_weight")
    parser.add_argument("--neighbour-weight", type=float, help="override the classifier's neighbour_weight (0: none)")
    parser.add_argument("--no-spelling", action="store_true", help="leave out the spelling layer (for comparison)")
    parser.add_argument(
        "--encoder",
        choices=("config", "float", "int8"),
        default="config",
        help="the sentence encoder: as config.yml's featurizer has it (default), float, or int8-quantised",
    )
    args = parser.parse_args()
    defaults = LinearIntentClassifier.get_default_config()
    defaults["C"] = args.C or defaults["C"]
    defaults["dense_weight"] = args.dense_weight or defaults["dense_weight"]
    if args.neighbour_weight is not None:
        defaults["neighbour_weight"] = args.neighbour_weight
    quantize = configured_quantize() if args.encoder == "config" else args.encoder == "int8"
    texts, intents = examples()
    encoder_name = "int8-quantised" if quantize else "float"
    print(f"{len(texts)} examples, {len(set(intents))} intents; {encoder_name} encoder; encoding...", flush=True)
    labels = np.array(intents)
    typos = misspelt(texts)
    predicted, confidence, predicted_typos = cross_validate(
        texts, typos, labels, args, defaults, Encoder(quantize=quantize)
    )
    report = classification_report(labels, predicted, output_dict=True, zero_division=0)
    typo_report = classification_report(labels, predicted_typos, output_dict=True, zero_division=0)
    rows = sorted((k for k in report if k in set(intents)), key=lambda k: typo_report[k]["f1-score"])
    for name in rows:
        print(
            f"{name:28s} P {report[name]['precision']:.3f} R {report[name]['recall']:.3f} "
            f"F1 {report[name]['f1-score']:.3f} n {int(report[name]['support'])}   "
            f"misspelt F1 {typo_report[name]['f1-score']:.3f}"
        )
    print(
        f"macro F1 {report['macro avg']['f1-score']:.3f}, accuracy {report['accuracy']:.3f}; misspelt: macro F1 "
        f"{typo_report['macro avg']['f1-score']:.3f}, accuracy {typo_report['accuracy']:.3f}"
    )
    right = predicted == labels
    print(
        f"confidence: correct median {np.median(confidence[right]):.2f}, "
        f"below 0.5 {np.mean(confidence[right] < 0.5):.1%}; wrong median {np.median(confidence[~right]):.2f}"
    )
    print("most confused:", Counter(zip(labels[~right], predicted[~right], strict=True)).most_common(12))
    for index in np.flatnonzero(~right)[: args.show]:
        print(f"  [{labels[index]} -> {predicted[index]} {confidence[index]:.2f}] {texts[index]}")
    lost = np.flatnonzero(right & (predicted_typos != labels))
    print(f"misspelt copies lost ({len(lost)}; typos from scripts/typos.py, seed 2026):")
    for index in lost[: args.show]:
        print(f"  [{labels[index]} -> {predicted_typos[index]}] {typos[index]}")
    text_speak(texts, labels, args, defaults, Encoder())
    return 0


if __name__ == "__main__":
    sys.exit(main())
