"""X-Forwarded-For buys no new rate-limit budget unless it comes from a proxy the deployment names.

Found by a hostile pass: `make run` serves on loopback, where uvicorn believed the header from anyone, so a script
naming a new address per request was never throttled. Now uvicorn runs with --no-proxy-headers and the API reads
the header only from CA_TRUSTED_PROXIES (empty by default).
"""

from __future__ import annotations

from pathlib import Path

import httpx
import yaml

from api.migrations import upgrade_database
from api.settings import ROOT
from tests.support.live_server import api_started_as_the_stack_starts_it  # noqa: F401  (fixture: api_port)
from tests.support.throttling import (
    assert_kind_refusal,
    clients_from_addresses,  # noqa: F401  (fixture: client_for)
)

PROXY = ("10.1.2.3", 40000)
LIMIT = 10  # conversations a minute from one address (the default limits)


def test_the_api_as_the_stack_starts_it_gives_one_budget_whatever_the_header_says(
    api_port,
    tmp_path: Path,
) -> None:
    upgrade_database(f"sqlite:///{tmp_path / 'council.db'}")  # the database the fixture's API was given
    with httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=30) as client:
        answers = [
            client.post("/api/chat/conversations", json={}, headers={"X-Forwarded-For": f"203.0.113.{n}"})
            for n in range(LIMIT + 1)
        ]

    assert [a.status_code for a in answers[:LIMIT]] == [201] * LIMIT
    assert_kind_refusal(answers[LIMIT])


def test_by_default_the_header_is_not_believed(client_for) -> None:
    client = client_for()

    answers = [
        client.post("/api/chat/conversations", json={}, headers={"X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(LIMIT + 1)
    ]

    assert [a.status_code for a in answers[:LIMIT]] == [201] * LIMIT
    assert_kind_refusal(answers[LIMIT])


def test_a_named_proxy_is_believed_and_counts_each_client_on_its_own(client_for) -> None:
    client = client_for(PROXY, trusted_proxies="10.0.0.0/8")

    answers = [
        client.post("/api/chat/conversations", json={}, headers={"X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(LIMIT + 1)
    ]

    assert [a.status_code for a in answers] == [201] * (LIMIT + 1)


def test_what_a_caller_writes_before_the_proxys_entry_is_not_believed(client_for) -> None:
    """The proxy appends the address it saw; anything further left the caller wrote, and changes nothing."""
    client = client_for(PROXY, trusted_proxies="10.0.0.0/8")

    answers = [
        client.post("/api/chat/conversations", json={}, headers={"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.9"})
        for n in range(LIMIT + 1)
    ]

    assert [a.status_code for a in answers[:LIMIT]] == [201] * LIMIT
    assert_kind_refusal(answers[LIMIT])


def test_the_deployment_files_leave_the_header_to_the_api() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    [api] = [
        doc
        for doc in yaml.safe_load_all((ROOT / "deploy" / "k8s" / "api.yaml").read_text())
        if doc["kind"] == "Deployment"
    ]
    commands = [
        compose["services"]["api"]["command"][-1],
        api["spec"]["template"]["spec"]["containers"][0]["command"][-1],
    ]
    assert all("--no-proxy-headers" in command for command in commands)
    assert compose["services"]["api"]["environment"]["CA_TRUSTED_PROXIES"]
    configmap = yaml.safe_load((ROOT / "deploy" / "k8s" / "configmap.yaml").read_text())
    assert configmap["data"]["CA_TRUSTED_PROXIES"]
