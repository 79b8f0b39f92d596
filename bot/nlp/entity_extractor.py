"""A Rasa 3.6 graph component: Rasa's DIET, for entities only, trained on the examples that have entities.

Intents come from bot/nlp/intent_classifier.py, so DIET here only tags entities. Rasa's DIETClassifier trains
on every NLU example, and about five in six of ours have no entity: they teach the tagger little beyond "no
entity here", yet they were most of a model build's time. This subclass trains on every example with an
entity and a fixed random sample of `examples_without_entities` of the rest (seeded by `random_seed`), so it
still learns to leave ordinary messages alone. Everything else is DIET's, and `intent_classification` is
off by default.

Not in config.yml yet: with 300 examples without entities it trained in a third of DIET's CPU on one
held-out fold but tagged more words that are not entities (deadline_kind and service_category precision fell),
so the sample must be larger before it replaces DIET; scripts/entity_bench.py measures settings and
README.md ("Training time") has the numbers. To use it, put it in config.yml in place of DIETClassifier and
add this file to MODEL_INPUTS in scripts/stack.py (tests/bot/test_model_inputs.py checks):
    - name: bot.nlp.entity_extractor.EntityDIET
      examples_without_entities: 1000
"""

from __future__ import annotations

import logging
import random
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIETClassifier
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.utils.tensorflow.constants import INTENT_CLASSIFICATION, RANDOM_SEED
from rasa.utils.tensorflow.model_data import RasaModelData

logger = logging.getLogger(__name__)

EXAMPLES_WITHOUT_ENTITIES = "examples_without_entities"


def entity_training_examples(training_data: TrainingData, without: int, seed: int | None) -> TrainingData:
    """Every NLU example with an entity, and ``without`` of the others drawn at random (all if fewer)."""
    examples = training_data.nlu_examples
    with_entities = [example for example in examples if example.get(ENTITIES)]
    others = [example for example in examples if not example.get(ENTITIES)]
    chosen = random.Random(seed).sample(others, min(without, len(others)))  # noqa: S311 (a sample, not a secret)
    return TrainingData(
        with_entities + chosen,
        entity_synonyms=training_data.entity_synonyms,
        regex_features=training_data.regex_features,
        lookup_tables=training_data.lookup_tables,
    )


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class EntityDIET(DIETClassifier):
    """DIET tagging entities, trained on the examples with entities and a sample of the others."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """DIET's defaults, without intents, and how many examples without entities to train on."""
        return {**DIETClassifier.get_default_config(), INTENT_CLASSIFICATION: False, EXAMPLES_WITHOUT_ENTITIES: 300}

    def preprocess_train_data(self, training_data: TrainingData) -> RasaModelData:
        """DIET's preparation, over the examples with entities and the sample of those without."""
        chosen = entity_training_examples(
            training_data, self.component_config[EXAMPLES_WITHOUT_ENTITIES], self.component_config[RANDOM_SEED]
        )
        logger.info(
            "%s trains on %d of %d examples (every one with an entity).",
            self.__class__.__name__,
            len(chosen.nlu_examples),
            len(training_data.nlu_examples),
        )
        return super().preprocess_train_data(chosen)
