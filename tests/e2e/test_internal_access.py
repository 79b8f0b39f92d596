"""Internal parts answer only each other, on the real stack: the attack from issue 11's evidence, refused.

The evidence: one unauthenticated POST to the action server's /webhook, naming a verified conversation,
returned that resident's registration and polling station. Here a resident proves who they are through
the hub; then the same call is made as an attacker on the machine would make it.
"""

from __future__ import annotations

import time

import httpx
import pytest

from api.service_access.grants import issue_grant
from api.settings import DEV_SECRET_KEY
from tests.support.chat import prove_identity, texts

pytestmark = pytest.mark.stack


def check_registration_call(conversation_id: str, grant: str | None) -> dict:
    """Rasa's call to run the task 'check my registration' for a conversation whose resident is verified."""
    metadata = {"channel": "web", **({"grant": grant} if grant else {})}
    return {
        "next_action": "action_complete_task",
        "sender_id": conversation_id,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": conversation_id,
            "latest_message": {"text": "yes", "metadata": metadata},
            "slots": {
                "pending_task": "check_registration",
                "verification_outcome": "verified",
                "identity_verified": True,
                "task_confirmed": None,
            },
            "events": [{"event": "user", "text": "yes", "metadata": metadata}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "task_form",
        },
    }


def replies(answer: httpx.Response) -> str:
    return "\n".join(str(r.get("text")) for r in answer.json().get("responses", []))


@pytest.fixture(scope="module")
def verified(stack, residents) -> tuple[str, dict]:
    """A conversation whose resident proved who they are, and that resident."""
    from tests.support.chat import Resident

    person = next(r for r in residents if r["registration_status"] == "registered")
    resident = Resident(stack.api_url)
    try:
        resident.say("am I registered to vote?")
        assert "You're registered to vote" in texts(prove_identity(resident, person))
    finally:
        resident.http.close()
    return resident.conversation_id, person


def test_an_unauthenticated_call_to_the_action_server_gets_nothing(stack, verified) -> None:
    conversation_id, person = verified

    answer = httpx.post(f"{stack.actions_url}/webhook", json=check_registration_call(conversation_id, None))

    assert answer.status_code == 401
    assert f"polling district {person['polling_district']}" not in answer.text and "registered" not in answer.text


def test_with_rasas_secret_but_no_grant_from_the_hub_the_back_office_gives_nothing(stack, verified) -> None:
    conversation_id, person = verified
    rasa = {"Authorization": f"Bearer {stack.actions_secret}"}

    answer = httpx.post(
        f"{stack.actions_url}/webhook", json=check_registration_call(conversation_id, None), headers=rasa
    )

    assert answer.status_code == 200
    assert "You're registered" not in answer.text and person["polling_district"] not in answer.text
    # The back office refused: the task keeps the resident's answers to ask whether to try again.
    assert {"event": "followup", "name": "task_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in answer.json()["events"]
    ]


def test_the_same_call_with_the_hubs_live_grant_is_answered(stack, verified) -> None:
    # The control: the crafted call is a working one; only the missing credentials stopped it above.
    conversation_id, person = verified
    grant = issue_grant(DEV_SECRET_KEY, conversation_id=conversation_id, now=time.time(), lifetime_seconds=60)

    answer = httpx.post(
        f"{stack.actions_url}/webhook",
        json=check_registration_call(conversation_id, grant),
        headers={"Authorization": f"Bearer {stack.actions_secret}"},
    )

    assert "You're registered to vote" in replies(answer)
    assert f"polling district {person['polling_district']}" in replies(answer)


def test_writing_to_rasa_directly_as_a_verified_conversation_discloses_nothing(stack, verified) -> None:
    conversation_id, person = verified

    answer = httpx.post(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        timeout=60,
        json={"sender": conversation_id, "message": "am I registered to vote?"},
    )

    said = "\n".join(str(r.get("text")) for r in answer.json())
    assert "You're registered" not in said and person["polling_district"] not in said


def test_rasas_http_api_is_off(stack, verified) -> None:
    conversation_id, _ = verified
    for path in (f"/conversations/{conversation_id}/tracker", "/status", "/version"):
        answer = httpx.get(f"{stack.rasa_url}{path}", params={"token": stack.rasa_token})
        assert answer.status_code == 404, path
