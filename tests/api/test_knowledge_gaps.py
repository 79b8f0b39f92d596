"""Knowledge gaps in the hub: the bot's markers recorded, residents' ratings of answers, and what is kept.

Rasa is answered in-process in the shape its REST channel gives (a message's custom JSON comes as an item
of its own after the text); the markers themselves are tested against the real actions in tests/bot.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import httpx
import pytest
import yaml
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import func, select, update

from api.conversations import service as conversations
from api.conversations.models import Message
from api.db import utcnow
from api.knowledge_gaps.grouping import group_gaps, similarity, words
from api.knowledge_gaps.models import AnswerRating, KnowledgeGap
from api.knowledge_gaps.schemas import THANKS
from api.knowledge_gaps.service import mask_question, rate_answer
from api.privacy import subject_access
from api.privacy.retention import RetentionPolicy, purge
from api.privacy.tracker import TrackerStore
from api.settings import DEV_TELEGRAM_TOKEN, ROOT
from tests.support.console import add_officers, officer_client
from tests.support.rasa_fakes import ARTICLE, rasa_with_knowledge


def start(client: TestClient) -> tuple[str, dict[str, str]]:
    body = client.post("/api/chat/conversations", json={"channel": "web"}).json()
    return body["conversation_id"], {"Authorization": f"Bearer {body['token']}"}


def say(client: TestClient, conversation_id: str, auth: dict[str, str], text: str) -> list[dict]:
    response = client.post(f"/api/chat/conversations/{conversation_id}/messages", json={"text": text}, headers=auth)
    assert response.status_code == 200
    return response.json()["messages"]


def rate(
    client: TestClient, conversation_id: str, auth: dict[str, str], message_id: int, helpful: bool
) -> httpx.Response:
    return client.put(
        f"/api/chat/conversations/{conversation_id}/messages/{message_id}/rating",
        json={"helpful": helpful},
        headers=auth,
    )


def gaps(open_session, database_url: str) -> list[tuple[str, str, str | None]]:
    with open_session(database_url) as session:
        found = session.scalars(select(KnowledgeGap).order_by(KnowledgeGap.id))
        return [(g.kind, g.question, g.article) for g in found]


def test_a_knowledge_answer_is_rateable_and_its_marker_is_no_message(make_client, open_session, database_url) -> None:
    client = make_client(rasa_with_knowledge)
    conversation_id, auth = start(client)
    [answer] = say(client, conversation_id, auth, "where do old batteries go")
    assert answer["rateable"] is True and answer["text"].startswith("Put batteries")
    [miss] = say(client, conversation_id, auth, "who won the footy")
    assert miss["rateable"] is False
    transcript = client.get(f"/api/chat/conversations/{conversation_id}/messages", headers=auth).json()["messages"]
    assert [(m["sender"], m["rateable"]) for m in transcript] == [
        ("resident", False),
        ("bot", True),
        ("resident", False),
        ("bot", False),
    ]
    assert gaps(open_session, database_url) == [("unanswered", "who won the footy", None)]


def test_clarifying_questions_and_guesses_are_gaps_but_a_buttons_payload_is_not_kept(
    make_client, open_session, database_url
) -> None:
    client = make_client(rasa_with_knowledge)
    conversation_id, auth = start(client)
    [question] = say(client, conversation_id, auth, "is my council tax band wrong")
    say(client, conversation_id, auth, question["buttons"][0]["payload"])  # answered: no gap of its own
    say(client, conversation_id, auth, "a guess about allotments")
    assert gaps(open_session, database_url) == [
        ("clarified", "is my council tax band wrong", None),
        ("low_confidence", "a guess about allotments", "allotments"),
    ]


def test_a_kept_question_hides_card_numbers_dates_emails_phone_numbers_and_postcodes(
    make_client, open_session, database_url
) -> None:
    client = make_client(rasa_with_knowledge)
    conversation_id, auth = start(client)
    say(
        client,
        conversation_id,
        auth,
        "my card 4111 1111 1111 1111 born 17/05/1980 or 3 March 1975, ann@example.com 07700 900123 at TN22 1AB",
    )
    [(_, question, _)] = gaps(open_session, database_url)
    assert question == (
        "my card [card number removed, ending 1111] born [date] or [date], [email] [number] at TN22 [postcode]"
    )


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("bins 12.3.98 and 1980-05-17", "bins [date] and [date]"),
        ("May 4th, 2001 please", "[date] please"),
        ("CT12345678 balance in tn41 2lb", "CT12345678 balance in tn41 [postcode]"),
        ("what day is the tip open", "what day is the tip open"),
        ("x" * 400, "x" * 299 + "…"),
    ],
)
def test_masking_keeps_the_gist(text: str, kept: str) -> None:
    assert mask_question(text) == kept


def test_not_helpful_puts_the_question_on_the_list_and_rating_again_replaces_it(
    make_client, open_session, database_url
) -> None:
    client = make_client(rasa_with_knowledge)
    conversation_id, auth = start(client)
    [answer] = say(client, conversation_id, auth, "can I put batteries in the bin")

    first = rate(client, conversation_id, auth, answer["id"], helpful=False)
    again = rate(client, conversation_id, auth, answer["id"], helpful=False)
    assert first.status_code == again.status_code == 200
    assert (
        first.json()
        == again.json()
        == {
            "message_id": answer["id"],
            "helpful": False,
            "thanks": THANKS[False],
        }
    )
    assert gaps(open_session, database_url) == [("not_helpful", "can I put batteries in the bin", ARTICLE)]

    assert rate(client, conversation_id, auth, answer["id"], helpful=True).json()["helpful"] is True
    with open_session(database_url) as session:
        assert session.scalar(select(func.count()).select_from(AnswerRating)) == 1
        assert session.scalar(select(AnswerRating.helpful)) is True
    assert gaps(open_session, database_url) == []


def test_not_helpful_is_no_dead_end_it_offers_to_ask_again_or_a_person(make_client) -> None:
    """Issue 12: "Was this helpful? No" ended the exchange; the resident now hears how to go on."""
    client = make_client(rasa_with_knowledge)
    conversation_id, auth = start(client)
    [answer] = say(client, conversation_id, auth, "can I put batteries in the bin")
    thanks = rate(client, conversation_id, auth, answer["id"], helpful=False).json()["thanks"]
    assert "in other words" in thanks and "talk to a person" in thanks and "officer" in thanks


def test_the_question_behind_an_answer_chosen_from_buttons_is_the_one_typed(
    make_client, open_session, database_url
) -> None:
    client = make_client(rasa_with_knowledge)
    conversation_id, auth = start(client)
    [question] = say(client, conversation_id, auth, "council tax band thing")
    # The widget sends the button's payload (the hub passes it on, as it offered it) and the bot answers it.
    [answer] = say(client, conversation_id, auth, question["buttons"][0]["payload"])
    assert rate(client, conversation_id, auth, answer["id"], helpful=False).status_code == 200
    assert gaps(open_session, database_url)[-1] == ("not_helpful", "council tax band thing", ARTICLE)


def test_only_the_bots_knowledge_answers_in_your_own_conversation_can_be_rated(
    make_client, open_session, database_url
) -> None:
    client = make_client(rasa_with_knowledge)
    mine, my_auth = start(client)
    theirs, their_auth = start(client)
    [my_answer] = say(client, mine, my_auth, "batteries?")
    [my_miss] = say(client, mine, my_auth, "who won the footy")
    [their_answer] = say(client, theirs, their_auth, "batteries?")
    with open_session(database_url) as session:
        my_question = session.scalar(
            select(Message.id).where(Message.conversation_id == mine, Message.sender == "resident")
        )

    assert rate(client, mine, my_auth, their_answer["id"], helpful=False).status_code == 404
    assert rate(client, theirs, my_auth, their_answer["id"], helpful=False).status_code == 404  # not my token
    assert rate(client, mine, {}, my_answer["id"], helpful=False).status_code == 401
    assert rate(client, mine, my_auth, my_miss["id"], helpful=False).status_code == 404
    assert rate(client, mine, my_auth, my_question, helpful=False).status_code == 404
    assert rate(client, mine, my_auth, 2**31, helpful=False).status_code == 422
    assert (
        client.put(
            f"/api/chat/conversations/{mine}/messages/{my_answer['id']}/rating",
            json={"helpful": "maybe"},
            headers=my_auth,
        ).status_code
        == 422
    )
    with open_session(database_url) as session:
        assert session.scalar(select(func.count()).select_from(AnswerRating)) == 0
    assert [kind for kind, _, _ in gaps(open_session, database_url)] == ["unanswered"]


def test_gaps_go_after_the_transcript_period_even_in_a_conversation_still_going(
    make_client, open_session, database_url, tracker_url
) -> None:
    client = make_client(rasa_with_knowledge)
    conversation_id, auth = start(client)
    say(client, conversation_id, auth, "who won the footy")
    say(client, conversation_id, auth, "what's the cricket score")
    with open_session(database_url) as session:
        first = session.scalar(select(func.min(KnowledgeGap.id)))
        session.execute(
            update(KnowledgeGap).where(KnowledgeGap.id == first).values(created_at=utcnow() - timedelta(days=91))
        )
        session.commit()
    tracker = TrackerStore(tracker_url)
    try:
        with open_session(database_url) as session:
            counts = purge(
                session,
                tracker,
                RetentionPolicy(
                    transcripts=timedelta(days=90), verification=timedelta(days=30), audit=timedelta(days=730)
                ),
            )
            session.commit()
    finally:
        tracker.close()
    assert counts["knowledge gaps"] == 1 and counts["conversations"] == 0
    assert gaps(open_session, database_url) == [("unanswered", "what's the cricket score", None)]


def gap(question: str, minutes_ago: int, kind: str = "unanswered", article: str | None = None) -> KnowledgeGap:
    return KnowledgeGap(
        question=question, kind=kind, article=article, created_at=utcnow() - timedelta(minutes=minutes_ago)
    )


def test_similar_questions_are_grouped_and_groups_come_newest_first() -> None:
    groups = group_gaps(
        [
            gap("can I put old batteries in my bin?", 1),
            gap("where do I take a sofa", 2),
            gap("Where can I put old batteries", 3, kind="not_helpful", article=ARTICLE),
            gap("old batteries where?", 4),
            gap("who won the footy", 5),
            gap("where do i take my old sofa", 6),
            gap("can I put old batteries in my bin?", 7),
        ]
    )
    assert [(g.examples[0], g.count) for g in groups] == [
        ("can I put old batteries in my bin?", 4),
        ("where do I take a sofa", 2),
        ("who won the footy", 1),
    ]
    batteries = groups[0]
    assert batteries.examples == [
        "can I put old batteries in my bin?",
        "Where can I put old batteries",
        "old batteries where?",
    ]  # three different ones, the repeat counted once
    assert batteries.kinds == {"unanswered": 3, "not_helpful": 1} and batteries.articles == {ARTICLE: 1}
    assert batteries.described_kinds() == "3 not understood, 1 marked not helpful"


def test_hidden_details_and_stop_words_do_not_make_questions_alike() -> None:
    assert words("my bins on [date] at TN22 [postcode]?") == words("bins") == frozenset({"bin"})
    assert similarity(words("is the tip open"), words("is the pool open")) < 0.5


@pytest.fixture
def supervisor_and_resident(make_client, open_session, database_url):
    with open_session(database_url) as session:
        add_officers(session)
    resident = make_client(rasa_with_knowledge)
    return officer_client(resident.app, "supervisor"), resident


def test_the_supervisor_sees_the_gaps_grouped_with_counts_and_not_helpful_answers(
    supervisor_and_resident, make_client
) -> None:
    sam, resident = supervisor_and_resident
    conversation_id, auth = start(resident)
    for text in ("who won the footy", "who won the footy last night", "Who won the footy?", "what's a gazebo"):
        say(resident, conversation_id, auth, text)
    [answer] = say(resident, conversation_id, auth, "batteries in bin")
    rate(resident, conversation_id, auth, answer["id"], helpful=False)

    page = sam.get("/console/gaps")
    assert page.status_code == 200
    rows = re.findall(r'data-testid="gap-example">([^<]*)<', page.text)
    assert rows[:2] == ["batteries in bin", "what&#39;s a gazebo"]  # newest group first
    assert re.findall(r'data-testid="gap-count">(\d+)<', page.text) == ["1", "1", "3"]
    assert 'data-testid="gaps-summary">5 questions in 3 groups.' in page.text
    assert re.search(rf'data-article="{ARTICLE}"><td>{ARTICLE}</td><td data-testid="not-helpful">1<', page.text)

    by_count = sam.get("/console/gaps", params={"order": "count"})
    assert re.findall(r'data-testid="gap-count">(\d+)<', by_count.text) == ["3", "1", "1"]


def test_the_gaps_download_as_csv_that_a_spreadsheet_will_not_run(supervisor_and_resident) -> None:
    sam, resident = supervisor_and_resident
    conversation_id, auth = start(resident)
    say(resident, conversation_id, auth, '=HYPERLINK("http://evil.example","click")')
    [answer] = say(resident, conversation_id, auth, "batteries?")
    rate(resident, conversation_id, auth, answer["id"], helpful=False)

    download = sam.get("/console/gaps.csv", params={"days": 7})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "knowledge-gaps-questions-7-days.csv" in download.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(download.text)))
    assert rows[0][:2] == ["last asked (UTC)", "times asked"]
    examples = [row[-1] for row in rows[1:]]
    assert examples == ["batteries?", '\'=HYPERLINK("http://evil.example","click")']
    articles = list(csv.reader(io.StringIO(sam.get("/console/gaps.csv", params={"table": "articles"}).text)))
    assert articles[1][:3] == [ARTICLE, "1", "0"]


def test_only_supervisors_see_the_gaps(supervisor_and_resident) -> None:
    _, resident = supervisor_and_resident
    priya = officer_client(resident.app, "focus")
    assert priya.get("/console/gaps").status_code == 403
    assert priya.get("/console/gaps.csv").status_code == 403
    assert TestClient(resident.app).get("/console/gaps", follow_redirects=False).status_code == 303
    assert TestClient(resident.app).get("/console/gaps.csv", follow_redirects=False).status_code == 303


TELEGRAM = {"Authorization": f"Bearer {DEV_TELEGRAM_TOKEN}"}


def telegram_says(client: TestClient, chat_id: int, text: str, update_id: int) -> None:
    assert (
        client.post(
            "/api/v1/telegram/updates", json={"update_id": update_id, "chat_id": chat_id, "text": text}
        ).status_code
        == 200
    )


def test_telegram_answers_are_offered_for_rating_and_a_tap_counts_only_in_its_own_chat(
    make_client, open_session, database_url
) -> None:
    client = make_client(rasa_with_knowledge, TELEGRAM)
    telegram_says(client, 7001, "batteries?", 1)
    telegram_says(client, 7001, "who won the footy", 2)
    telegram_says(client, 7002, "hello", 3)
    outbox = client.get("/api/v1/telegram/outbox").json()["messages"]
    assert [(m["chat_id"], m["rateable"]) for m in outbox] == [(7001, True), (7001, False), (7002, False)]
    answer = outbox[0]["message_id"]

    def tap(chat_id: int, message_id: int, helpful: bool) -> httpx.Response:
        return client.post(
            "/api/v1/telegram/ratings", json={"chat_id": chat_id, "message_id": message_id, "helpful": helpful}
        )

    assert tap(7002, answer, False).status_code == 404  # another chat's answer
    assert tap(7003, answer, False).status_code == 404  # a chat the hub does not know
    assert tap(7001, outbox[1]["message_id"], False).status_code == 404  # no knowledge answer
    tapped = tap(7001, answer, False)
    assert tapped.status_code == 200 and tapped.json()["helpful"] is False
    assert tap(7001, answer, False).json() == tapped.json()
    assert gaps(open_session, database_url) == [
        ("unanswered", "who won the footy", None),
        ("unanswered", "hello", None),
        ("not_helpful", "batteries?", ARTICLE),
    ]
    # The bridge's token reaches only the Telegram routes, and residents cannot reach this one at all.
    assert (
        TestClient(client.app)
        .post("/api/v1/telegram/ratings", json={"chat_id": 7001, "message_id": answer, "helpful": True})
        .status_code
        == 401
    )


def test_gaps_and_ratings_are_counted_for_prometheus_by_kind_alone(make_client) -> None:
    def count(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    before = (count("ca_knowledge_gaps_total", kind="unanswered"), count("ca_answer_ratings_total", helpful="false"))
    client = make_client(rasa_with_knowledge)
    conversation_id, auth = start(client)
    say(client, conversation_id, auth, "who won the footy")
    [answer] = say(client, conversation_id, auth, "batteries?")
    rate(client, conversation_id, auth, answer["id"], helpful=False)
    assert (count("ca_knowledge_gaps_total", kind="unanswered"), count("ca_answer_ratings_total", helpful="false")) == (
        before[0] + 1,
        before[1] + 1,
    )


def test_a_rating_never_reaches_further_back_than_the_question_before_a_tap(session) -> None:
    # Two taps in a row: the typed message before them may be an answer to the form (a name), so none is kept.
    created = conversations.create_conversation(session, channel="web")
    for text in ("Ann Example", "/affirm", '/out_of_scope{"article": "batteries-electricals"}'):
        conversations.add_message(session, conversation_id=created.conversation_id, sender="resident", text=text)
    answer = conversations.add_message(
        session, conversation_id=created.conversation_id, sender="bot", text="Batteries go in a bag.", article=ARTICLE
    )
    rate_answer(session, conversation_id=created.conversation_id, message_id=answer.id, helpful=False)
    assert session.scalar(select(func.count()).select_from(KnowledgeGap)) == 0
    assert session.scalar(select(AnswerRating.helpful)) is False


def test_the_dashboard_counts_the_days_gaps_and_links_to_the_list(supervisor_and_resident) -> None:
    sam, resident = supervisor_and_resident
    conversation_id, auth = start(resident)
    say(resident, conversation_id, auth, "who won the footy")
    [answer] = say(resident, conversation_id, auth, "batteries?")
    rate(resident, conversation_id, auth, answer["id"], helpful=False)
    page = sam.get("/console/dashboard").text
    assert 'data-testid="knowledge-gaps">2<' in page and "1 answer marked not helpful" in page
    assert 'href="/console/gaps"' in page


def test_a_subject_access_export_holds_the_ratings_and_questions_and_erasure_removes_them(
    make_client, open_session, database_url, tracker_url
) -> None:
    client = make_client(rasa_with_knowledge)
    conversation_id, auth = start(client)
    say(client, conversation_id, auth, "who won the footy")
    [answer] = say(client, conversation_id, auth, "batteries?")
    rate(client, conversation_id, auth, answer["id"], helpful=False)
    tracker = TrackerStore(tracker_url)
    try:
        with open_session(database_url) as session:
            held = subject_access.export(session, tracker, conversation_id)
            assert [(r["article"], r["helpful"]) for r in held["answer_ratings"]] == [(ARTICLE, False)]
            assert [(g["kind"], g["question"]) for g in held["knowledge_gaps"]] == [
                ("unanswered", "who won the footy"),
                ("not_helpful", "batteries?"),
            ]
            erased = subject_access.erase(session, tracker, conversation_id)
            session.commit()
    finally:
        tracker.close()
    assert erased["answer ratings"] == 1 and erased["knowledge gaps"] == 2
    assert gaps(open_session, database_url) == []


def test_a_typo_in_a_long_word_still_groups_but_short_words_must_match() -> None:
    assert similarity(words("where is the libary"), words("where is the library")) == 1.0
    assert similarity(words("recieve my bill"), words("receive my bill")) == 1.0
    assert similarity(words("bin"), words("bit")) == 0.0
    groups = group_gaps(
        [gap("libary opening sundays", 1), gap("library opening sunday", 2), gap("bit", 3), gap("bin", 4)]
    )
    assert [g.count for g in groups] == [2, 1, 1]


def test_the_indexed_grouping_is_the_same_as_comparing_every_group() -> None:
    questions = [
        q["q"]
        for topic in yaml.safe_load((ROOT / "knowledge" / "eval" / "questions.yml").read_text())["topics"].values()
        for q in topic
    ]
    gaps = [gap(text, minutes) for minutes, text in enumerate(questions + [q.upper() + "?" for q in questions[::3]])]

    def every_group(found: frozenset[str], seeds: list[frozenset[str]]) -> int | None:
        scores = [similarity(found, seed) for seed in seeds]
        best = max(range(len(seeds)), key=lambda n: (scores[n], -n), default=None)
        return best if best is not None and scores[best] >= 0.5 else None

    seeds: list[frozenset[str]] = []
    sizes: list[int] = []
    for one in gaps:
        found = words(one.question)
        chosen = every_group(found, seeds)
        if chosen is None:
            seeds.append(found)
            sizes.append(0)
            chosen = len(seeds) - 1
        sizes[chosen] += 1
    assert [g.count for g in group_gaps(gaps)] == sizes
