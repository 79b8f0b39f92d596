"""The NLU report's entity table is summed from each fold's `rasa test nlu` report of the entity tagger, whether
config.yml tags entities with Rasa's CRFEntityExtractor, its DIETClassifier or the project's EntityDIET
(bot/nlp/entity_extractor.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from nlu_report import entity_report


def fold(folder: Path, extractor: str, postcode: tuple[float, float, int]) -> Path:
    precision, recall, support = postcode
    folder.mkdir()
    row = {"precision": precision, "recall": recall, "f1-score": 0.0, "support": support}
    (folder / f"{extractor}_report.json").write_text(json.dumps({"postcode": row, "micro avg": row}))
    return folder


@pytest.mark.parametrize("extractor", ["CRFEntityExtractor", "DIETClassifier", "EntityDIET"])
def test_each_folds_entity_counts_are_summed_whichever_tagger_wrote_them(tmp_path: Path, extractor: str) -> None:
    folds = [fold(tmp_path / "one", extractor, (1.0, 0.5, 10)), fold(tmp_path / "two", extractor, (0.5, 1.0, 5))]
    report = entity_report(folds)
    assert list(report) == ["postcode"]
    assert report["postcode"]["support"] == 15
    assert report["postcode"]["recall"] == pytest.approx(10 / 15)  # 5 + 5 of 15 found
    assert report["postcode"]["precision"] == pytest.approx(10 / 15)  # 5 of 5 and 5 of 10 tagged
