"""Fixed replies read at about a 9-year-old's reading age (scripts/readability.py scores them)."""

from __future__ import annotations

import statistics

from readability import reading_age, score_all  # scripts/ is on the path for every test (tests/conftest.py)

TARGET_MEDIAN_AGE = 9.0
HARD_AGE = 12.0
MOST_HARD_SHARE = 0.10
CEILING_AGE = 16.0


def test_the_fixed_replies_read_at_about_a_nine_year_olds_level() -> None:
    scored = score_all()
    hardest = "\n".join(f"{s.reading_age:5.1f} {s.where}: {s.text[:80]}" for s in scored[:10])

    assert len(scored) > 100, "the check no longer finds the replies it should score"
    assert statistics.median(s.reading_age for s in scored) <= TARGET_MEDIAN_AGE, hardest
    assert sum(s.reading_age > HARD_AGE for s in scored) <= MOST_HARD_SHARE * len(scored), hardest
    assert scored[0].reading_age <= CEILING_AGE, hardest


def test_the_score_tells_plain_words_from_officialese() -> None:
    plain = "You can pay your council tax online. It takes five minutes."
    officialese = (
        "Notwithstanding the aforementioned considerations, individuals experiencing financial "
        "difficulties are encouraged to communicate expeditiously with the revenues department."
    )

    assert reading_age(plain) <= TARGET_MEDIAN_AGE < reading_age(officialese)


def test_bullet_lines_are_read_as_separate_items() -> None:
    bullets = "You can pay:\n- online\n- by phone\n- at the post office\n- by direct debit"
    assert reading_age(bullets) <= TARGET_MEDIAN_AGE
