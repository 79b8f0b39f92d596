"""Simulated residents: many generated journeys through the real stack, and the share that end right, per task.

Each journey is one resident (a persona from the demo data: name, date of birth, address, council tax account,
a payment, a service request) asking for one task in one of several phrasings (some misspelt, some in
text-speak), then answering the bot's questions as people do: typing or tapping buttons, dates and postcodes in
different formats, details given in different words, now and then a mistake first (a date the bot cannot
read, half a postcode, an account number with a digit missing) followed by the right answer, or a question
about opening hours in the middle of the form. A journey is right when the bot gives that task's outcome (the
answer, the reference number, or the proper refusal) within a few turns, without an apology, a loop or a
wrong task.

    make journeys                                  # 20 residents per task on a fresh stack; reports/journeys/
    .venv/app/bin/python scripts/journeys.py --per-task 5 --tasks report_problem changed_name

It exits non-zero when any task is below the target share (95 %). tests/e2e/test_journeys.py runs a quick
subset of the same journeys in `make test`.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import socket
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from typos import perturb  # noqa: E402

TARGET = 0.95
MAX_TURNS = 14
OUT = ROOT / "reports" / "journeys"

# How each task is asked for: plain, chatty, misspelt and text-speak.
OPENINGS: dict[str, list[str]] = {
    "check_registration": [
        "am I registered to vote?",
        "can you check if I'm on the electoral register",
        "hi, I want to make sure I'm registered to vote",
        "am i registred to vote",
        "am i on the electoral roll?",
        "chk if im registered 2 vote pls",
    ],
    "absent_vote_status": [
        "has my postal vote been processed?",
        "what's the status of my postal vote application",
        "did you get my postal vote form?",
        "has my pstal vote been sorted",
    ],
    "polling_station": [
        "where do I vote?",
        "where is my polling station",
        "which polling station do I go to",
        "wher is my polling staton",
    ],
    "next_election": [
        "when is the next election?",
        "are there any elections coming up",
        "wen is the nxt electon",
        "when's the next vote round here",
    ],
    "election_deadlines": [
        "what's the deadline to register to vote?",
        "when do I need to apply for a postal vote by",
        "what's the last day to apply for a proxy vote",
        "wats the deadlne for a postal vote",
    ],
    "request_postal_vote": [
        "I'd like a postal vote",
        "can I vote by post?",
        "I want to apply for a postal vote",
        "i want a pstal vote pls",
        "please send me a postal vote",
    ],
    "request_proxy_vote": [
        "I'd like someone to vote for me",
        "can I have a proxy vote",
        "I want to apply for a proxy vote",
        "can my son vote on my behalf",
    ],
    "cancel_absent_vote": [
        "I want to cancel my postal vote",
        "please cancel my proxy vote, I'll vote in person",
        "stop my postal vote",
        "cancel my postal vote pls",
    ],
    "renew_absent_vote": [
        "I need to renew my postal vote",
        "my postal vote is expiring, can I renew it",
        "renew my proxy vote please",
    ],
    "changed_name": [
        "I've changed my name",
        "I got married and my surname is different now",
        "I need to update my name on the electoral register",
        "ive changed my name",
    ],
    "open_register_opt_out": [
        "take me off the open register",
        "I don't want my details on the open register",
        "opt me out of the edited register",
        "remove me from the open regster",
    ],
    "report_death_or_left": [
        "my father has died",
        "my son has moved out, please take him off the register",
        "someone on the register here has died",
        "my lodger has left the address",
    ],
    "payment_received": [
        "did my council tax payment go through?",
        "have you received my payment",
        "I paid my council tax, can you check it arrived",
        "did my paymnet go thru",
    ],
    "council_tax_balance": [
        "what's my council tax balance?",
        "how much council tax do I owe",
        "how much is left to pay this year",
        "wats my cncl tx balance",
    ],
    "recovery_notice": [
        "I got a final notice",
        "I've had a reminder letter about council tax",
        "why have I been sent a summons",
        "i got a reminder for my council tax",
    ],
    "receipt_request": [
        "email me a receipt",
        "can I have a receipt for my payment please",
        "please send me a council tax statement",
        "i need a reciept for my council tax",
    ],
    "report_problem": [
        "my bin wasn't collected",
        "there's a pothole on my road",
        "I want to report a broken street light",
        "someone has dumped rubbish in the lane",
        "my bin wasnt colected",
    ],
    "request_progress": [
        "any update on my request?",
        "what's happening with the problem I reported",
        "can you check the progress of my report",
    ],
    "cancel_service_request": [
        "cancel my report",
        "the bin was collected after all, please cancel my report",
        "I don't need the problem I reported fixed any more",
        "cancle my reprot pls",
    ],
    "ask_bin_day": [
        "when is my bin day?",
        "what day are my bins collected",
        "is it recycling week at mine",
        "wen is bin day",
        "is my bin day changed for christmas",
    ],
}

# What the bot says when a task is done (answer, reference number or proper refusal); ``|`` between alternatives.
OUTCOMES: dict[str, str] = {
    "check_registration": "You're registered to vote|application to register is being processed",
    "absent_vote_status": (
        "You have a postal vote|You have a proxy vote|You had a postal vote|You had a proxy vote"
        "|You don't have a postal or proxy vote"
    ),
    "polling_station": "Your polling station is",
    "next_election": "The next polls|no elections scheduled",
    "election_deadlines": "the deadline is|the deadline has passed",
    # A persona who already has a postal vote is told so straight after the identity check (nothing is recorded).
    "request_postal_vote": "postal vote request is recorded with reference|You already have a postal vote",
    "request_proxy_vote": "proxy vote request is recorded with reference",
    "cancel_absent_vote": "is recorded with reference|nothing to cancel|I've withdrawn your|already have a request to",
    "renew_absent_vote": "is recorded with reference|nothing to renew|already have a request to",
    "changed_name": "I've recorded that with reference",
    # A persona already left out of the open register is told so, and nothing is recorded.
    "open_register_opt_out": "I've recorded that with reference|already left out of the open register",
    "report_death_or_left": "I've recorded that with reference",
    "payment_received": "we received your payment|Your latest payments|no payments on your account",
    "council_tax_balance": "Your council tax for this year is",
    "recovery_notice": "recovery action|Free, independent debt advice",
    "receipt_request": (
        "has been emailed to|I've recorded your request for a|only email documents to the address we hold"
    ),
    # A missed bin at an address whose collection was not due lately is rightly not reported (the collection calendar
    # is the back office's; the simulated resident does not know its bin day).
    "report_problem": (
        "I've reported it: your reference is|so I haven't reported a missed collection|due to be emptied today"
    ),
    # A persona's request may have been reported by someone else at their address (their email is not on it): the
    # status with the way on (call, or an officer), and for cancelling the refusal naming who can, are then right.
    # The news goes to the report's address, and the chat is told the same whether it was that one or not.
    "request_progress": "request SR-|I've emailed the latest news on it",
    # Without the code (the email given is not the report's, so none comes), the resident is told to call or ask for an
    # officer once the code has been sent again.
    "cancel_service_request": (
        "I've cancelled your|was already cancelled|already closed, so there's nothing to cancel|I can't cancel SR-|"
        "is already cancelled, so there's nothing|I've already sent a new code"
    ),
    "ask_bin_day": "Your next bin collections at",
}
# What the bot says when something failed: a journey that meets one of these has gone wrong.
FAILURES = (
    "Sorry, something went wrong",
    "couldn't match those details",
    "I didn't quite get that",
    "still not able to help",
    "I couldn't find that address",
)
TASKS = tuple(OPENINGS)

PROBLEMS = {  # category -> (button title words, how a resident describes it, where)
    "missed_bin": ("missed_bin", "the black bin wasn't emptied on collection day", None),
    "pothole": (
        "pothole",
        "a deep pothole about a foot wide, cars are swerving round it",
        "outside the post office on the High Street",
    ),
    "street_light": ("street_light", "the street light has been out for a week", "opposite number 14 Station Road"),
    "dumped_rubbish": (
        "dumped_rubbish",
        "a mattress and some bin bags dumped by the gate",
        "the lane behind the church",
    ),
}
DATE_FORMATS = (
    "{d:02d}/{m:02d}/{y}",
    "{d} {month} {y}",
    "{d}-{m}-{y}",
    "{d}.{m}.{y}",
    "{month} {d} {y}",
    "born {d} {month} {y}",
    "{d}/{m}/{y}",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass
class Style:
    """How one resident answers: all drawn from the journey's seeded random generator."""

    taps_buttons: bool
    misspells_opening: bool
    makes_a_mistake: bool
    digresses: bool
    date_format: str
    lower_case: bool
    wordy: bool

    @classmethod
    def draw(cls, rng: random.Random) -> Style:
        """Draw a resident's habits."""
        return cls(
            taps_buttons=rng.random() < 0.6,
            misspells_opening=rng.random() < 0.25,
            makes_a_mistake=rng.random() < 0.3,
            digresses=rng.random() < 0.15,
            date_format=rng.choice(DATE_FORMATS),
            lower_case=rng.random() < 0.4,
            wordy=rng.random() < 0.5,
        )


