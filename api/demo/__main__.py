"""Command line: ``python -m api.demo seed|residents [--brief] [--url URL]``."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api.db import Database
from api.demo.generator import DEMO_OFFICER_PASSWORD
from api.demo.residents import read_demo_residents
from api.demo.seed import count_rows, seed_demo_data
from api.migrations import upgrade_database
from api.officers.models import Officer
from api.settings import get_settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in ``argv`` and return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m api.demo", description=__doc__)
    parser.add_argument(
        "command",
        choices=("seed", "residents"),
        help="seed: migrate, then add the demo data if absent; residents: print them as JSON",
    )
    parser.add_argument("--url", help="database URL (default: the settings' CA_DATABASE_URL)")
    parser.add_argument(
        "--brief", action="store_true", help="residents: one line each, and the demo officers' sign-in, instead of JSON"
    )
    args = parser.parse_args(argv)
    url = args.url or get_settings().database_url
    if args.command == "seed":
        upgrade_database(url)
    database = Database(url)
    try:
        with database.sessions() as session:
            return seed(session) if args.command == "seed" else print_residents(session, brief=args.brief)
    finally:
        database.engine.dispose()


def seed(session: Session) -> int:
    """Seed the demo data if absent and print a one-line summary of counts (no personal data)."""
    started = time.perf_counter()
    verb = "seeded" if seed_demo_data(session) is not None else "already seeded"
    session.commit()
    totals = ", ".join(f"{count} {table}" for table, count in count_rows(session).items())
    print(f"Demo data {verb} in {time.perf_counter() - started:.1f} s: {totals}")
    return 0


def print_residents(session: Session, *, brief: bool = False) -> int:
    """Print the demo residents, as JSON or briefly: the one output meant to hold (fictional) personal data."""
    try:
        residents = read_demo_residents(session)
        officers = session.execute(select(Officer.email, Officer.role).order_by(Officer.id)).all()
    except SQLAlchemyError:
        print("No demo residents in this database: run `python -m api.demo seed` first.", file=sys.stderr)
        return 1
    if not brief:
        print(json.dumps(residents, indent=2, ensure_ascii=False))
        return 0
    for r in residents:
        postal = ", postal vote" if r["postal_vote"] else ""
        print(
            f"      {r['name']}, born {r['date_of_birth']}, {r['address']}, {r['postcode']}: "
            f"{r['registration_status']}{postal}; council tax {r['council_tax_account']} "
            f"(paid {r['payment']['amount']} on {r['payment']['date']}); "
            f"request {r['service_request']['reference']} ({r['service_request']['category']})"
        )
    print(
        f"    Officer accounts for /console (demo password {DEMO_OFFICER_PASSWORD}): "
        + ", ".join(f"{email} ({role})" for email, role in officers)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
