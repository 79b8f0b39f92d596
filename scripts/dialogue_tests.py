"""Validate the Rasa data and run the test stories against the trained model, with a short summary.

Rasa's own output goes to var/log/dialogue-*.log; this prints what failed, if anything.
"""

from __future__ import annotations

import subprocess
import sys
import time

from stack import LOGS, RASA_ENV, ROOT, _rasa_env, ensure_model

RESULTS = ROOT / "results" / "dialogue"


def run(name: str, command: list[str]) -> bool:
    """Run a Rasa command with its output in a log file; return whether it succeeded."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"dialogue-{name}.log"
    started = time.monotonic()
    with log.open("w") as out:
        code = subprocess.call(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=_rasa_env())
    print(f"    {name:<10} {'ok' if code == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s (log: {log})")
    if code:
        print("\n".join(log.read_text(errors="replace").splitlines()[-20:]))
    return code == 0


def main() -> int:
    """Validate the data, then test the stories; exit non-zero on any failure."""
    model = ensure_model(quiet=True)
    print("==> dialogue tests")
    ok = run(
        "validate",
        [
            str(RASA_ENV / "rasa"),
            "data",
            "validate",
            "--fail-on-warnings",
            "--domain",
            "domain",
            "--data",
            "data",
            "--config",
            "config.yml",
        ],
    )
    ok = (
        run(
            "stories",
            [
                str(RASA_ENV / "rasa"),
                "test",
                "core",
                "--model",
                str(model),
                "--stories",
                "tests/stories",
                "--out",
                str(RESULTS),
                "--fail-on-prediction-errors",
                "--no-plot",
            ],
        )
        and ok
    )
    failed = RESULTS / "failed_test_stories.yml"
    if failed.exists() and "story:" in failed.read_text():
        print(f"    failed stories are in {failed}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
