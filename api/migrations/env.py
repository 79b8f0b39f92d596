"""Alembic environment: which database to migrate and against which metadata.

The URL comes, in order, from ``upgrade_database()`` (``config.attributes["url"]``), from
``alembic -x url=...`` or from the application settings. SQLite gets batch mode so that later
migrations can alter tables it cannot alter in place.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from api.db import make_engine
from api.models import Base
from api.settings import get_settings

config = context.config
target_metadata = Base.metadata

# The command line configures logging from alembic.ini; code that calls Alembic keeps its own logging.
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def database_url() -> str:
    """Return the URL to migrate: given by the caller, on the command line, or from the settings."""
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    return str(url or get_settings().database_url)


def configure(connection: Connection | None = None, url: str | None = None) -> None:
    """Configure the migration context with the options every run shares."""
    dialect = connection.dialect.name if connection is not None else (url or "").split(":", 1)[0]
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        render_as_batch=dialect.startswith("sqlite"),
        compare_type=True,
        literal_binds=connection is None,
        dialect_opts={"paramstyle": "named"} if connection is None else {},
    )


def run_migrations_offline() -> None:
    """Emit the migration as SQL on standard output (``alembic upgrade head --sql``)."""
    configure(url=database_url())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations against a live database."""
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
