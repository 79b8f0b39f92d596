"""A fast look at the intent data: stratified cross-validation of the intent classifier in a minute or two.

`make nlu-report` is the published measure (Rasa's own cross-validation of the whole pipeline, which takes
much longer). This probe approximates the same features with scikit-learn (word and character n-gram
counts and the MiniLM sentence embedding) and the same linear model as bot/nlp/intent_classifier.py, so
that whoever writes training data can see within a minute which intents are confused and by which
examples. Run it with `make nlu-probe`, or .venv/rasa/bin/python scripts/nlu_probe.py [--folds 5] [--show 40]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp.intent_classifier import FeatureJoiner, LinearIntentClassifier  # noqa: E402
from bot.nlp.sentence_features import load_encoder  # noqa: E402


def examples() -> tuple[list[str], list[str]]:
    """Texts (entity mark-up removed) and intents of every NLU example."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(ROOT / "data" / "nlu"))
    pairs = [(m.get("text"), m.get("intent")) for m in data.intent_examples if m.get("text") and m.get("intent")]
    return [text for text, _ in pairs], [intent for _, intent in pairs]


def encode(texts: list[str]) -> np.ndarray:
    """MiniLM sentence vectors, cached under results/ by the texts' hash (the data changes between runs)."""
    cache = ROOT / "results" / f"nlu-probe-{hashlib.sha256(chr(0).join(texts).encode()).hexdigest()[:16]}.npy"
    if cache.exists():
        return np.load(cache)
    vectors = load_encoder().encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    cache.parent.mkdir(exist_ok=True)
    for old in cache.parent.glob("nlu-probe-*.npy"):
        old.unlink()
    np.save(cache, vectors)
    return vectors


def features(train: list[str], test: list[str], dense_train: np.ndarray, dense_test: np.ndarray,
             dense_weight: float) -> tuple[scipy.sparse.csr_matrix, scipy.sparse.csr_matrix]:
    """Word and char_wb 1-4 counts and the sentence embedding, joined as the Rasa component joins them."""
    words = CountVectorizer(token_pattern=r"(?u)\b\w+\b")  # noqa: S106 (a regex, not a password)
    chars = CountVectorizer(analyzer="char_wb", ngram_range=(1, 4))

    def blocks(word_counts: scipy.sparse.spmatrix, char_counts: scipy.sparse.spmatrix,
               dense: np.ndarray) -> list[list[tuple[bool, scipy.sparse.csr_matrix]]]:
        rows = zip(scipy.sparse.csr_matrix(word_counts), scipy.sparse.csr_matrix(char_counts), dense, strict=True)
        return [[(False, w), (False, c), (True, scipy.sparse.csr_matrix(d.reshape(1, -1)))] for w, c, d in rows]

    fitted = blocks(words.fit_transform(train), chars.fit_transform(train), dense_train)
    applied = blocks(words.transform(test), chars.transform(test), dense_test)
    joiner = FeatureJoiner(dense_weight).fit(fitted)
    return joiner.transform(fitted), joiner.transform(applied)


def main() -> int:
    """Cross-validate and print per-intent scores and the misclassified examples."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--show", type=int, default=60, help="how many misclassified examples to print")
    parser.add_argument("--C", type=float, help="override the classifier's C")
    parser.add_argument("--dense-weight", type=float, help="override the classifier's dense_weight")
    args = parser.parse_args()
    defaults = LinearIntentClassifier.get_default_config()
    defaults["C"] = args.C or defaults["C"]
    defaults["dense_weight"] = args.dense_weight or defaults["dense_weight"]
    texts, intents = examples()
    print(f"{len(texts)} examples, {len(set(intents))} intents; encoding...", flush=True)
    dense = encode(texts)
    labels = np.array(intents)
    predicted = np.empty_like(labels)
    confidence = np.zeros(len(texts))
    for train, test in StratifiedKFold(args.folds, shuffle=True, random_state=2026).split(texts, labels):
        x_train, x_test = features([texts[i] for i in train], [texts[i] for i in test], dense[train], dense[test],
                                   defaults["dense_weight"])
        model = LogisticRegression(C=defaults["C"], max_iter=defaults["max_iter"]).fit(x_train, labels[train])
        probabilities = model.predict_proba(x_test)
        predicted[test] = model.classes_[probabilities.argmax(axis=1)]
        confidence[test] = probabilities.max(axis=1)
    report = classification_report(labels, predicted, output_dict=True, zero_division=0)
    rows = sorted((k for k in report if k in set(intents)), key=lambda k: report[k]["f1-score"])
    for name in rows:
        print(f"{name:28s} P {report[name]['precision']:.3f} R {report[name]['recall']:.3f} "
              f"F1 {report[name]['f1-score']:.3f} n {int(report[name]['support'])}")
    print(f"macro F1 {report['macro avg']['f1-score']:.3f}, accuracy {report['accuracy']:.3f}")
    right = predicted == labels
    print(f"confidence: correct median {np.median(confidence[right]):.2f}, "
          f"below 0.5 {np.mean(confidence[right] < 0.5):.1%}; wrong median {np.median(confidence[~right]):.2f}")
    print("most confused:", Counter(zip(labels[~right], predicted[~right], strict=True)).most_common(12))
    for index in np.flatnonzero(~right)[: args.show]:
        print(f"  [{labels[index]} -> {predicted[index]} {confidence[index]:.2f}] {texts[index]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
