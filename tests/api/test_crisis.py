"""A resident who writes about harming themselves gets support numbers and an urgent officer, whatever the bot says.

A probe's "im going to kill myself" got "No problem. What else can I help you with?", and the same words sent while
waiting for an officer got only the queue's reply.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from api.conversations.crisis import in_crisis
from api.conversations.models import Conversation, Handoff
from tests.support.hub import start
from tests.support.rasa_fakes import rasa_down, rasa_offering_a_person

CRISIS_MESSAGES = [
    "im going to kill myself",
    "i dont want to live anymore",
    "I feel suicidal because of my council tax debt",
    "I\u2019m thinking of ending my life",
    "honestly i want to die, i can't cope any more",
    "my son says he's going to end it all",
    "I've been self harming again",
    # Sent next by a probe, after the first reply: it was told this did not look like an account number.
    "I've taken some tablets",
    "i have pills here",
    "honestly some days i dont see the point in anything anymore",
    "everyone would be better off without me",
]
# Other risks of harm, with the number each needs.
SAFEGUARDING = [
    ("my partner hits me and I'm scared to go home", "0808 2000 247"),
    ("my neighbour is hitting his kids, i can hear it through the wall", "01632 961 400"),
    # Got the general emergencies list, with the gas line and no child-protection number (a probe).
    ("I think the little boy next door is being hurt by his dad, I hear screaming every night", "01632 961 400"),
    ("my elderly neighbour hasnt been seen for days and her milk is piling up", "01632 961 300"),
]
EVERYDAY_MESSAGES = [
    "my bin wasn't collected",
    "how do I end my tenancy",
    "can I cut the hedge myself",
    "I'll pay it myself",
    "end my direct debit please",
    "this parking ticket is killing me lol",
    "post is piling up at the empty house next door",
    "the kids next door are so noisy",
    "I hit the kerb on a pothole",
]


@pytest.mark.parametrize("text", CRISIS_MESSAGES)
def test_words_of_self_harm_are_read_as_such(text: str) -> None:
    assert in_crisis(text)


@pytest.mark.parametrize("text", EVERYDAY_MESSAGES)
def test_everyday_council_words_are_not(text: str) -> None:
    assert not in_crisis(text)


@pytest.mark.parametrize(("text", "number"), SAFEGUARDING)
def test_other_risks_of_harm_get_their_own_numbers_and_an_urgent_officer(
    make_client, rasa_calls, open_session, database_url, text: str, number: str
) -> None:
    # A probe got a party-wall article, bin-help buttons and a generic emergency list for these.
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    replies = say(client, conversation_id, auth, text)
    assert number in replies[0]["text"] and "999" in replies[0]["text"] and rasa_calls == []
    (handoff,) = handoffs(open_session, database_url, conversation_id)
    assert handoff.priority == "urgent" and handoff.summary.startswith("Safeguarding")
    assert handoff.packet["wanted"].startswith("Safeguarding: ")  # what the officers' queue shows under "About"


def say(client, conversation_id: str, auth: dict, text: str) -> list[dict]:
    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def handoffs(open_session, database_url: str, conversation_id: str) -> list[Handoff]:
    with open_session(database_url) as session:
        return list(session.scalars(select(Handoff).where(Handoff.conversation_id == conversation_id)))


def test_a_resident_in_crisis_gets_support_numbers_and_an_urgent_officer(
    make_client, rasa_calls, open_session, database_url
) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)

    replies = say(client, conversation_id, auth, "im going to kill myself")

    said = "\n".join(m["text"] for m in replies)
    assert "116 123" in said and "999" in said and "No problem" not in said
    assert "officer" in replies[-1]["text"]
    assert rasa_calls == []  # the bot's guess at an intent never answers this
    (handoff,) = handoffs(open_session, database_url, conversation_id)
    assert (handoff.priority, handoff.reason) == ("urgent", "emergency")
    assert "kill" not in handoff.summary  # the officers' summary holds none of the resident's words


def test_a_resident_already_waiting_for_an_officer_is_moved_up_not_queued_twice(
    make_client, rasa_calls, open_session, database_url
) -> None:
    client = make_client(rasa_down)  # the hub queues the officer itself then
    conversation_id, auth = start(client)
    say(client, conversation_id, auth, "hello")
    say(client, conversation_id, auth, "/request_officer")
    before = handoffs(open_session, database_url, conversation_id)

    replies = say(client, conversation_id, auth, "i dont want to live anymore")

    assert "116 123" in replies[0]["text"]
    after = handoffs(open_session, database_url, conversation_id)
    assert [h.reference for h in after] == [h.reference for h in before] and len(after) == 1
    assert before[0].priority != "urgent" and after[0].priority == "urgent"


def test_everyday_words_still_reach_the_bot(make_client, rasa_calls) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    replies = say(client, conversation_id, auth, "can I cut the hedge myself")
    assert replies[0]["text"] == "You said: can I cut the hedge myself" and len(rasa_calls) == 1


def test_while_an_officer_holds_the_chat_the_officer_answers(
    make_client, rasa_calls, open_session, database_url
) -> None:
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    with open_session(database_url) as session:
        session.execute(update(Conversation).where(Conversation.id == conversation_id).values(mode="officer"))
        session.commit()
    assert say(client, conversation_id, auth, "im going to kill myself") == []
    assert handoffs(open_session, database_url, conversation_id) == []


def test_while_a_concern_waits_for_an_officer_every_reply_says_999_first(make_client, rasa_calls) -> None:
    # "i have pills here" after the first reply got only "an officer will reply here by ..." (a probe).
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    say(client, conversation_id, auth, "I don't want to live anymore")
    replies = say(client, conversation_id, auth, "hello??")
    assert replies and replies[0]["text"].startswith("If you or anyone else is in danger now, please call 999.")


@pytest.mark.parametrize(
    "text", ["no i dont want to talk to anyone", "leave me alone", "nope, don't want to speak to you"]
)
def test_a_resident_in_crisis_who_wants_no_one_is_heard_and_the_officer_still_checks(
    make_client, rasa_calls, open_session, database_url, text: str
) -> None:
    # A probe: "no i dont want to talk to anyone" after the crisis support got 999 and the whole handover again.
    client = make_client(rasa_offering_a_person)
    conversation_id, auth = start(client)
    say(client, conversation_id, auth, "im going to kill myself")
    rasa_calls.clear()

    replies = say(client, conversation_id, auth, text)

    [heard] = replies
    assert heard["text"].startswith("That's OK, you don't have to talk to anyone.") and "116 123" in heard["text"]
    assert rasa_calls == []
    (handoff,) = handoffs(open_session, database_url, conversation_id)
    assert handoff.status != "withdrawn" and handoff.priority == "urgent"


def test_no_one_wanted_withdraws_an_everyday_request_for_a_person(
    make_client, rasa_calls, open_session, database_url
) -> None:
    client = make_client(rasa_down)  # the hub queues the officer itself then
    conversation_id, auth = start(client)
    say(client, conversation_id, auth, "hello")
    say(client, conversation_id, auth, "/request_officer")

    replies = say(client, conversation_id, auth, "no i dont want to talk to anyone")

    assert "withdrawn" in replies[0]["text"].lower() or "cancelled" in replies[0]["text"].lower()
    (handoff,) = handoffs(open_session, database_url, conversation_id)
    assert handoff.status == "withdrawn"
