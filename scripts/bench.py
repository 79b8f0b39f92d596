"""Measure per-message latency and throughput through the conversation hub and straight to Rasa, side by side.

Both paths answer with the same Rasa model in the same run:
  - hub:    POST /api/chat/conversations, then POST /api/chat/conversations/{id}/messages (stored, then relayed),
  - direct: POST /webhooks/rest/webhook on Rasa's REST channel (no storage, no hub).
At each concurrency C, C simulated residents run at once, each sending a short script one message at a time
and waiting for the reply. The hub and direct runs alternate (hub, direct, direct, hub, ...) so machine noise
falls on both alike; the samples of every round are pooled.

By default the real stack is started on free ports with a fresh SQLite database and tracker store (logs in
var/log/bench/); --api-url and --rasa-url measure a stack that is already running instead.
Writes reports/bench/report.md, results.json, latency.png and throughput.png, and prints the table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "reports" / "bench"
BENCH_LOGS = ROOT / "var" / "log" / "bench"

# What a resident typically asks the front counter; no personal data, so nothing needs redacting.
SCRIPT = ("hello", "what time are you open", "what's your phone number", "what can you help with", "thanks", "bye")
PATHS = ("hub", "direct")


# ---------------------------------------------------------------- statistics


def percentile(values: Sequence[float], q: float) -> float:
    """Return the q-th percentile (0-100), interpolating between closest ranks (numpy's default method)."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} is outside 0-100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass
class Run:
    """One timed run of one path at one concurrency: latencies of the answered messages, and what failed."""

    path: str
    concurrency: int
    round: int
    wall_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: Counter[str] = field(default_factory=Counter)  # kind -> count
    silent_replies: int = 0  # answered 200 but with no bot message

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.errors.values())


@dataclass(frozen=True)
class Summary:
    """The pooled figures of every round of one path at one concurrency."""

    path: str
    concurrency: int
    rounds: int
    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    mean_ms: float | None
    throughput: float  # answered messages per second of wall time


def throughput(answered: int, wall_seconds: float) -> float:
    """Return answered messages per second; zero when nothing was timed."""
    return answered / wall_seconds if wall_seconds > 0 else 0.0


def summarise(runs: Sequence[Run]) -> Summary:
    """Pool the rounds of one path and concurrency: percentiles of all latencies, throughput over all wall time."""
    latencies = [s for run in runs for s in run.latencies]
    wall = sum(run.wall_seconds for run in runs)

    def ms(value: float) -> float:
        return round(value * 1000, 1)

    return Summary(
        path=runs[0].path,
        concurrency=runs[0].concurrency,
        rounds=len(runs),
        requests=sum(run.requests for run in runs),
        errors=sum(sum(run.errors.values()) for run in runs),
        p50_ms=ms(percentile(latencies, 50)) if latencies else None,
        p95_ms=ms(percentile(latencies, 95)) if latencies else None,
        mean_ms=ms(sum(latencies) / len(latencies)) if latencies else None,
        throughput=round(throughput(len(latencies), wall), 1),
    )


# ---------------------------------------------------------------- the two paths


class Target(Protocol):
    """A way of reaching the bot: open a conversation, then send it messages."""

    name: str

    async def open(self, client: httpx.AsyncClient) -> dict[str, str]: ...

    async def send(self, client: httpx.AsyncClient, conversation: dict[str, str], text: str) -> httpx.Response: ...

    def replies(self, response: httpx.Response) -> int: ...


class Hub:
    """The public path: the hub stores the message, asks Rasa, stores and returns the replies."""

    name = "hub"

    def __init__(self, api_url: str) -> None:
        self.url = api_url.rstrip("/")

    async def open(self, client: httpx.AsyncClient) -> dict[str, str]:
        response = await client.post(f"{self.url}/api/chat/conversations", json={"channel": "web"})
        response.raise_for_status()
        body = response.json()
        return {"id": body["conversation_id"], "token": body["token"]}

    async def send(self, client: httpx.AsyncClient, conversation: dict[str, str], text: str) -> httpx.Response:
        return await client.post(
            f"{self.url}/api/chat/conversations/{conversation['id']}/messages",
            json={"text": text},
            headers={"Authorization": f"Bearer {conversation['token']}"},
        )

    def replies(self, response: httpx.Response) -> int:
        return len(response.json()["messages"])