@dataclass
class Journey:
    """One simulated resident asking for one task."""

    task: str
    persona: dict[str, Any]
    seed: int
    opening: str = ""
    style: Style = field(init=False)
    rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 (repeatable residents, not secrets)
        self.style = Style.draw(self.rng)
        if not self.opening:
            self.opening = self.rng.choice(OPENINGS[self.task])
            if self.style.misspells_opening:
                self.opening = perturb(self.opening, self.rng)[0]
        self.mail_dir: Path | None = None
        self.mistakes_left = 1 if self.style.makes_a_mistake else 0
        self.digressions_left = 1 if self.style.digresses else 0
        self.problem = self.rng.choice(list(PROBLEMS))


@dataclass
class Result:
    """What happened in one journey."""

    task: str
    right: bool
    why: str
    opening: str
    persona: str
    transcript: list[tuple[str, str]]


class Chat:
    """A conversation through the hub's public chat contract."""

    def __init__(self, api_url: str) -> None:
        self.http = httpx.Client(base_url=api_url, timeout=120)
        created = self.http.post("/api/chat/conversations", json={"channel": "web"}).json()
        self.path = f"/api/chat/conversations/{created['conversation_id']}/messages"
        self.http.headers["Authorization"] = f"Bearer {created['token']}"

    def say(self, text: str) -> list[dict[str, Any]]:
        response = self.http.post(self.path, json={"text": text})
        response.raise_for_status()
        return list(response.json()["messages"])

    def close(self) -> None:
        self.http.close()


