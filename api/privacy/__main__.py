"""``python -m api.privacy purge``: apply the retention schedule once (the API also does it every hour)."""

from __future__ import annotations

import argparse
import logging
import sys

from sqlalchemy import inspect

from api.db import Database
from api.privacy.retention import describe, purge_once
from api.privacy.tracker import TrackerStore
from api.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    """Run the command; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m api.privacy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("purge", help="delete what the retention schedule no longer allows to keep")
    run.add_argument("--url", help="the back-office database (default: CA_DATABASE_URL)")
    run.add_argument("--tracker-url", help="Rasa's tracker store (default: CA_TRACKER_STORE_URL)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    settings = get_settings()
    database = Database(args.url or settings.database_url)
    tracker = TrackerStore(args.tracker_url or settings.tracker_store_url)
    try:
        if not inspect(database.engine).has_table("conversations"):
            print("Nothing to purge: the database has no tables yet (`make seed` makes them).")
            return 0
        counts = purge_once(database, tracker, settings)
    finally:
        tracker.close()
        database.engine.dispose()
    if counts is None:
        print("Another process is purging right now; nothing was done.")
        return 0
    print(
        f"Retention purge (transcripts {settings.retention_transcript_days} days, identity checks "
        f"{settings.retention_verification_days} days, audit log {settings.retention_audit_days} days): "
        f"deleted {describe(counts)}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
