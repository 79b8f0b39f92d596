"""Time the sentence encoder as written (float) and int8-quantised, side by side in one run.

Measures what the model build and each Rasa server pay for the MiniLM encoder (bot/nlp/sentence_features.py):
encoding every NLU training example in batches (as a build with an empty vector cache does) and encoding
single messages one at a time (as a Rasa server does per resident message), each encoder in turn, alternating
rounds so that other work on the machine falls on both alike. Prints wall and CPU time and how close the
quantised vectors are to the float ones. torch's threads are its default unless OMP_NUM_THREADS says.

With --servers N it measures threads instead: N processes at once (as N Rasa servers on one machine) each encode
single messages, first with torch's default threads, then with each holding to cores // N (what scripts/stack.py
gives several Rasa servers), alternating; it prints messages a second over all and CPU per message.
Run: .venv/rasa/bin/python scripts/encoder_bench.py [--rounds 2] [--singles 200] [--servers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlp.sentence_features import load_encoder  # noqa: E402


def training_texts() -> list[str]:
    """Return the text of every NLU training example (what a build with an empty cache encodes)."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(ROOT / "data" / "nlu"))
    return [str(m.get("text")) for m in data.training_examples if m.get("text")]


def timed(function: object, *args: object) -> tuple[float, float, object]:
    """Wall and CPU seconds of one call, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = function(*args)  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu, result


def serve(singles: int) -> None:
    """One of --servers' processes: load the float encoder, say ready, wait for go, encode messages one at a time."""
    import torch

    texts = random.Random(os.getpid()).sample(training_texts(), singles)  # noqa: S311 (a sample, not a secret)
    encoder = load_encoder()
    encoder.encode(texts[:8], normalize_embeddings=True, show_progress_bar=False)
    print("ready", flush=True)
    sys.stdin.readline()
    wall, cpu = time.perf_counter(), time.process_time()
    for text in texts:
        encoder.encode([text], normalize_embeddings=True, show_progress_bar=False)
    result = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "threads": torch.get_num_threads()}
    print(json.dumps(result), flush=True)


def servers(count: int, singles: int, rounds: int) -> None:
    """Run ``count`` encoding processes at once, with torch's default threads and then with a share each."""
    share = max(1, len(os.sched_getaffinity(0)) // count)
    variables = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
    default = {k: v for k, v in os.environ.items() if k not in variables}
    settings = {"default threads": default, f"{share} thread each": {**default, **dict.fromkeys(variables, str(share))}}
    for round_number in range(rounds):
        order = list(settings) if round_number % 2 == 0 else list(reversed(settings))
        for name in order:
            processes = [
                subprocess.Popen(
                    [sys.executable, __file__, "--serve", str(singles)],
                    env=settings[name],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
                for _ in range(count)
            ]
            for process in processes:  # every encoder loaded and warm before any is timed
                while process.stdout and process.stdout.readline().strip() != "ready":
                    pass
            for process in processes:  # then all start at once
                if process.stdin:
                    process.stdin.write("go\n")
                    process.stdin.flush()
            results = [json.loads(process.communicate()[0].strip().splitlines()[-1]) for process in processes]
            wall = max(r["wall"] for r in results)
            cpu = sum(r["cpu"] for r in results)
            print(
                f"round {round_number + 1} {count} processes, {name} (torch {results[0]['threads']}): "
                f"{count * singles / wall:5.1f} messages/s, {cpu / (count * singles) * 1000:5.1f} ms CPU a message",
                flush=True,
            )


def main() -> int:
    """Encode the training set and single messages with each encoder, alternating, and print the times."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--singles", type=int, default=200, help="single messages timed per round")
    parser.add_argument("--servers", type=int, help="compare threads in this many processes at once instead")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if args.servers:
        servers(args.servers, args.singles, args.rounds)
        return 0
    import torch

    texts = training_texts()
    singles = random.Random(2026).sample(texts, args.singles)  # noqa: S311 (a repeatable sample)
    encoders = {"float": load_encoder(), "int8": load_encoder(quantize=True)}
    print(f"{len(texts)} training texts, {len(singles)} single messages; torch threads {torch.get_num_threads()}")

    def batch(encoder: object) -> np.ndarray:
        return encoder.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)  # type: ignore[attr-defined]

    def one_by_one(encoder: object) -> None:
        for text in singles:
            encoder.encode([text], batch_size=64, normalize_embeddings=True, show_progress_bar=False)  # type: ignore[attr-defined]

    for encoder in encoders.values():  # warm up both before timing
        encoder.encode(singles[:8], normalize_embeddings=True, show_progress_bar=False)
    totals: dict[str, list[float]] = {f"{name} {what}": [] for name in encoders for what in ("train", "single")}
    vectors: dict[str, np.ndarray] = {}
    for round_number in range(args.rounds):
        order = list(encoders) if round_number % 2 == 0 else list(reversed(encoders))
        for name in order:
            wall, cpu, vectors[name] = timed(batch, encoders[name])
            totals[f"{name} train"].append(cpu)
            print(f"round {round_number + 1} {name:5s} training set: {wall:6.1f} s wall, {cpu:6.1f} s CPU", flush=True)
            wall, cpu, _ = timed(one_by_one, encoders[name])
            totals[f"{name} single"].append(cpu)
            print(
                f"round {round_number + 1} {name:5s} single message: {wall / len(singles) * 1000:6.1f} ms wall, "
                f"{cpu / len(singles) * 1000:6.1f} ms CPU",
                flush=True,
            )
    cosine = np.sum(vectors["float"] * vectors["int8"], axis=1)
    print(
        f"int8 vs float, cosine of each training text's vectors: min {cosine.min():.3f}, "
        f"5th percentile {np.percentile(cosine, 5):.3f}, median {np.median(cosine):.3f}"
    )
    for what in ("train", "single"):
        ratio = np.median(totals[f"int8 {what}"]) / np.median(totals[f"float {what}"])
        print(f"{what}: int8 CPU / float CPU (median of rounds) {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
