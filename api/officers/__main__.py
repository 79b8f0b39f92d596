"""Manage officer accounts for the console: ``python -m api.officers create EMAIL NAME ROLE``, ``unlock EMAIL``.

The password is asked for twice without echo (or read from standard input with ``--password-stdin``);
it is stored only as an argon2 hash. ``unlock EMAIL`` clears the sign-in limits an officer's address has
reached; ``reset-second-factor EMAIL`` removes their two-step sign-in and ends their sessions (a lost
phone). The console's Officers page does both for supervisors. ``reseal-second-factors`` seals every
officer's two-step sign-in secret again with the first key of ``CA_SECOND_FACTOR_KEY`` (rotating the key).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.db import Database, utcnow
from api.migrations import upgrade_database
from api.officers import second_factor
from api.officers.auth import InvalidOfficer, create_officer, normalise_email, unlock_officer
from api.officers.models import ROLES, Officer
from api.settings import get_settings


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise InvalidOfficer("the two passwords differ")
    return first


def _officer(session: Session, email: str) -> Officer | None:
    officer = session.scalar(select(Officer).where(func.lower(Officer.email) == normalise_email(email)))
    if officer is None:
        print(f"No officer has the address {email}.", file=sys.stderr)
    return officer


def _reset_second_factor(session: Session, email: str) -> int:
    officer = _officer(session, email)
    if officer is None:
        return 2
    second_factor.reset(session, officer, now=utcnow())
    print(f"Two-step sign-in removed for {officer.email}; their sessions have ended.")
    return 0


def _unlock(session: Session, email: str) -> int:
    if _officer(session, email) is None:
        return 2
    cleared = unlock_officer(session, email=email)
    print(
        f"Unlocked {normalise_email(email)}"
        + (f" ({cleared} sign-in limits cleared)." if cleared else " (no sign-in limits were set).")
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="python -m api.officers", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="add an officer who can sign in to /console")
    create.add_argument("email")
    create.add_argument("name", help="the name residents and colleagues see, e.g. 'Priya Shah'")
    create.add_argument("role", choices=ROLES)
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    unlock = commands.add_parser("unlock", help="let an officer locked out by failed sign-ins sign in again")
    unlock.add_argument("email")
    reset = commands.add_parser(
        "reset-second-factor", help="remove an officer's two-step sign-in (a lost phone); they set it up again"
    )
    reset.add_argument("email")
    commands.add_parser(
        "reseal-second-factors", help="seal two-step sign-in secrets with the first key of CA_SECOND_FACTOR_KEY"
    )
    args = parser.parse_args(argv)

    settings = get_settings()
    upgrade_database(settings.database_url)
    database = Database(settings.database_url)
    try:
        with database.sessions.begin() as session:
            if args.command == "unlock":
                return _unlock(session, args.email)
            if args.command == "reset-second-factor":
                return _reset_second_factor(session, args.email)
            if args.command == "reseal-second-factors":
                count = second_factor.reseal_all(session, seal=settings.second_factor_seal())
                print(f"Sealed {count} two-step sign-in secrets with the first key.")
                return 0
            officer = create_officer(
                session,
                email=args.email,
                display_name=args.name,
                role=args.role,
                password=_password(args.password_stdin),
            )
            print(f"Created officer {officer.email} ({officer.role}).")
    except InvalidOfficer as error:
        print(f"Not created: {error}.", file=sys.stderr)
        return 2
    finally:
        database.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
