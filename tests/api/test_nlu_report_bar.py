"""The NLU report's bar is F1 of at least 0.9 for every intent; an F1 of exactly 0.9 meets it.

The report of 2026-12-05 flagged request_postal_vote, whose misspelt F1 was exactly 0.9 (81 of 89 found, 81 of 91
predictions right: 162 / 180), because floating point gave 0.8999999999999999.
"""

from __future__ import annotations

from nlu_report import below_the_bar


def scores(precision: float, recall: float) -> dict[str, float]:
    return {"precision": precision, "recall": recall, "f1-score": 2 * precision * recall / (precision + recall)}


def test_an_f1_of_exactly_the_bar_meets_it_and_one_just_under_does_not() -> None:
    exactly = scores(81 / 91, 81 / 89)
    assert exactly["f1-score"] < 0.9  # what floating point makes of 162 / 180
    under = scores(80 / 91, 80 / 89)
    clean = {"request_postal_vote": scores(1.0, 1.0), "voter_id": scores(1.0, 1.0)}
    typos = {"request_postal_vote": exactly, "voter_id": under}
    assert below_the_bar(clean, typos, ["request_postal_vote", "voter_id"]) == ["voter_id"]
    assert below_the_bar(typos, clean, ["request_postal_vote", "voter_id"]) == ["voter_id"]  # as written too
