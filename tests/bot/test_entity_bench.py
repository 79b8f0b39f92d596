"""scripts/entity_bench.py compares DIET settings and Rasa's CRFEntityExtractor on one fold: a variant naming the CRF
gets the CRF's own config, one without gets config.yml's DIET, and each is scored on its own entities only."""

from __future__ import annotations

from pathlib import Path

import pytest
from entity_bench import copy_features, extractor_config, pipeline_steps, score
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

ROOT = Path(__file__).resolve().parents[2]
CATEGORIES = ["student", "overseas", "service", "anonymous"]


def example(category: str | None) -> Message:
    if category is None:
        return Message(data={TEXT: "when is the next election", INTENT: "election_deadlines"})
    text = f"how do i register as a {category} voter"
    start = text.index(category)
    entity = {"start": start, "end": start + len(category), "entity": "voter_category", "value": category}
    return Message(data={TEXT: text, INTENT: "register", ENTITIES: [entity]})


def test_a_variant_is_diet_with_config_ymls_options_unless_it_names_the_crf() -> None:
    _, diet_options = pipeline_steps(ROOT / "config.yml")
    cls, config = extractor_config({"epochs": 3}, diet_options)
    assert cls is DIETClassifier
    assert config["epochs"] == 3 and config["intent_classification"] is False
    assert config["transformer_size"] == diet_options.get("transformer_size", config["transformer_size"])
    cls, config = extractor_config({"extractor": "CRFEntityExtractor", "max_iterations": 20}, diet_options)
    assert cls is CRFEntityExtractor
    assert config["max_iterations"] == 20 and config["L2_c"] == CRFEntityExtractor.get_default_config()["L2_c"]
    assert "epochs" not in config and "transformer_size" not in config


def test_a_crf_variant_is_trained_and_scored_on_its_own_entities(tmp_path: Path) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    counts = CountVectorsFeaturizer.create(
        CountVectorsFeaturizer.get_default_config(), storage, Resource("counts"), context
    )
    data = TrainingData([example(c) for c in CATEGORIES * 4] + [example(None)] * 4)
    tokenizer.process_training_data(data)
    counts.train(data)
    counts.process_training_data(data)
    cls, config = extractor_config({"extractor": "CRFEntityExtractor", "max_iterations": 100}, {})
    crf = cls.create(config, storage, Resource("crf"), context)
    crf.train(data)

    gold = [example("student"), example(None)]
    held_out = [Message(data={TEXT: m.get(TEXT)}) for m in gold]
    tokenizer.process(held_out)
    counts.process(held_out)
    predicted = crf.process(copy_features(held_out))

    scores = score(gold, predicted, "CRFEntityExtractor")
    assert scores["span"]["micro_f1"] == pytest.approx(1.0)
    assert scores["token"]["entities"]["voter_category"]["f1"] == pytest.approx(1.0)
    # DIET's score of the same messages counts none of the CRF's entities
    assert score(gold, predicted)["span"]["micro_f1"] == 0.0