class Direct:
    """Rasa's REST channel itself, as the hub calls it (loopback only: it checks no credentials)."""

    name = "direct"

    def __init__(self, rasa_url: str) -> None:
        self.url = rasa_url.rstrip("/")

    async def open(self, client: httpx.AsyncClient) -> dict[str, str]:
        return {"id": f"bench-{uuid.uuid4().hex}"}

    async def send(self, client: httpx.AsyncClient, conversation: dict[str, str], text: str) -> httpx.Response:
        return await client.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": conversation["id"], "message": text}
        )

    def replies(self, response: httpx.Response) -> int:
        return len(response.json())


# ---------------------------------------------------------------- running


class Progress(Protocol):
    """What run_once needs of a progress bar."""

    def update(self, n: int = 1) -> Any: ...


async def run_once(
    target: Target, client: httpx.AsyncClient, run: Run, *, conversations: int, messages: int, progress: Progress
) -> Run:
    """Open the conversations (untimed), then let run.concurrency residents work through them at once."""
    opened: list[dict[str, str] | None] = []
    for _ in range(conversations):
        try:
            opened.append(await target.open(client))
        except (httpx.HTTPError, ValueError, KeyError) as error:
            opened.append(None)
            run.errors[f"conversation not opened: {describe(error)}"] += messages
            progress.update(messages)
    queue = [conversation for conversation in opened if conversation is not None]

    async def resident() -> None:
        while queue:
            conversation = queue.pop()
            for index in range(messages):
                await send_timed(target, client, conversation, SCRIPT[index % len(SCRIPT)], run)
                progress.update()

    started = time.perf_counter()
    await asyncio.gather(*(resident() for _ in range(run.concurrency)))
    run.wall_seconds = time.perf_counter() - started
    return run


async def send_timed(
    target: Target, client: httpx.AsyncClient, conversation: dict[str, str], text: str, run: Run
) -> None:
    """Send one message and record its latency, or the kind of error it met."""
    started = time.perf_counter()
    try:
        response = await target.send(client, conversation, text)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            run.errors[f"HTTP {response.status_code}"] += 1
            return
        if target.replies(response) == 0:
            run.silent_replies += 1
    except (httpx.HTTPError, ValueError, KeyError) as error:
        run.errors[describe(error)] += 1
        return
    run.latencies.append(elapsed)


