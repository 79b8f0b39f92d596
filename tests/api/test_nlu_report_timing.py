"""The NLU report says how long each fold's training took and how loaded the machine was, so build times
published in the README can be checked against a report and compared only with like."""

from __future__ import annotations

from nlu_report import timing_line


def test_each_folds_training_time_is_given_with_the_load_it_ran_under() -> None:
    line = timing_line([(412.4, 1.23), (398.0, 9.8)])
    assert "412 s (load 1.2)" in line
    assert "398 s (load 9.8)" in line
    assert line.index("412 s") < line.index("398 s")
