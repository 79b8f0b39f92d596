"""The MiniLM sentence featurizer loads offline from its package and adds one dense sentence feature per text."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pytest
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.sentence_features import SentenceEmbeddingFeaturizer, VectorCache
from tests.support.network import NetworkBlocked, network_cut


@pytest.fixture(scope="module")
def featurizer() -> SentenceEmbeddingFeaturizer:
    return SentenceEmbeddingFeaturizer(
        {**SentenceEmbeddingFeaturizer.get_default_config(), "batch_size": 8}, "sentence_features"
    )


def vector(message: Message) -> np.ndarray:
    dense = [f for f in message.features if f.type == FEATURE_TYPE_SENTENCE and f.attribute == TEXT]
    assert len(dense) == 1
    return np.asarray(dense[0].features)[0]


def test_the_network_cut_is_real() -> None:
    with network_cut() as attempts, pytest.raises(NetworkBlocked):
        socket.create_connection(("huggingface.co", 443), timeout=1)
    assert attempts


def test_it_loads_and_encodes_with_the_network_cut() -> None:
    with network_cut() as attempts:
        offline = SentenceEmbeddingFeaturizer(
            {**SentenceEmbeddingFeaturizer.get_default_config(), "batch_size": 8}, "offline"
        )
        message = Message(data={TEXT: "where do I vote"})
        offline.process([message])
    assert vector(message).shape == (384,)
    assert attempts == [], "loading the encoder tried to reach the network"


def test_each_text_gets_one_normalised_sentence_vector(featurizer: SentenceEmbeddingFeaturizer) -> None:
    messages = [Message(data={TEXT: text}) for text in ("where do I vote", "my bin wasn't collected", "hi")]
    featurizer.process(messages)
    for message in messages:
        assert vector(message).shape == (384,)
        assert np.linalg.norm(vector(message)) == pytest.approx(1.0, abs=1e-4)


def test_messages_without_text_are_left_alone(featurizer: SentenceEmbeddingFeaturizer) -> None:
    message = Message(data={"action_name": "utter_greet"})
    featurizer.process([message])
    assert message.features == []


def test_similar_requests_are_closer_than_unrelated_ones(featurizer: SentenceEmbeddingFeaturizer) -> None:
    texts = ["where is my polling station", "which place do I go to vote", "my bin was not emptied"]
    data = TrainingData([Message(data={TEXT: text, "intent": "x"}) for text in texts])
    featurizer.process_training_data(data)
    a, b, c = (vector(m) for m in data.training_examples)
    assert float(a @ b) > float(a @ c) + 0.2


def test_the_batch_size_is_checked() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        SentenceEmbeddingFeaturizer.validate_config({"alias": None, "batch_size": 0})


class CountingEncoder:
    """The real encoder, recording which texts it was asked to encode."""

    def __init__(self, encoder: object) -> None:
        self.encoder = encoder
        self.texts: list[str] = []

    def encode(self, texts: list[str], **options: object) -> np.ndarray:
        self.texts += texts
        return self.encoder.encode(texts, **options)  # type: ignore[attr-defined]

    def get_sentence_embedding_dimension(self) -> int:
        return self.encoder.get_sentence_embedding_dimension()  # type: ignore[attr-defined]


def cached_featurizer(
    featurizer: SentenceEmbeddingFeaturizer, folder: Path
) -> tuple[SentenceEmbeddingFeaturizer, CountingEncoder]:
    encoder = CountingEncoder(featurizer._encoder)
    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "batch_size": 8}
    return SentenceEmbeddingFeaturizer(config, "cached", encoder, VectorCache(folder)), encoder  # type: ignore[arg-type]


def training_data(*texts: str) -> TrainingData:
    return TrainingData([Message(data={TEXT: text, "intent": "x"}) for text in texts])


def test_a_retrained_model_encodes_only_new_training_texts(
    featurizer: SentenceEmbeddingFeaturizer, tmp_path: Path
) -> None:
    first, first_encoder = cached_featurizer(featurizer, tmp_path)
    first.process_training_data(training_data("where do I vote", "my bin wasn't collected"))
    assert sorted(first_encoder.texts) == ["my bin wasn't collected", "where do I vote"]

    again, encoder = cached_featurizer(featurizer, tmp_path)
    data = training_data("where do I vote", "my bin wasn't collected", "pay my council tax")
    again.process_training_data(data)
    assert encoder.texts == ["pay my council tax"]
    fresh = [Message(data={TEXT: m.get(TEXT)}) for m in data.training_examples]
    featurizer.process(fresh)
    for cached, encoded in zip(data.training_examples, fresh, strict=True):
        assert np.allclose(vector(cached), vector(encoded), atol=1e-5)


def test_residents_messages_are_never_written_to_the_cache(
    featurizer: SentenceEmbeddingFeaturizer, tmp_path: Path
) -> None:
    cached, encoder = cached_featurizer(featurizer, tmp_path)
    message = Message(data={TEXT: "my name is Jane Smith, 12 Mill Lane"})
    cached.process([message])
    assert vector(message).shape == (384,)
    assert list(tmp_path.iterdir()) == []
    cached.process([Message(data={TEXT: "my name is Jane Smith, 12 Mill Lane"})])
    assert len(encoder.texts) == 2, "a resident's message was answered from a cache"


def test_an_unreadable_cache_is_encoded_again(featurizer: SentenceEmbeddingFeaturizer, tmp_path: Path) -> None:
    cached, encoder = cached_featurizer(featurizer, tmp_path)
    cache = VectorCache(tmp_path)
    cache.path.write_bytes(b"not a numpy file")
    data = training_data("where do I vote")
    cached.process_training_data(data)
    assert encoder.texts == ["where do I vote"]
    assert np.linalg.norm(vector(data.training_examples[0])) == pytest.approx(1.0, abs=1e-4)
    assert list(cache.load()) == [VectorCache.key("where do I vote")]


def test_the_cache_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CA_SENTENCE_CACHE", "off")
    assert VectorCache.from_environment() is None
    monkeypatch.setenv("CA_SENTENCE_CACHE", str(tmp_path))
    cache = VectorCache.from_environment()
    assert cache is not None and cache.path.parent == tmp_path


def test_the_quantised_encoder_gives_vectors_close_to_the_float_ones_and_keeps_its_own_cache(
    featurizer: SentenceEmbeddingFeaturizer, tmp_path: Path
) -> None:
    config = {**SentenceEmbeddingFeaturizer.get_default_config(), "batch_size": 8, "quantize": True}
    quantised = SentenceEmbeddingFeaturizer(config, "int8")
    texts = ["where is my polling station", "my bin was not emptied", "can I pay my council tax monthly"]
    float_messages = [Message(data={TEXT: text}) for text in texts]
    int8_messages = [Message(data={TEXT: text}) for text in texts]
    featurizer.process(float_messages)
    quantised.process(int8_messages)
    for a, b in zip(float_messages, int8_messages, strict=True):
        assert np.linalg.norm(vector(b)) == pytest.approx(1.0, abs=1e-4)
        assert 0.9 < float(vector(a) @ vector(b)) < 0.9999, "int8 vectors are near the float ones, not the same"
    # each still tells a polling station from a bin
    assert float(vector(int8_messages[0]) @ vector(float_messages[0])) > float(
        vector(int8_messages[0]) @ vector(float_messages[1])
    )
    assert VectorCache(tmp_path, quantize=True).path != VectorCache(tmp_path).path


def test_quantize_is_true_or_false() -> None:
    with pytest.raises(ValueError, match="quantize"):
        SentenceEmbeddingFeaturizer.validate_config({"alias": None, "batch_size": 8, "quantize": "yes"})