def describe(error: Exception) -> str:
    """Name an error by its class (and status, for HTTP errors) so that like errors count together."""
    if isinstance(error, httpx.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    return type(error).__name__


async def measure(targets: dict[str, Target], args: argparse.Namespace) -> list[Run]:
    """Warm both paths up, then run every concurrency, alternating the paths round by round."""
    from tqdm import tqdm  # type: ignore[import-untyped]

    def conversations_at(concurrency: int) -> int:
        return max(concurrency, int(args.conversations))

    per_path = args.warmup * args.messages_per_conversation + sum(
        args.rounds * conversations_at(c) * args.messages_per_conversation for c in args.concurrency
    )
    limits = httpx.Limits(max_connections=max(args.concurrency) + 5, max_keepalive_connections=max(args.concurrency))
    runs: list[Run] = []
    async with httpx.AsyncClient(timeout=args.timeout, limits=limits) as client:
        with tqdm(total=per_path * len(targets), unit="msg", dynamic_ncols=True, file=sys.stderr) as progress:
            for name, target in targets.items():
                progress.set_description(f"warm-up {name}")
                await run_once(
                    target,
                    client,
                    Run(name, 1, 0),
                    conversations=args.warmup,
                    messages=args.messages_per_conversation,
                    progress=progress,
                )
            for concurrency in args.concurrency:
                for round_number in range(1, args.rounds + 1):
                    # hub, direct | direct, hub | ...: neither path always goes first.
                    order = list(targets) if round_number % 2 else list(reversed(targets))
                    for name in order:
                        progress.set_description(f"{name} c={concurrency} round {round_number}/{args.rounds}")
                        runs.append(
                            await run_once(
                                targets[name],
                                client,
                                Run(name, concurrency, round_number),
                                conversations=conversations_at(concurrency),
                                messages=args.messages_per_conversation,
                                progress=progress,
                            )
                        )
    return runs


# ---------------------------------------------------------------- the stack


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def started_stack(model: Path | None) -> Iterator[tuple[str, str, str]]:
    """Start the real stack on free ports with a fresh database and tracker store; yield URLs and a description."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from stack import Stack, ensure_model

    model = model or ensure_model()
    BENCH_LOGS.mkdir(parents=True, exist_ok=True)
    for old in BENCH_LOGS.glob("*.log"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="council-bench-") as folder:
        stack = Stack(
            api_port=free_port(),
            rasa_port=free_port(),
            actions_port=free_port(),
            smtp_port=free_port(),
            database_url=f"sqlite:///{Path(folder) / 'council.db'}",
            tracker_db=Path(folder) / "tracker.db",
            log_dir=BENCH_LOGS,
            mail_dir=Path(folder) / "mail",
            unthrottled=True,
        )
        print(f"==> starting the stack with model {model.name} (logs in {BENCH_LOGS.relative_to(ROOT)}/)", flush=True)
        try:
            stack.seed()
            started = time.monotonic()
            stack.start(model)
            print(f"==> ready in {time.monotonic() - started:.0f} s", flush=True)
            yield (
                stack.api_url,
                stack.rasa_url,
                f"started by the benchmark (model {model.name}, fresh SQLite database and tracker store)",
            )
        finally:
            stack.stop()
            print("==> stack stopped", flush=True)


# ---------------------------------------------------------------- reporting


def machine(load_at_start: float) -> dict[str, Any]:
    """Describe where the numbers were measured, with the load average at the start and the end."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _read_lines("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "commit": git_commit(),
        "load_average": {"start": round(load_at_start, 2), "end": round(os.getloadavg()[0], 2)},
    }


def _read_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []


