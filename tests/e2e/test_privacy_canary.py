"""A canary resident: their name, date of birth, postcode, email and card number go through a whole journey,
then every log file, the hub's database, Rasa's tracker store and the mail spool are searched for them.

Allowed, because a feature needs it (README, Privacy):
- the hub's transcript (``messages.text``) keeps what the resident typed, except the card number, so an
  officer who takes the conversation can read it;
- the email address given for a service request's progress is kept with that request.
Nowhere else (a statement goes to the address the council holds, never one typed in the chat), and the card
number nowhere at all.
"""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.chat import buttons, prove_account, texts

pytestmark = pytest.mark.stack

TRANSCRIPT = ("messages", "text")


def luhn_card(rng: random.Random) -> str:
    """Return a 16-digit number that passes the Luhn check, as a card number would, grouped in fours."""
    digits = [4] + [rng.randrange(10) for _ in range(14)]
    total = sum(d if i % 2 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(reversed(digits)))
    number = "".join(map(str, digits)) + str((10 - total % 10) % 10)
    return " ".join(number[i : i + 4] for i in range(0, 16, 4))


class Canary:
    """A resident nobody else could be: every detail is made up for this run."""

    def __init__(self, rng: random.Random) -> None:
        surname = "Vex" + "".join(rng.choices(string.ascii_lowercase, k=7))
        self.name = f"Quillon {surname.capitalize()}"
        self.surname = surname.capitalize()
        year, month, day = rng.randrange(1931, 2000), rng.randrange(1, 13), rng.randrange(1, 29)
        self.typed_date = f"{day}/{month}/{year}"
        self.date_of_birth = f"{year}-{month:02d}-{day:02d}"
        # Shaped like the demo council's postcodes (TN41 to TN44) but in a district no one uses.
        inward = "".join(rng.choices("ABDEFGHJLNPQRSTUWXYZ", k=2))
        self.postcode = f"TN{rng.randrange(45, 50)} {rng.randrange(1, 10)}{inward}"
        self.email = f"{surname.lower()}@canary.example.net"
        self.card = luhn_card(rng)

    def card_traces(self) -> list[str]:
        digits = self.card.replace(" ", "")
        return [self.card, digits, self.card[:14], digits[:12]]

    def traces(self) -> dict[str, str]:
        """Each planted detail, by what it is."""
        return {
            "name": self.name,
            "surname": self.surname,
            "typed date of birth": self.typed_date,
            "date of birth": self.date_of_birth,
            "postcode": self.postcode,
            "email": self.email,
            **{f"card number ({i})": trace for i, trace in enumerate(self.card_traces())},
        }


def database_hits(database_url: str, traces: dict[str, str]) -> dict[str, set[tuple[str, str]]]:
    """Return, for each trace, the (table, column) pairs of the database holding it anywhere in a value."""
    engine = sa.create_engine(database_url)
    hits: dict[str, set[tuple[str, str]]] = {what: set() for what in traces}
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                for row in connection.execute(sa.select(table)).mappings():
                    for column, value in row.items():
                        for what, trace in traces.items():
                            if value is not None and trace in str(value):
                                hits[what].add((table.name, column))
    finally:
        engine.dispose()
    return hits


def files_holding(paths: list[Path], traces: dict[str, str]) -> dict[str, list[str]]:
    """Return, for each trace found, the files holding it."""
    found: dict[str, list[str]] = {}
    for path in paths:
        content = path.read_bytes()
        for what, trace in traces.items():
            if trace.encode() in content:
                found.setdefault(what, []).append(path.name)
    return found


@pytest.fixture
def canary(stack) -> Canary:
    """A canary whose details are in none of the stack's stores before the journey (the demo data included)."""
    rng = random.Random()
    while True:
        candidate = Canary(rng)
        if not any(database_hits(stack.database_url, candidate.traces()).values()):
            return candidate


def choose_my_address(chat, replies: list[dict], address: str) -> list[dict]:
    choices = buttons(replies)
    if not choices:
        return replies
    [mine] = [b for b in choices if b["title"].startswith(address)]
    return chat.say(mine["payload"])


def test_a_canary_s_details_appear_only_where_a_feature_needs_them(stack, new_resident, residents, canary) -> None:
    person = next(r for r in residents if r["registration_status"] == "registered")
    payer = next(r for r in residents if r.get("council_tax_account") and r.get("council_tax_email"))
    chat = new_resident()

    # An identity check with the canary's name, date of birth and (unknown) postcode, then a real address.
    assert "full name" in texts(chat.say("hi, am I registered to vote?"))
    assert "date of birth" in texts(chat.say(canary.name))
    assert "postcode" in texts(chat.say(canary.typed_date))
    assert "can't find" in texts(chat.say(canary.postcode))
    answer = texts(choose_my_address(chat, chat.say(person["postcode"]), person["address"]))
    assert "couldn't match those details" in answer
    # A card number typed into the chat.
    assert "don't type card details" in texts(chat.say(f"can I pay with my card {canary.card} please"))
    # A bin report whose progress goes to the canary's email: the one place the address is needed.
    replies = chat.say("my bin wasn't collected this morning")
    answers = {
        "postcode": person["postcode"],
        "describe": "the green recycling bin was left full",
        "email": canary.email,
    }
    for _ in range(6):  # the form asks what it still needs (the address may be known from earlier)
        asked = texts(replies)
        if "Shall I go ahead" in asked:
            break
        if buttons(replies):
            replies = choose_my_address(chat, replies, person["address"])
            continue
        replies = chat.say(next(answer for cue, answer in answers.items() if cue in asked))
    assert "Shall I go ahead" in texts(replies)
    assert "SR-" in texts(chat.say("yes"))
    # A statement asked for "to" the canary's email goes to the address the council holds, not to this one.
    chat.say(f"please email me a statement of my council tax to {canary.email}")
    assert "email address we hold" in texts(prove_account(chat, payer))
    # And an officer, so a handoff packet is made from what the bot gathered.
    assert texts(chat.say("can I talk to a person?"))

    traces = canary.traces()
    logs = sorted(p for p in Path(stack.log_dir).rglob("*") if p.is_file())
    assert {p.name for p in logs} >= {"api.log", "rasa.log", "actions.log"}
    assert files_holding(logs, traces) == {}, "found in the logs"

    tracker_files = [p for p in stack.tracker_db.parent.glob(stack.tracker_db.name + "*") if p.is_file()]
    assert files_holding(tracker_files, traces) == {}, "found in Rasa's tracker store"
    # The name and date of birth were set (sealed), then erased once the tasks that needed them were over.
    engine = sa.create_engine(f"sqlite:///{stack.tracker_db}")
    with engine.connect() as connection:
        identity_rows = (
            connection.execute(
                sa.text(
                    "SELECT data FROM events WHERE sender_id = :id AND type_name = 'slot' "
                    "AND action_name IN ('full_name', 'date_of_birth')"
                ),
                {"id": chat.conversation_id},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    assert identity_rows and not [row for row in identity_rows if '"sealed"' in row]

    hits = {what: where for what, where in database_hits(stack.database_url, traces).items() if where}
    assert hits.pop("email") == {TRANSCRIPT, ("service_requests", "contact_email")}
    for what in ("name", "surname", "typed date of birth", "postcode"):
        assert hits.pop(what) == {TRANSCRIPT}, f"the {what} is in the transcript and nowhere else"
    assert hits == {}, "found in the hub's database"

    mail = sorted(p for p in Path(stack.mail_dir).rglob("*") if p.is_file())
    assert mail, "the statement was sent"
    assert files_holding(mail, traces) == {}, "found in the mail spool"
