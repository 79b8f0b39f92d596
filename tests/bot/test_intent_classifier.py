"""The linear intent classifier, trained on real features from Rasa's own tokenizer and count vectoriser and the
project's MiniLM featurizer: it recognises paraphrases it never saw, ranks its guesses, survives a save and load,
and says nothing when it has nothing to go on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.intent_classifier import LinearIntentClassifier
from bot.nlp.sentence_features import SentenceEmbeddingFeaturizer

EXAMPLES = {
    "polling_station": [
        "where is my polling station",
        "where do I vote",
        "which hall do I vote at",
        "where's the polling place for my street",
        "I need to find my polling station",
    ],
    "missed_bin": [
        "my bin wasn't collected",
        "the bin men missed my house",
        "nobody emptied my recycling",
        "you forgot my bin again",
        "my black bin is still full, it was missed",
    ],
    "pay": [
        "how can I pay my council tax",
        "ways to pay my bill",
        "can I pay by direct debit",
        "what's the bank account for council tax",
        "how do I pay the council",
    ],
}


class Pipeline:
    """Whitespace tokens, word counts and MiniLM, then the classifier: the parts config.yml chains."""

    def __init__(self, storage: LocalModelStorage, encoder: SentenceEmbeddingFeaturizer) -> None:
        context = ExecutionContext(GraphSchema({}), "test")
        self.storage = storage
        self.tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
        self.counts = CountVectorsFeaturizer.create(
            CountVectorsFeaturizer.get_default_config(), storage, Resource("counts"), context
        )
        self.encoder = encoder

    def featurise(self, messages: list[Message], *, train: bool = False) -> list[Message]:
        data = TrainingData(messages)
        self.tokenizer.process_training_data(data) if train else self.tokenizer.process(messages)
        if train:
            self.counts.train(data)
            self.counts.process_training_data(data)
        else:
            self.counts.process(messages)
        self.encoder.process(messages)
        return messages


def messages(*texts: str) -> list[Message]:
    return [Message(data={TEXT: text}) for text in texts]


@pytest.fixture(scope="module")
def encoder() -> SentenceEmbeddingFeaturizer:
    return SentenceEmbeddingFeaturizer(SentenceEmbeddingFeaturizer.get_default_config(), "minilm")


@pytest.fixture
def trained(tmp_path: Path, encoder: SentenceEmbeddingFeaturizer) -> tuple[Pipeline, LinearIntentClassifier]:
    pipeline = Pipeline(LocalModelStorage(tmp_path), encoder)
    data = [Message(data={TEXT: text, INTENT: intent}) for intent, texts in EXAMPLES.items() for text in texts]
    pipeline.featurise(data, train=True)
    classifier = LinearIntentClassifier.create(
        {}, pipeline.storage, Resource("intents"), ExecutionContext(GraphSchema({}), "test")
    )
    classifier.train(TrainingData(data))
    return pipeline, classifier


def intent_of(classifier: LinearIntentClassifier, message: Message) -> dict[str, Any]:
    classifier.process([message])
    result: dict[str, Any] = message.get(INTENT)
    return result


def test_unseen_paraphrases_get_the_right_intent(trained: tuple[Pipeline, LinearIntentClassifier]) -> None:
    pipeline, classifier = trained
    cases = {
        "where should I go to cast my vote": "polling_station",
        "they didn't empty my wheelie bin this week": "missed_bin",
        "can I pay my bill online": "pay",
    }
    for message, expected in zip(pipeline.featurise(messages(*cases)), cases.values(), strict=True):
        assert intent_of(classifier, message)["name"] == expected, message.get(TEXT)


def test_the_ranking_is_ordered_probabilities_led_by_the_intent(
    trained: tuple[Pipeline, LinearIntentClassifier],
) -> None:
    pipeline, classifier = trained
    [message] = pipeline.featurise(messages("where is the polling station for my road"))
    intent = intent_of(classifier, message)
    ranking = message.get(INTENT_RANKING_KEY)
    confidences = [entry["confidence"] for entry in ranking]
    assert ranking[0] == intent
    assert {entry["name"] for entry in ranking} == set(EXAMPLES)
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0)
    assert all(isinstance(value, float) for value in confidences)  # JSON-serialisable, not numpy


def test_the_ranking_is_cut_to_its_configured_length(trained: tuple[Pipeline, LinearIntentClassifier]) -> None:
    pipeline, _ = trained
    shorter = LinearIntentClassifier.load(
        {"ranking_length": 2}, pipeline.storage, Resource("intents"), ExecutionContext(GraphSchema({}), "test")
    )
    [message] = pipeline.featurise(messages("bin not emptied"))
    shorter.process([message])
    assert len(message.get(INTENT_RANKING_KEY)) == 2


def test_a_saved_model_loads_and_predicts_the_same(trained: tuple[Pipeline, LinearIntentClassifier]) -> None:
    pipeline, classifier = trained
    loaded = LinearIntentClassifier.load(
        {}, pipeline.storage, Resource("intents"), ExecutionContext(GraphSchema({}), "test")
    )
    first, second = pipeline.featurise(messages("how do I pay", "how do I pay"))
    assert intent_of(classifier, first) == intent_of(loaded, second)


def test_without_a_trained_model_or_features_it_claims_no_intent(
    tmp_path: Path, trained: tuple[Pipeline, LinearIntentClassifier]
) -> None:
    _, classifier = trained
    untrained = LinearIntentClassifier.load(
        {}, LocalModelStorage(tmp_path / "empty"), Resource("none"), ExecutionContext(GraphSchema({}), "test")
    )
    pipeline, _ = trained
    [featurised] = pipeline.featurise(messages("where do I vote"))
    assert intent_of(untrained, featurised) is None
    bare = Message(data={TEXT: "where do I vote"})
    assert intent_of(classifier, bare) is None
    assert bare.get(INTENT_RANKING_KEY) == []


def clusters(points_per: int, spread: float, seed: int) -> tuple[scipy.sparse.csr_matrix, np.ndarray]:
    """Two intents, each two opposite clusters (A at +-x, B at +-y): no straight line tells them apart."""
    rng = np.random.default_rng(seed)
    centres = {"A": [(1.0, 0.0), (-1.0, 0.0)], "B": [(0.0, 1.0), (0.0, -1.0)]}
    rows, intents = [], []
    for intent, places in centres.items():
        for centre in places:
            rows += [np.array(centre) + rng.normal(0, spread, 2) for _ in range(points_per)]
            intents += [intent] * points_per
    return scipy.sparse.csr_matrix(np.array(rows)), np.array(intents)


def test_an_intent_made_of_separate_clusters_is_recognised() -> None:
    # Like out_of_scope (many small topics) or a report beside an emergency: the regression alone draws one line
    # per intent and loses the clusters on the wrong side; the neighbours' vote finds them.
    features, intents = clusters(20, 0.1, seed=1)
    unseen, expected = clusters(10, 0.1, seed=2)
    alone = LinearIntentClassifier.make_model({"neighbour_weight": 0}).fit(features, intents, [0, 1])
    blended = LinearIntentClassifier.make_model({}).fit(features, intents, [0, 1])
    assert (alone.predict(unseen) == expected).mean() < 0.8
    assert (blended.predict(unseen) == expected).all()


def test_the_blend_is_still_a_probability_for_the_fallback_classifier() -> None:
    features, intents = clusters(20, 0.3, seed=3)
    probabilities = LinearIntentClassifier.make_model({}).fit(features, intents, [0, 1]).predict_proba(features)
    assert probabilities.min() >= 0
    assert probabilities.sum(axis=1) == pytest.approx(np.ones(len(intents)))


TURNS = {
    "request_postal_vote": [
        "I want a postal vote",
        "can I vote by post",
        "sign me up for postal voting",
        "please send me a postal vote application",
        "I work away, can I vote by post",
    ],
    "cancel_absent_vote": [
        "I want to vote in person instead of by post",
        "stop my postal vote",
        "cancel my postal vote please",
        "I'll go to the polling station instead of voting by post from now on",
        "take me off postal voting",
    ],
}


def test_the_direction_of_instead_of_decides_between_a_postal_vote_and_cancelling_one(
    tmp_path: Path, encoder: SentenceEmbeddingFeaturizer
) -> None:
    """Counts of words cannot tell "by post instead of in person" from the other way round; the words' order can."""
    pipeline = Pipeline(LocalModelStorage(tmp_path), encoder)
    data = [Message(data={TEXT: text, INTENT: intent}) for intent, texts in TURNS.items() for text in texts]
    pipeline.featurise(data, train=True)
    classifier = LinearIntentClassifier.create(
        {}, pipeline.storage, Resource("intents"), ExecutionContext(GraphSchema({}), "test")
    )
    classifier.train(TrainingData(data))
    cases = {
        "I'd rather vote by post instead of going to the polling station": "request_postal_vote",
        "from now on I want to vote by post instead of in person": "request_postal_vote",
        "switch me from postal voting to voting in person": "cancel_absent_vote",
    }
    for message, expected in zip(pipeline.featurise(messages(*cases)), cases.values(), strict=True):
        intent = intent_of(classifier, message)
        assert intent["name"] == expected, message.get(TEXT)
        assert message.get(INTENT_RANKING_KEY)[0] == intent