def git_commit() -> str | None:
    """Return the short commit, marked when the working tree has changes; None outside a repository."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit} (with uncommitted changes)" if dirty else commit


COLUMNS = ("path", "concurrency", "requests", "errors", "p50 ms", "p95 ms", "mean ms", "throughput msg/s")


def table(summaries: Sequence[Summary]) -> str:
    """Render the summaries as a Markdown table."""

    def cell(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}"

    rows = [
        (
            s.path,
            str(s.concurrency),
            str(s.requests),
            str(s.errors),
            cell(s.p50_ms),
            cell(s.p95_ms),
            cell(s.mean_ms),
            cell(s.throughput),
        )
        for s in summaries
    ]
    widths = [max(len(column), *(len(row[i]) for row in rows)) for i, column in enumerate(COLUMNS)]
    lines = [COLUMNS, tuple("-" * width for width in widths), *rows]
    return "\n".join(
        "| " + " | ".join(value.ljust(width) for value, width in zip(line, widths, strict=True)) + " |"
        for line in lines
    )


def write_report(
    out: Path,
    summaries: list[Summary],
    runs: list[Run],
    settings: dict[str, Any],
    about: dict[str, Any],
    when: datetime,
) -> None:
    """Write report.md and results.json."""
    errors: Counter[str] = Counter()
    for run in runs:
        errors.update({f"{run.path} c={run.concurrency}: {kind}": n for kind, n in run.errors.items()})
    silent = Counter({f"{run.path} c={run.concurrency}": run.silent_replies for run in runs if run.silent_replies})
    notes = [f"- Errors: {kind}: {n}" for kind, n in sorted(errors.items())] or ["- No errors."]
    notes += [f"- Answered 200 with no bot message: {key}: {n}" for key, n in sorted(silent.items())]
    lines = [
        "# Benchmark: conversation hub vs Rasa direct",
        "",
        f"Measured {when:%Y-%m-%d %H:%M} UTC on {about['nproc']} CPUs ({about['cpu']}), Python {about['python']}, "
        f"{about['platform']}; commit {about['commit'] or 'unknown'}. Load average (1 min) "
        f"{about['load_average']['start']} at the start, {about['load_average']['end']} at the end: other work on "
        "the machine shows up as noise, which the alternating rounds spread over both paths.",
        "",
        table(summaries),
        "",
        f"Settings: {settings['stack']}; concurrency {', '.join(map(str, settings['concurrency']))}; "
        f"{settings['rounds']} rounds per path and concurrency, alternating hub and direct; at concurrency C, "
        f"max(C, {settings['conversations']}) conversations of {settings['messages_per_conversation']} messages "
        f"({' / '.join(SCRIPT)}, cycling); {settings['warmup']} warm-up conversations per path; "
        f"timeout {settings['timeout']} s.",
        "",
        "Latency is per message, of answered requests only (request sent to response read). Throughput is "
        "answered messages over the wall time of the runs; opening a hub conversation happens before the clock "
        "starts. Errors are non-200 answers or exceptions.",
        "",
        *notes,
        "",
        "![latency](latency.png)",
        "",
        "![throughput](throughput.png)",
        "",
    ]
    (out / "report.md").write_text("\n".join(lines))
    raw = [
        {
            "path": run.path,
            "concurrency": run.concurrency,
            "round": run.round,
            "wall_seconds": round(run.wall_seconds, 4),
            "errors": dict(run.errors),
            "silent_replies": run.silent_replies,
            "latencies_ms": [round(s * 1000, 2) for s in run.latencies],
        }
        for run in runs
    ]
    results = {
        "date": when.isoformat(timespec="seconds"),
        "machine": about,
        "settings": settings,
        "summaries": [asdict(s) for s in summaries],
        "runs": raw,
    }
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")


LABELS = {"hub": "through the hub", "direct": "Rasa direct"}
COLOURS = {"hub": "#1f4e79", "direct": "#d9822b"}


def write_charts(out: Path, summaries: list[Summary], about: dict[str, Any]) -> None:
    """Draw latency.png (p50 and p95, one panel per concurrency) and throughput.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_key = {(s.path, s.concurrency): s for s in summaries}
    levels = sorted({s.concurrency for s in summaries})
    subtitle = f"{about['nproc']} CPUs, Python {about['python']}, commit {about['commit'] or 'unknown'}"
    width = 0.38

    def number(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}" if value < 100 else f"{value:.0f}"

    def failures(concurrency: int) -> str:
        failed = [f"{s.path} {s.errors} of {s.requests}" for path in PATHS if (s := by_key[(path, concurrency)]).errors]
        return "\nfailed: " + ", ".join(failed) if failed else ""

    # Each concurrency gets its own panel and scale: queueing at 20 would flatten the bars at 1.
    figure, panels = plt.subplots(
        1, len(levels), figsize=(1 + 4.2 * len(levels), 4.8), layout="constrained", squeeze=False
    )
    for axes, concurrency in zip(panels[0], levels, strict=True):
        for offset, path in enumerate(PATHS):
            summary = by_key[(path, concurrency)]
            values = [summary.p50_ms, summary.p95_ms]
            drawn = axes.bar(
                [i + (offset - 0.5) * width for i in range(2)],
                [v or 0.0 for v in values],
                width,
                label=LABELS[path],
                color=COLOURS[path],
            )
            axes.bar_label(drawn, labels=[number(v) for v in values], fontsize=8, padding=2)
        axes.set_xticks(range(2), ["p50 (median)", "p95"])
        axes.set_ylabel("latency per message (ms)")
        axes.set_title(
            f"{concurrency} conversation{'s' if concurrency > 1 else ''} at once{failures(concurrency)}",
            fontsize=10,
            color="#b00020" if failures(concurrency) else "black",
        )
        _tidy(axes)
    panels[0][0].legend(frameon=False, loc="upper left")
    figure.suptitle(f"Per-message latency: hub vs Rasa direct\n{subtitle}", fontsize=11)
    figure.savefig(out / "latency.png", dpi=120)
    plt.close(figure)

    figure, axes = plt.subplots(figsize=(1 + 2.5 * len(levels), 4.8), layout="constrained")
    for offset, path in enumerate(PATHS):
        chosen = [by_key[(path, c)] for c in levels]
        drawn = axes.bar(
            [i + (offset - 0.5) * width for i in range(len(levels))],
            [s.throughput for s in chosen],
            width,
            label=LABELS[path],
            color=COLOURS[path],
        )
        axes.bar_label(
            drawn,
            fontsize=8,
            padding=2,
            labels=[number(s.throughput) + (f"\n({s.errors} failed)" if s.errors else "") for s in chosen],
        )
    axes.set_xticks(range(len(levels)), [str(c) for c in levels])
    axes.set_xlabel("conversations at once")
    axes.set_ylabel("answered messages per second")
    axes.set_title(f"Throughput: hub vs Rasa direct\n{subtitle}", fontsize=11)
    axes.legend(frameon=False, loc="upper left")
    _tidy(axes)
    figure.savefig(out / "throughput.png", dpi=120)
    plt.close(figure)


