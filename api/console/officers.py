"""The supervisor's view of officer accounts: who is locked out of sign-in, unlocking them, resetting a second factor.

A lockout comes from failed sign-ins (``api.officers.limits``): from one client ("pair"), or from many
("account", a guesser spread over many machines). Only supervisors see this page and act on it; every
unlock is logged with the officers' ids.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.console.service import TEAM_OF_ROLE, NotAllowed
from api.db import utcnow
from api.officers import second_factor
from api.officers.auth import officer_lockouts, unlock_officer
from api.officers.limits import Lockout
from api.officers.models import Officer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OfficerStatus:
    """One officer account as the supervisor's page shows it."""

    id: int
    name: str
    email: str
    team: str
    active: bool
    second_factor: bool
    lockouts: list[Lockout] = field(default_factory=list)

    @property
    def locked(self) -> bool:
        """Whether some sign-in limit refuses this officer now."""
        return bool(self.lockouts)


def _supervisor_only(officer: Officer) -> None:
    if officer.role != "supervisor":
        raise NotAllowed


def officer_statuses(session: Session, supervisor: Officer, *, now: datetime) -> list[OfficerStatus]:
    """Return every officer account with its lockouts, locked ones first."""
    _supervisor_only(supervisor)
    statuses = [
        OfficerStatus(
            id=o.id,
            name=o.display_name,
            email=o.email,
            team=TEAM_OF_ROLE.get(o.role, o.role),
            active=o.active,
            second_factor=o.second_factor_enrolled,
            lockouts=officer_lockouts(session, o, now=now),
        )
        for o in session.scalars(select(Officer).order_by(Officer.display_name))
    ]
    return sorted(statuses, key=lambda status: not status.locked)


def unlock(session: Session, supervisor: Officer, *, officer_id: int) -> Officer:
    """Clear the sign-in limits on an officer's address; raise LookupError when there is no such officer."""
    _supervisor_only(supervisor)
    officer = session.get(Officer, officer_id)
    if officer is None:
        raise LookupError(officer_id)
    cleared = unlock_officer(session, email=officer.email)
    log.info("officer %s unlocked by officer %s (%s limits cleared)", officer.id, supervisor.id, cleared)
    return officer


def reset_second_factor(session: Session, supervisor: Officer, *, officer_id: int) -> Officer:
    """Remove an officer's second factor and end their sessions; raise LookupError when there is no such officer."""
    _supervisor_only(supervisor)
    officer = session.get(Officer, officer_id)
    if officer is None:
        raise LookupError(officer_id)
    second_factor.reset(session, officer, now=utcnow())
    log.info("officer %s second factor reset by officer %s", officer.id, supervisor.id)
    return officer
