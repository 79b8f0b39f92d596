"""Create an officer account for the console: ``python -m api.officers create EMAIL NAME ROLE``.

The password is asked for twice without echo (or read from standard input with ``--password-stdin``);
it is stored only as an argon2 hash.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from api.db import Database
from api.migrations import upgrade_database
from api.officers.auth import InvalidOfficer, create_officer
from api.officers.models import ROLES
from api.settings import get_settings


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise InvalidOfficer("the two passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="python -m api.officers", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="add an officer who can sign in to /console")
    create.add_argument("email")
    create.add_argument("name", help="the name residents and colleagues see, e.g. 'Priya Shah'")
    create.add_argument("role", choices=ROLES)
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    args = parser.parse_args(argv)

    settings = get_settings()
    upgrade_database(settings.database_url)
    database = Database(settings.database_url)
    try:
        with database.sessions.begin() as session:
            officer = create_officer(session, email=args.email, display_name=args.name, role=args.role,
                                     password=_password(args.password_stdin))
            print(f"Created officer {officer.email} ({officer.role}).")
    except InvalidOfficer as error:
        print(f"Not created: {error}.", file=sys.stderr)
        return 2
    finally:
        database.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
