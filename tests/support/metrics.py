"""Scraping /metrics in tests as the council's Prometheus would (with its bearer token), and reading samples."""

from __future__ import annotations

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

METRICS_TOKEN = "metrics-token-for-tests-only-0123456789"
SCRAPE = {"Authorization": f"Bearer {METRICS_TOKEN}"}

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient) -> Samples:
    """Every sample /metrics publishes, keyed by name and labels."""
    response = client.get("/metrics", headers=SCRAPE)
    assert response.status_code == 200
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample ``name`` with exactly ``labels``, or 0 if it was never published."""
    return samples.get((name, frozenset(labels.items())), 0.0)
