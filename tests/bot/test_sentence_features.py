"""The MiniLM sentence featurizer loads offline from its package and adds one dense sentence feature per text."""

from __future__ import annotations

import socket

import numpy as np
import pytest
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.sentence_features import SentenceEmbeddingFeaturizer
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
