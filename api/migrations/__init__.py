"""Database migrations (Alembic) and the functions that run them from code."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config

ALEMBIC_INI = Path(__file__).resolve().parent.parent.parent / "alembic.ini"


@contextmanager
def _quiet_alembic() -> Iterator[None]:
    """Hold back Alembic's INFO lines (plugin set-up on import, "Context impl", "Running upgrade")."""
    logger = logging.getLogger("alembic")
    previous = logger.level
    logger.setLevel(max(previous, logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(previous)


def alembic_config(url: str) -> Config:
    """Return an Alembic configuration that migrates ``url`` and leaves the caller's logging alone."""
    with _quiet_alembic():  # importing Alembic logs at INFO, so it is imported here rather than at the top
        from alembic.config import Config

    config = Config(str(ALEMBIC_INI))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    return config


def upgrade_database(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision`` (the latest by default)."""
    with _quiet_alembic():
        from alembic import command

        command.upgrade(alembic_config(url), revision)


def downgrade_database(url: str, revision: str = "base") -> None:
    """Migrate the database at ``url`` down to ``revision`` (an empty schema by default)."""
    with _quiet_alembic():
        from alembic import command

        command.downgrade(alembic_config(url), revision)
