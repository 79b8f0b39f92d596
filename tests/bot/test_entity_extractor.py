"""The entity tagger (DIET on the examples with entities and a sample of the rest): what it trains on, and that,
so trained, it still finds entities in messages it never saw and leaves messages without one alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.featurizers.sparse_featurizer.lexical_syntactic_featurizer import LexicalSyntacticFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.entity_extractor import EntityDIET, entity_training_examples

NAMES = ["Priya Shah", "Tom Baker", "Ann Lee", "Joe Bloggs", "Sara Khan", "Li Wei", "Kate Moss", "Dan Hughes",
         "Amy Chen", "Raj Patel", "Eve Jones", "Sam Wood"]  # fmt: skip
STREETS = ["High Street", "Church Road", "Station Road", "Park Avenue", "London Road", "Mill Lane"]


def example(text: str, intent: str, entity: tuple[str, str] | None = None) -> Message:
    data: dict[str, object] = {TEXT: text, INTENT: intent}
    if entity:
        value, name = entity
        start = text.index(value)
        data[ENTITIES] = [{"start": start, "end": start + len(value), "value": value, "entity": name}]
    return Message(data=data)


def training_examples() -> list[Message]:
    examples = [example(f"my name is {name}", "inform", (name, "person_name")) for name in NAMES[:6]]
    examples += [example(f"I am {name}", "inform", (name, "person_name")) for name in NAMES[6:]]
    examples += [example(f"the pothole is on {s}", "report_problem", (s, "street")) for s in STREETS[:5]]
    examples += [example(f"there is rubbish dumped in {s}", "report_problem", (s, "street")) for s in STREETS]
    plain = ["hello", "thanks a lot", "when is the next election", "how do I pay my council tax", "goodbye",
             "can I speak to a person", "what are your opening hours", "I want to register to vote", "yes please",
             "no thanks", "what can you do", "is the office open on saturday"]  # fmt: skip
    return examples + [example(text, "other") for text in plain]


def test_it_trains_on_every_example_with_an_entity_and_a_fixed_sample_of_the_rest() -> None:
    data = TrainingData(training_examples())
    chosen = entity_training_examples(data, 5, seed=1)
    with_entities = [m for m in chosen.nlu_examples if m.get(ENTITIES)]
    assert len(with_entities) == 23
    assert len(chosen.nlu_examples) == 28
    again = entity_training_examples(data, 5, seed=1)
    assert [m.get(TEXT) for m in again.nlu_examples] == [m.get(TEXT) for m in chosen.nlu_examples]
    assert len(entity_training_examples(data, 100, seed=1).nlu_examples) == len(data.nlu_examples)


# Rasa's own warnings while training DIET (advice about intents; numpy on its ragged batches)
@pytest.mark.filterwarnings("ignore::UserWarning:rasa.*", "ignore::numpy.VisibleDeprecationWarning")
def test_trained_on_that_sample_it_tags_unseen_names_and_streets_and_nothing_in_plain_messages(
    tmp_path: Path,
) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    lexical = LexicalSyntacticFeaturizer.create(
        LexicalSyntacticFeaturizer.get_default_config(), storage, Resource("lexical"), context
    )
    counts = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 3},
        storage,
        Resource("chars"),
        context,
    )
    data = TrainingData(training_examples())
    tokenizer.process_training_data(data)
    for featurizer in (lexical, counts):
        featurizer.train(data)
        featurizer.process_training_data(data)
    config = {**EntityDIET.get_default_config(), "epochs": 80, "random_seed": 1, "examples_without_entities": 6}
    tagger = EntityDIET.create(config, storage, Resource("entities"), context)
    tagger.train(data)

    # a name only seen after "I am", a street only seen as dumped rubbish, and two messages with no entity
    texts = ["my name is Kate Moss", "the pothole is on Mill Lane", "hello", "when is the next election"]
    messages = [Message(data={TEXT: text}) for text in texts]
    tokenizer.process(messages)
    lexical.process(messages)
    counts.process(messages)
    tagger.process(messages)
    found = [{(e["value"], e["entity"]) for e in m.get(ENTITIES, [])} for m in messages]
    assert found[0] == {("Kate Moss", "person_name")}
    assert found[1] == {("Mill Lane", "street")}
    assert found[2] == found[3] == set()
