"""Messages rewritten after they were stored: a card number split over messages is hidden in the earlier ones.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add when a message's text was rewritten."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("rewritten_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("rewritten_at")