@pytest.mark.parametrize("sparse", [True, False])
def test_the_neighbours_vote_as_sklearns_cosine_neighbours_do(sparse: bool) -> None:
    """CosineNeighbours replaced KNeighborsClassifier for speed; the votes must be the same."""
    from sklearn.neighbors import KNeighborsClassifier

    from bot.nlp.intent_classifier import CosineNeighbours

    rng = np.random.default_rng(7)
    train = rng.random((300, 40)) * (rng.random((300, 40)) < 0.2)
    test = rng.random((25, 40)) * (rng.random((25, 40)) < 0.2)
    test[0] = train[3]  # a message identical to a training example
    intents = rng.choice(["a", "b", "c", "d"], size=300)
    make = scipy.sparse.csr_matrix if sparse else np.asarray
    ours = CosineNeighbours(7).fit(make(train), intents)
    theirs = KNeighborsClassifier(n_neighbors=7, weights="distance", metric="cosine").fit(make(train), intents)

    assert list(ours.classes_) == list(theirs.classes_)
    np.testing.assert_allclose(ours.predict_proba(make(test)), theirs.predict_proba(make(test)), atol=1e-9)


def test_a_message_in_another_alphabet_gets_no_confident_intent(
    trained: tuple[Pipeline, LinearIntentClassifier],
) -> None:
    """So the FallbackClassifier sends it to the fallback, which says the chat reads English."""
    pipeline, classifier = trained
    [arabic, english] = pipeline.featurise(messages("هل يمكنني التحدث مع شخص", "where do I vote"))

    assert intent_of(classifier, arabic)["confidence"] == 0.0
    assert intent_of(classifier, english)["confidence"] > 0.3