def _tidy(axes: Any) -> None:
    axes.margins(y=0.15)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)


# ---------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[1, 20],
        metavar="C",
        help="concurrent conversations to measure at (default: 1 20)",
    )
    parser.add_argument(
        "--messages-per-conversation",
        type=int,
        default=10,
        metavar="N",
        help="messages each resident sends, one after the other (default: 10)",
    )
    parser.add_argument(
        "--conversations",
        type=int,
        default=20,
        metavar="N",
        help="conversations per run, raised to the concurrency if lower (default: 20)",
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="runs per path and concurrency, alternating hub and direct (default: 4)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=2,
        metavar="N",
        help="untimed conversations per path before measuring (default: 2; 0 for none)",
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a request counts as failed")
    parser.add_argument(
        "--model",
        type=Path,
        help="start Rasa with this model (default: the one for the current data, trained first if missing)",
    )
    parser.add_argument("--api-url", help="measure the hub already running here instead of starting the stack")
    parser.add_argument("--rasa-url", help="measure the Rasa server already running here (with --api-url)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default: {OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    args.concurrency = list(dict.fromkeys(args.concurrency))
    if bool(args.api_url) != bool(args.rasa_url):
        parser.error("--api-url and --rasa-url go together")
    if args.model and args.api_url:
        parser.error("--model is for the stack the benchmark starts, not for one given by URL")
    if args.model and not args.model.is_file():
        parser.error(f"no model at {args.model}")
    if min(args.concurrency) < 1 or args.messages_per_conversation < 1 or args.rounds < 1 or args.warmup < 0:
        parser.error("concurrency, messages per conversation and rounds must be at least 1; warm-up at least 0")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    """Start the stack (unless given URLs), measure both paths, write the report and print the table."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the stack is stopped on SIGTERM too
    args.out.mkdir(parents=True, exist_ok=True)
    when, load_at_start = datetime.now(UTC), os.getloadavg()[0]

    @contextmanager
    def given_stack() -> Iterator[tuple[str, str, str]]:
        yield args.api_url, args.rasa_url, f"already running (hub {args.api_url}, Rasa {args.rasa_url})"

    with given_stack() if args.api_url else started_stack(args.model) as (api_url, rasa_url, stack):
        targets: dict[str, Target] = {"hub": Hub(api_url), "direct": Direct(rasa_url)}
        runs = asyncio.run(measure(targets, args))
    summaries = [
        summarise([run for run in runs if (run.path, run.concurrency) == (path, concurrency)])
        for concurrency in args.concurrency
        for path in PATHS
    ]
    settings = {
        "stack": stack,
        "concurrency": args.concurrency,
        "rounds": args.rounds,
        "conversations": args.conversations,
        "messages_per_conversation": args.messages_per_conversation,
        "warmup": args.warmup,
        "timeout": args.timeout,
    }
    about = machine(load_at_start)
    write_report(args.out, summaries, runs, settings, about, when)
    write_charts(args.out, summaries, about)
    print()
    print(table(summaries))
    print(f"\n{args.rounds} rounds per path and concurrency; report in {args.out}/report.md")


if __name__ == "__main__":
    main()
