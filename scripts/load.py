"""Load test of the production profile: simulated residents on journeys that call the back office, at several levels.

`make load` starts the production profile (scripts/stack.py ``production_stack``: PostgreSQL, Redis, one Rasa
server per core, several API and action workers) on free ports with fresh PostgreSQL databases, then at each level
C (default 20, 100, 300) lets C residents at once each go through one journey, one message at a time, waiting for
each answer (no think time: the heaviest load C people can make). The journeys, taken in turn:

  - small talk (opening hours, phone number; no back office),
  - polling station (postcode, address lookup, the station),
  - registration check (name, date of birth, postcode, address: the identity check),
  - elections (next election, postal vote deadline, voter ID),
  - handoff (asks for a person: the back office records a handoff).

Each level runs twice, side by side: through the hub (every message stored and relayed to the conversation's Rasa
server) and straight to one of the profile's Rasa servers with the same model, as the hub would call it (same
metadata and conversation grant, so the actions do the same back-office work), alternating which goes first.
A message fails when it gets no 200, an apology ("trouble answering", "something went wrong", "a lot of people")
or no reply at all; after the hub runs every transcript is read back to count lost messages (sent but not stored).

Writes reports/load/report.md, results.json, latency.png and throughput.png (bench.py's charts) and prints the
table. Run it once or twice, not in loops: at 300 it keeps both cores busy for several minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import Run, Summary, free_port, machine, summarise, table, write_charts
from stack import ROOT, Stack, ensure_model, ensure_postgres_database, production_stack

sys.path.insert(1, str(ROOT))  # the api package: demo residents, conversation grants

OUT = ROOT / "reports" / "load"
LOAD_LOGS = ROOT / "var" / "log" / "load"
APOLOGIES = ("trouble answering", "something went wrong", "a lot of people are using the chat")
JOURNEYS = ("small talk", "polling station", "registration check", "elections", "handoff")
POSTGRES = "postgres@127.0.0.1:5432"


# ---------------------------------------------------------------- journeys


def journey(number: int, person: dict[str, Any]) -> tuple[str, list[str]]:
    """Return resident ``number``'s journey: its name and the messages typed ("<button>" picks the offered address)."""
    name = JOURNEYS[number % len(JOURNEYS)]
    day, month, year = person["date_of_birth"].split("-")[::-1]
    steps = {
        "small talk": ["hello", "what time are you open", "what's your phone number", "thanks", "bye"],
        "polling station": ["where do I vote?", person["postcode"], "<button>", "thanks"],
        "registration check": [
            "am I registered to vote?",
            f"my name is {person['name']}",
            f"{day}/{month}/{year}",
            person["postcode"],
            "<button>",
        ],
        "elections": [
            "when is the next election?",
            "what's the deadline for a postal vote?",
            "what ID do I need to vote?",
            "bye",
        ],
        "handoff": ["hello", "can I talk to a person?"],
    }[name]
    return name, steps


def pick_address(buttons: list[dict[str, str]], person: dict[str, Any]) -> str | None:
    """Return the payload of the resident's own address among the offered buttons, if any."""
    return next((b["payload"] for b in buttons if b.get("title", "").startswith(person["address"])), None)


# ---------------------------------------------------------------- the two paths


@dataclass
class Reply:
    """What one message got back: the texts and buttons (whatever the path's format)."""

    texts: list[str]
    buttons: list[dict[str, str]]


class HubPath:
    """The public path: POST the message to the hub, which stores it and relays it to the conversation's Rasa."""

    name = "hub"

    def __init__(self, api_url: str) -> None:
        self.url = api_url

    async def send(self, client: httpx.AsyncClient, conversation: dict[str, str], text: str) -> httpx.Response:
        return await client.post(
            f"{self.url}/api/chat/conversations/{conversation['id']}/messages",
            json={"text": text},
            headers={"Authorization": f"Bearer {conversation['token']}"},
        )

    @staticmethod
    def reply(response: httpx.Response) -> Reply:
        messages = response.json()["messages"]
        return Reply([m["text"] for m in messages], [b for m in messages for b in (m.get("buttons") or [])])


