"""Identity checks charged to where they come from: the source of a conversation and of each attempt.

Failed checks now lock the conversation and the client's (pseudonymous) source rather than the person or
address named; ``refused`` says why an attempt was refused without being checked, for the dashboard.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 05:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ATTEMPT_TABLES = ("verification_attempts", "account_verification_attempts")


def upgrade() -> None:
    """Add the source columns and the refusal reason."""
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("client_source", sa.String(length=32), nullable=True))
    for table in ATTEMPT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("client_source", sa.String(length=32), nullable=True))
            batch.add_column(sa.Column("refused", sa.String(length=16), nullable=True))
            batch.create_index(f"ix_{table}_client_source", ["client_source"])


def downgrade() -> None:
    """Drop them again."""
    for table in ATTEMPT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f"ix_{table}_client_source")
            batch.drop_column("refused")
            batch.drop_column("client_source")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("client_source")