def _typed(journey: Journey, text: str) -> str:
    return text.lower() if journey.style.lower_case else text


def _button(buttons: list[dict[str, str]], *words: str) -> dict[str, str] | None:
    return next((b for b in buttons if any(w.lower() in (b["title"] + b["payload"]).lower() for w in words)), None)


def _choose(journey: Journey, buttons: list[dict[str, str]], typed: str, *words: str) -> str:
    """Tap the button whose title has ``words`` (as most residents do), or type ``typed``."""
    button = _button(buttons, *words)
    if button and journey.style.taps_buttons:
        return button["payload"]
    return _typed(journey, typed)


def _date_of_birth(journey: Journey) -> str:
    year, month, day = (int(part) for part in journey.persona["date_of_birth"].split("-"))
    return journey.style.date_format.format(d=day, m=month, y=year, month=MONTHS[month - 1])


def _mistake(journey: Journey, wrong: str) -> str | None:
    """Give ``wrong`` once, if this resident makes a mistake and has not made it yet."""
    if journey.mistakes_left:
        journey.mistakes_left -= 1
        return wrong
    return None


def answer(journey: Journey, asked: str, buttons: list[dict[str, str]]) -> str | None:
    """Return what this resident says to the bot's latest question, or None when they cannot tell what it wants."""
    person, rng, wordy = journey.persona, journey.rng, journey.style.wordy
    lowered = asked.lower()
    if journey.digressions_left and "?" in asked:
        journey.digressions_left -= 1
        return rng.choice(["sorry, what time are you open?", "before I forget, what's your phone number?"])
    answers: list[tuple[str, Callable[[], str]]] = [
        (
            "shall i go ahead",
            lambda: _choose(journey, buttons, rng.choice(["yes", "yes please", "go ahead", "yep"]), "Yes"),
        ),
        (
            "new full name",
            lambda: _typed(
                journey, f"it's now {person['first_name']} Whitfield" if wordy else f"{person['first_name']} Whitfield"
            ),
        ),
        ("person's full name", lambda: _typed(journey, "Arthur " + person["last_name"])),
        (
            "vote for you",
            lambda: _typed(
                journey, rng.choice(["my daughter Emma " + person["last_name"], "Emma " + person["last_name"]])
            ),
        ),
        ("how do you know them", lambda: rng.choice(["she's my daughter", "my daughter", "daughter"])),
        ("why can't you vote in person", lambda: "I work offshore for weeks at a time"),
        (
            "died, or",
            lambda: _choose(
                journey,
                buttons,
                "he died last month" if "died" in journey.opening else "moved out",
                "died" if "died" in journey.opening else "moved",
            ),
        ),
        ("which address", lambda: _choose(journey, buttons, person["address"], person["address"])),
        (
            "how long",
            lambda: _choose(
                journey,
                buttons,
                rng.choice(["just the next election", "long term please"]),
                rng.choice(["next election", "Long term"]),
            ),
        ),
        (
            "full name",
            lambda: (
                _mistake(journey, person["first_name"])
                or _typed(journey, f"my name is {person['name']}" if wordy else person["name"])
            ),
        ),
        ("date of birth", lambda: _mistake(journey, "the fifth") or _date_of_birth(journey)),
        (
            "account number",
            lambda: (
                _mistake(journey, person["council_tax_account"][:-1])
                or _typed(journey, f"it's {person['council_tax_account']}" if wordy else person["council_tax_account"])
            ),
        ),
        ("payment reference", lambda: rng.choice([person["payment"]["reference"], "I don't have it"])),
        (
            "kind of problem",
            lambda: _choose(journey, buttons, journey.problem.replace("_", " "), PROBLEMS[journey.problem][0]),
        ),
        ("where is it", lambda: PROBLEMS[journey.problem][2] or f"outside {person['address']}"),
        ("describe the problem", lambda: PROBLEMS[journey.problem][1]),
        (
            "why don't you need it",
            lambda: rng.choice(["the bin was collected after all", "it's been sorted", "fixed now thanks"]),
        ),
        # "I've emailed a 6-digit code to that address": the resident reads their email (the stack's mail sink).
        ("6-digit code", lambda: _code(journey)),
        ("email", lambda: _email(journey)),
        (
            "reference? it looks like sr-",
            lambda: _typed(
                journey,
                f"it's {person['service_request']['reference']}" if wordy else person["service_request"]["reference"],
            ),
        ),
        (
            "postcode",
            lambda: (
                _mistake(journey, person["postcode"].split()[0])
                or _typed(journey, f"my postcode is {person['postcode']}" if wordy else person["postcode"])
            ),
        ),
    ]
    return next((reply() for cue, reply in answers if cue in lowered), None)


