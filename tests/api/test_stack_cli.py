"""scripts/stack.py's command line: asking for help prints it, a word it does not know is refused.

Seen: `scripts/stack.py --help` took "--help" for a profile and started the whole stack (train, seed, Rasa,
actions, API) on the default ports, where it stayed until killed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def stack(*words: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "stack.py"), *words],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_prints_the_usage_and_starts_nothing() -> None:
    for word in ("--help", "-h"):
        ran = stack(word)

        assert ran.returncode == 0, ran.stderr
        assert "usage: scripts/stack.py [embedded | production | model]" in ran.stdout
        assert "starting" not in ran.stdout and "Seeding" not in ran.stdout + ran.stderr


def test_a_word_it_does_not_know_is_refused_with_the_usage() -> None:
    ran = stack("prodution")

    assert ran.returncode != 0
    assert "not understood: prodution" in ran.stderr and "usage:" in ran.stderr
    assert "starting" not in ran.stdout
