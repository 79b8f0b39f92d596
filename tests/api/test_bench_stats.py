"""The benchmark's statistics: percentiles, pooling of rounds and throughput arithmetic."""

from __future__ import annotations

import random
import statistics
from collections import Counter

import pytest
from bench import Run, percentile, summarise, table, throughput


def test_percentiles_of_one_to_a_hundred_interpolate_between_ranks() -> None:
    values = list(range(100, 0, -1))  # unsorted on purpose
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 100


def test_percentiles_of_a_small_skewed_sample() -> None:
    values = [10.0, 20.0, 30.0, 40.0, 1000.0]
    assert percentile(values, 50) == 30.0
    # position 0.95 * 4 = 3.8: 40 + 0.8 * (1000 - 40)
    assert percentile(values, 95) == pytest.approx(808.0)


def test_a_single_value_is_every_percentile() -> None:
    assert percentile([7.5], 50) == percentile([7.5], 95) == 7.5


def test_percentile_agrees_with_statistics_quantiles_inclusive() -> None:
    generator = random.Random(20240501)
    values = [generator.lognormvariate(0, 1) for _ in range(997)]
    cut_points = statistics.quantiles(values, n=100, method="inclusive")
    assert percentile(values, 50) == pytest.approx(cut_points[49])
    assert percentile(values, 95) == pytest.approx(cut_points[94])


@pytest.mark.parametrize("values, q", [([], 50), ([1.0], -1), ([1.0], 101)])
def test_percentile_refuses_nonsense(values: list[float], q: float) -> None:
    with pytest.raises(ValueError):
        percentile(values, q)


def test_throughput_is_answered_messages_per_second() -> None:
    assert throughput(150, 3.0) == 50.0
    assert throughput(0, 0.0) == 0.0


def test_summarise_pools_rounds_and_keeps_errors_out_of_latency() -> None:
    first = Run("hub", 20, 1, wall_seconds=2.0, latencies=[0.010] * 99 + [0.500])
    second = Run(
        "hub", 20, 2, wall_seconds=1.0, latencies=[0.020] * 50, errors=Counter({"HTTP 500": 7, "ReadTimeout": 3})
    )

    summary = summarise([first, second])

    assert (summary.path, summary.concurrency, summary.rounds) == ("hub", 20, 2)
    assert summary.requests == 160 and summary.errors == 10
    assert summary.throughput == 50.0  # 150 answered in 3 s of wall time; errors are not throughput
    assert summary.p50_ms == 10.0
    assert summary.p95_ms == 20.0
    assert summary.mean_ms == pytest.approx(round((99 * 10 + 500 + 50 * 20) / 150, 1))


def test_a_path_that_answered_nothing_has_no_latency_and_shows_a_dash() -> None:
    failed = Run("direct", 1, 1, wall_seconds=4.0, errors=Counter({"ConnectError": 10}))

    summary = summarise([failed])

    assert summary.p50_ms is None and summary.p95_ms is None and summary.mean_ms is None
    assert summary.throughput == 0.0 and summary.errors == summary.requests == 10
    row = table([summary]).splitlines()[2]
    assert [cell.strip() for cell in row.strip("|").split("|")] == ["direct", "1", "10", "10", "-", "-", "-", "0.0"]