def _email(journey: Journey) -> str:
    # The address the demo data gives a resident's own report (api/demo/generator.py), which proves a cancellation.
    local = re.sub(r"[^a-z.]", "", f"{journey.persona['first_name']}.{journey.persona['last_name']}".lower())
    address = f"{local}@example.com"
    skip = ["no thanks"] if journey.task == "report_problem" else []  # updates by email are optional there
    return journey.rng.choice(
        [address, f"it's {address}", f"{address} thanks", f"you can email me on {address}", *skip]
    )


def _code(journey: Journey) -> str:
    code = emailed_code(journey.mail_dir, journey.persona["service_request"]["reference"]) if journey.mail_dir else None
    return code or "I haven't got it"


def emailed_code(mail_dir: Path, reference: str) -> str | None:
    """Return the code in the latest email the mail sink kept for cancelling ``reference`` (a maildir), or None."""
    latest: tuple[float, str] | None = None
    for path in Path(mail_dir).rglob("*"):
        if not path.is_file():
            continue
        message = message_from_bytes(path.read_bytes())
        if message["Subject"] != f"Your code for request {reference}":
            continue
        payload = message.get_payload(decode=True)
        found = re.search(
            r"type this code in the chat: (\d{6})", payload.decode() if isinstance(payload, bytes) else ""
        )
        if found and (latest is None or path.stat().st_mtime >= latest[0]):
            latest = (path.stat().st_mtime, found[1])
    return latest[1] if latest else None


def run_journey(api_url: str, journey: Journey, mail_dir: Path | None = None) -> Result:
    """Play one journey through the hub and judge it (``mail_dir``: where the stack keeps the emails it sends)."""
    journey.mail_dir = mail_dir
    chat = Chat(api_url)
    transcript: list[tuple[str, str]] = []
    asked_before: dict[str, int] = defaultdict(int)
    said = journey.opening

    def result(right: bool, why: str) -> Result:
        chat.close()
        return Result(journey.task, right, why, journey.opening, journey.persona["name"], transcript)

    try:
        for _ in range(MAX_TURNS):
            transcript.append(("resident", said))
            replies = chat.say(said)
            text = "\n".join(m["text"] for m in replies)
            transcript.append(("bot", text))
            if any(re.search(re.escape(words), text) for words in OUTCOMES[journey.task].split("|")):
                return result(True, "outcome")
            if any(words in text for words in FAILURES):
                return result(False, "failure reply")
            last = replies[-1]["text"] if replies else ""
            asked_before[last] += 1
            if asked_before[last] > 3:
                return result(False, "loop")
            buttons = [b for m in replies for b in (m.get("buttons") or [])]
            reply = answer(journey, last, buttons) or answer(journey, text, buttons)
            if reply is None:
                return result(False, "unexpected question")
            said = reply
    except httpx.HTTPStatusError as error:  # the status says which: 503 is the hub's "busy", 500 a fault
        return result(False, f"hub error HTTP {error.response.status_code}")
    except httpx.HTTPError as error:
        return result(False, f"hub error {error.__class__.__name__}")
    return result(False, "too many turns")