class DirectPath:
    """One Rasa server's REST channel, called as the hub calls it (the same metadata and grant), nothing stored."""

    name = "direct"

    def __init__(self, rasa_url: str, secret_key: str) -> None:
        self.url = rasa_url
        self.secret_key = secret_key

    async def send(self, client: httpx.AsyncClient, conversation: dict[str, str], text: str) -> httpx.Response:
        from api.service_access.grants import issue_grant

        grant = issue_grant(self.secret_key, conversation_id=conversation["id"], now=time.time(), lifetime_seconds=120)
        return await client.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": conversation["id"], "message": text, "metadata": {"channel": "web", "grant": grant}},
        )

    @staticmethod
    def reply(response: httpx.Response) -> Reply:
        items = response.json()
        return Reply([i.get("text") or "" for i in items], [b for i in items for b in (i.get("buttons") or [])])


Path_ = HubPath | DirectPath


async def open_conversation(client: httpx.AsyncClient, api_url: str) -> dict[str, str]:
    """Open a hub conversation (both paths use one, so the back office knows the id the actions name)."""
    response = await client.post(f"{api_url}/api/chat/conversations", json={"channel": "web"})
    response.raise_for_status()
    body = response.json()
    return {"id": body["conversation_id"], "token": body["token"]}


async def resident(
    path: Path_,
    client: httpx.AsyncClient,
    conversation: dict[str, str],
    steps: list[str],
    person: dict[str, Any],
    run: Run,
    failures: Counter[str],
) -> int:
    """Go through one journey, recording each message's latency or failure; return the messages sent."""
    buttons: list[dict[str, str]] = []
    sent = 0
    for step in steps:
        text = pick_address(buttons, person) if step == "<button>" else step
        if text is None:
            continue  # one address at that postcode: nothing to pick
        started = time.perf_counter()
        sent += 1
        try:
            response = await path.send(client, conversation, text)
        except httpx.HTTPError as error:
            run.errors[type(error).__name__] += 1
            continue
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            # A 503 "busy" is kind, and the message is kept, but the resident got no answer: an error here.
            busy = " (busy)" if response.status_code in (429, 503) else ""
            run.errors[f"HTTP {response.status_code}{busy}"] += 1
            continue
        reply = path.reply(response)
        buttons = reply.buttons
        apology = next((a for a in APOLOGIES if any(a in t for t in reply.texts)), None)
        if apology:
            run.errors[f"apology: {apology}"] += 1
            continue
        if not reply.texts and step != steps[-1]:
            failures["no reply"] += 1
        run.latencies.append(elapsed)
    return sent


async def level(
    path: Path_, api_url: str, residents: list[dict[str, Any]], concurrency: int, timeout: float
) -> tuple[Run, int, int]:
    """Run ``concurrency`` residents at once on ``path``; return the run, messages sent and messages lost."""
    run = Run(path.name, concurrency, 1)
    failures: Counter[str] = Counter()
    limits = httpx.Limits(max_connections=concurrency + 10, max_keepalive_connections=concurrency + 10)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        conversations = [await open_conversation(client, api_url) for _ in range(concurrency)]
        plans = [
            (conversations[i], *journey(i, residents[i % len(residents)]), residents[i % len(residents)])
            for i in range(concurrency)
        ]
        started = time.perf_counter()
        sent = await asyncio.gather(
            *(
                resident(path, client, conversation, steps, person, run, failures)
                for conversation, _name, steps, person in plans
            )
        )
        run.wall_seconds = time.perf_counter() - started
        run.silent_replies = failures["no reply"]
        lost = 0
        if isinstance(path, HubPath):
            for (conversation, *_rest), count in zip(plans, sent, strict=True):
                transcript = await client.get(
                    f"{api_url}/api/chat/conversations/{conversation['id']}/messages",
                    headers={"Authorization": f"Bearer {conversation['token']}"},
                )
                stored = sum(m["sender"] == "resident" for m in transcript.json()["messages"])
                lost += max(0, count - stored)
    return run, sum(sent), lost