def make_journeys(personas: list[dict[str, Any]], tasks: tuple[str, ...], per_task: int, seed: int) -> list[Journey]:
    """Generate ``per_task`` journeys for each task, each with its own persona and habits."""
    rng = random.Random(seed)  # noqa: S311 (repeatable residents, not secrets)
    journeys = []
    for task in tasks:
        for index in range(per_task):
            persona = personas[(index + tasks.index(task) * per_task) % len(personas)]
            journeys.append(Journey(task, persona, rng.randrange(2**31)))
    return journeys


def run_all(api_url: str, journeys: list[Journey], workers: int, mail_dir: Path | None = None) -> list[Result]:
    """Run the journeys, a few at a time."""
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda journey: run_journey(api_url, journey, mail_dir), journeys))


def shares(results: list[Result]) -> dict[str, tuple[int, int]]:
    """Right and total journeys per task."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for result in results:
        counts[result.task][0] += result.right
        counts[result.task][1] += 1
    return {task: (right, total) for task, (right, total) in counts.items()}


def write_report(results: list[Result], seconds: float, seed: int) -> list[str]:
    """Write reports/journeys/report.md and failures.json; return the tasks below the target."""
    OUT.mkdir(parents=True, exist_ok=True)
    table = shares(results)
    below = [task for task, (right, total) in table.items() if right / total < TARGET]
    lines = [
        "# Simulated residents",
        "",
        f"Generated by `make journeys` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: "
        f"{len(results)} journeys (seed {seed}) in {seconds:.0f} s. Target: at least {TARGET:.0%} right per task.",
        "",
        "| task | right | journeys | share |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {task}{' ⚠' if task in below else ''} | {right} | {total} | {right / total:.0%} |"
        for task, (right, total) in sorted(table.items())
    ]
    wrong = [r for r in results if not r.right]
    lines += ["", f"{len(wrong)} journeys went wrong; their transcripts are in failures.json."]
    (OUT / "report.md").write_text("\n".join(lines) + "\n")
    (OUT / "failures.json").write_text(json.dumps([r.__dict__ for r in wrong], indent=1))
    return below


def main() -> int:
    """Start a fresh stack, run the journeys, report, and fail when a task is below the target."""
    from stack import Stack, ensure_model

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-task", type=int, default=20)
    parser.add_argument("--tasks", nargs="*", choices=TASKS, default=list(TASKS))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    folder = ROOT / "var" / "journeys"
    folder.mkdir(parents=True, exist_ok=True)
    for old in ("council.db", "tracker.db"):
        (folder / old).unlink(missing_ok=True)
    stack = Stack(
        api_port=free_port(),
        rasa_port=free_port(),
        actions_port=free_port(),
        smtp_port=free_port(),
        database_url=f"sqlite:///{folder / 'council.db'}",
        tracker_db=folder / "tracker.db",
        log_dir=folder / "log",
        mail_dir=folder / "mail",
        unthrottled=True,
    )
    model = ensure_model()
    stack.seed()
    print("==> starting the stack", flush=True)
    stack.start(model)
    try:
        personas = read_personas(stack.database_url, count=60)
        journeys = make_journeys(personas, tuple(args.tasks), args.per_task, args.seed)
        print(
            f"==> {len(journeys)} simulated residents ({len(personas)} personas), {args.workers} at a time", flush=True
        )
        started = time.monotonic()
        results = run_all(stack.api_url, journeys, args.workers, stack.mail_dir)
        below = write_report(results, time.monotonic() - started, args.seed)
    finally:
        stack.stop()
    print((OUT / "report.md").read_text())
    return 1 if below else 0


def free_port() -> int:
    """Return a port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def read_personas(database_url: str, count: int) -> list[dict[str, Any]]:
    """Residents from the seeded database, in a fixed order (see api.demo.residents.read_personas)."""
    from api.db import session_on
    from api.demo.residents import read_personas as read

    with session_on(database_url) as session:
        return read(session, count)


if __name__ == "__main__":
    sys.exit(main())