async def measure(
    api_url: str,
    rasa_url: str,
    secret_key: str,
    residents: list[dict[str, Any]],
    levels: Sequence[int],
    timeout: float,
    meter: RasaMeter,
) -> tuple[list[Run], dict[tuple[str, int], dict[str, Any]]]:
    """Run every level on both paths, alternating which goes first; return the runs and sent/lost counts.

    Each count also holds the Rasa servers' CPU seconds per answered message and their threads at the end.
    """
    paths: list[Path_] = [HubPath(api_url), DirectPath(rasa_url, secret_key)]
    runs: list[Run] = []
    counts: dict[tuple[str, int], dict[str, Any]] = {}
    # warm-up: one of each journey on each path, untimed
    for path in paths:
        await level(path, api_url, residents, len(JOURNEYS), timeout)
    for index, concurrency in enumerate(levels):
        for path in paths if index % 2 == 0 else list(reversed(paths)):
            print(f"==> {path.name}: {concurrency} residents at once", flush=True)
            load_before, cpu_before = os.getloadavg()[0], meter.cpu_seconds()
            run, sent, lost = await level(path, api_url, residents, concurrency, timeout)
            runs.append(run)
            rasa_cpu = meter.cpu_seconds() - cpu_before
            counts[(path.name, concurrency)] = {
                "sent": sent,
                "lost": lost,
                "load_before": round(load_before, 2),
                "load_after": round(os.getloadavg()[0], 2),
                "rasa_cpu_seconds": round(rasa_cpu, 1),
                "rasa_cpu_ms_per_answer": round(rasa_cpu * 1000 / len(run.latencies), 1) if run.latencies else None,
                "rasa_threads": meter.threads(),
            }
            print(
                f"    {len(run.latencies)} answered of {sent} in {run.wall_seconds:.0f} s, "
                f"errors {dict(run.errors) or 0}, lost {lost}, Rasa CPU {rasa_cpu:.0f} s",
                flush=True,
            )
    return runs, counts


# ---------------------------------------------------------------- what the Rasa servers spend


def group_cpu_seconds(group: int) -> float:
    """CPU seconds (user and system) used so far by every live process of process group ``group``."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        # after the name: state, ppid, pgrp, ... utime and stime are the 12th and 13th
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def threads_of(pid: int) -> int:
    """Return how many threads process ``pid`` has now (0 if it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("Threads:")), 0)


class RasaMeter:
    """CPU seconds and threads of the profile's Rasa servers (each its own process group, see stack.spawn)."""

    def __init__(self, stack: Stack) -> None:
        self.pids = [stack.processes[stack.rasa_name(number)].pid for number in range(stack.rasa_servers)]

    def cpu_seconds(self) -> float:
        return sum(group_cpu_seconds(pid) for pid in self.pids)

    def threads(self) -> list[int]:
        return [threads_of(pid) for pid in self.pids]


# ---------------------------------------------------------------- the stack


@contextmanager
def started_profile(model: Path | None, rasa_servers: int | None) -> Iterator[Stack]:
    """Start the production profile on free ports with fresh PostgreSQL databases (dropped afterwards)."""
    import psycopg
    from psycopg import sql

    model = model or ensure_model()
    suffix = secrets.token_hex(3)
    names = [f"council_load_{suffix}", f"council_load_tracker_{suffix}"]
    if rasa_servers:
        os.environ["CA_RASA_SERVERS"] = str(rasa_servers)
    servers = int(os.environ.get("CA_RASA_SERVERS", len(os.sched_getaffinity(0))))
    stack = production_stack(
        api_port=free_port(),
        rasa_ports=[free_port() for _ in range(servers)],
        actions_port=free_port(),
        smtp_port=free_port(),
    )
    stack.database_url = f"postgresql+psycopg://{POSTGRES}/{names[0]}"
    stack.tracker_url = f"postgresql://{POSTGRES}/{names[1]}"
    stack.log_dir, stack.mail_dir, stack.unthrottled = LOAD_LOGS, ROOT / "var" / "load-mail", True
    LOAD_LOGS.mkdir(parents=True, exist_ok=True)
    for old in LOAD_LOGS.glob("*.log"):
        old.unlink()
    try:
        for url in (stack.database_url, stack.tracker_url):
            ensure_postgres_database(url)
        stack.seed()
        print(
            f"==> starting the production profile: {stack.rasa_servers} Rasa servers, {stack.api_workers} API "
            f"workers, {stack.action_workers} action workers (logs in {LOAD_LOGS.relative_to(ROOT)}/)",
            flush=True,
        )
        started = time.monotonic()
        stack.start(model)
        print(f"==> ready in {time.monotonic() - started:.0f} s", flush=True)
        yield stack
    finally:
        stack.stop()
        with psycopg.connect(f"postgresql://{POSTGRES}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        print("==> stopped; load databases dropped", flush=True)


def demo_residents(database_url: str) -> list[dict[str, Any]]:
    """Return the demo residents of the profile's database."""
    from api.db import session_on
    from api.demo.residents import read_demo_residents

    with session_on(database_url) as session:
        return read_demo_residents(session)


# ---------------------------------------------------------------- report


def write_report(
    out: Path,
    summaries: list[Summary],
    runs: list[Run],
    counts: dict[tuple[str, int], dict[str, Any]],
    about: dict[str, Any],
    settings: dict[str, Any],
    when: datetime,
) -> None:
    """Write report.md (the table, with lost messages and the ratios the issue's targets name) and results.json."""
    by_key = {(s.path, s.concurrency): s for s in summaries}
    rows = [
        "| concurrent residents | hub msg/s | direct msg/s | hub ÷ direct throughput | hub p95 ÷ direct p95 "
        "| hub lost messages | Rasa CPU ms per answer (hub, direct) | load average (hub run, direct run) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for concurrency in settings["levels"]:
        hub, direct = by_key[("hub", concurrency)], by_key[("direct", concurrency)]
        ratio = hub.throughput / direct.throughput if direct.throughput else float("nan")
        p95 = (hub.p95_ms / direct.p95_ms) if hub.p95_ms and direct.p95_ms else float("nan")
        rows.append(
            f"| {concurrency} | {hub.throughput:.1f} | {direct.throughput:.1f} | {ratio:.2f} | {p95:.2f} "
            f"| {counts[('hub', concurrency)]['lost']} | {_cpu(counts[('hub', concurrency)])}, "
            f"{_cpu(counts[('direct', concurrency)])} | {_load(counts[('hub', concurrency)])}, "
            f"{_load(counts[('direct', concurrency)])} |"
        )
    errors = [
        f"- {run.path} at {run.concurrency}: " + ", ".join(f"{kind}: {n}" for kind, n in run.errors.items())
        for run in runs
        if run.errors
    ] or ["- No errors."]
    silent = [
        f"- {run.path} at {run.concurrency}: {run.silent_replies} answered with nothing (not counted as errors)"
        for run in runs
        if run.silent_replies
    ]
    lines = [
        "# Load test: production profile, hub vs one Rasa server",
        "",
        f"Measured {when:%Y-%m-%d %H:%M} UTC on {about['nproc']} CPUs ({about['cpu']}), Python {about['python']}; "
        f"commit {about['commit'] or 'unknown'}. Load average (1 min) {about['load_average']['start']} at the start, "
        f"{about['load_average']['end']} at the end (other work on the machine shows up as noise).",
        "",
        f"Profile: {settings['profile']}. At each level C, C residents at once each go through one journey "
        f"({', '.join(JOURNEYS)}, in turn), one message at a time with no think time. 'hub' is the public path "
        "(stored, relayed to the conversation's Rasa server); 'direct' is one of the profile's Rasa servers "
        "called as the hub calls it (same metadata and grant, so the same back-office work), nothing stored. "
        "Latency is per message, answered messages only; throughput is answered messages over wall time. "
        "An error is a non-200 (a 503 'busy' included: the message is kept, but the resident got no answer), a "
        "dropped connection or an apology; a message's wait for its turn in the hub counts in its latency. "
        "Lost = sent to the hub but not in its transcript afterwards. Rasa CPU per answer = the CPU time every "
        "Rasa server of the profile used during the run (from /proc), over the messages answered.",
        "",
        table(summaries),
        "",
        *rows,
        "",
        *errors,
        *silent,
        "",
        "Threads of each Rasa server at the end of each run: "
        + "; ".join(f"{path} at {c}: {v.get('rasa_threads')}" for (path, c), v in counts.items()),
        "",
        "![latency](latency.png)",
        "",
        "![throughput](throughput.png)",
        "",
    ]
    (out / "report.md").write_text("\n".join(lines))
    results = {
        "date": when.isoformat(timespec="seconds"),
        "machine": about,
        "settings": settings,
        "summaries": [asdict(s) for s in summaries],
        "counts": [{"path": p, "concurrency": c, **v} for (p, c), v in counts.items()],
        "runs": [
            {
                "path": r.path,
                "concurrency": r.concurrency,
                "wall_seconds": round(r.wall_seconds, 3),
                "errors": dict(r.errors),
                "silent_replies": r.silent_replies,
                "latencies_ms": [round(s * 1000, 1) for s in r.latencies],
            }
            for r in runs
        ],
    }
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")


def _cpu(count: dict[str, Any]) -> str:
    """Return the Rasa servers' CPU milliseconds per answered message of one run ('-' if none was answered)."""
    value = count.get("rasa_cpu_ms_per_answer")
    return "-" if value is None else f"{value:.0f}"


def _load(count: dict[str, Any]) -> str:
    """Return the machine's 1-minute load average before and after one run, as 'before→after'."""
    return f"{count.get('load_before', '?')}→{count.get('load_after', '?')}"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument(
        "--levels",
        type=int,
        nargs="+",
        default=[20, 100, 300],
        metavar="C",
        help="concurrent residents to measure at (default: 20 100 300)",
    )
    parser.add_argument(
        "--rasa-servers", type=int, help="Rasa servers in the profile (default: CA_RASA_SERVERS, else one per core)"
    )
    # Longer than the hub may hold a message: its wait in line (up to CA_RASA_BUSY_AFTER_SECONDS, 180 s) and
    # Rasa's answer (CA_RASA_TIMEOUT_SECONDS, 30 s); the 2026-12-03 16:04 run still used 180 s (4 ReadTimeouts at 300).
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds before a request counts as failed")
    parser.add_argument("--model", type=Path, help="the model to serve (default: the one for the current data)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default: {OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    if min(args.levels) < 1:
        parser.error("levels must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Start the profile, run every level on both paths, write the report and print the table."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the stack is stopped on SIGTERM too
    args.out.mkdir(parents=True, exist_ok=True)
    when, load_at_start = datetime.now(UTC), os.getloadavg()[0]
    with started_profile(args.model, args.rasa_servers) as stack:
        from api.settings import DEV_SECRET_KEY

        secret_key = os.environ.get("CA_SECRET_KEY", DEV_SECRET_KEY)
        residents = demo_residents(stack.database_url)
        runs, counts = asyncio.run(
            measure(
                stack.api_url, stack.rasa_urls[0], secret_key, residents, args.levels, args.timeout, RasaMeter(stack)
            )
        )
        threads = f"{stack.rasa_threads} torch/TensorFlow threads each" if stack.rasa_threads else "default threads"
        profile = (
            f"{stack.rasa_servers} Rasa servers ({threads}; PostgreSQL tracker store, Redis lock store), "
            f"{stack.api_workers} API workers, {stack.action_workers} action-server workers, PostgreSQL back "
            "office, rate limits lifted"
        )
    summaries = [
        summarise([r for r in runs if (r.path, r.concurrency) == (path, c)])
        for c in args.levels
        for path in ("hub", "direct")
    ]
    about = machine(load_at_start)
    settings = {"profile": profile, "levels": args.levels, "timeout": args.timeout, "journeys": JOURNEYS}
    write_report(args.out, summaries, runs, counts, about, settings, when)
    write_charts(args.out, summaries, about)
    print()
    print(table(summaries))
    print(f"\nreport in {args.out}/report.md")


if __name__ == "__main__":
    main()
