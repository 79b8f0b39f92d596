"""A request for service can be cancelled by the person who reported it: who (how shown), where, when and why.

The status column is text, so "cancelled" needs no change there; the four new columns are empty for every
request cancelled before (none were).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add when, how the reporter was shown, the chat it was cancelled in, and the reason."""
    with op.batch_alter_table("service_requests") as batch:
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("cancelled_by", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("cancelled_in_conversation", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("cancel_reason", sa.String(length=300), nullable=True))
        batch.create_index("ix_service_requests_cancelled_in_conversation", ["cancelled_in_conversation"], unique=False)


def downgrade() -> None:
    """Drop the cancellation columns (cancelled requests keep their status text)."""
    with op.batch_alter_table("service_requests") as batch:
        batch.drop_index("ix_service_requests_cancelled_in_conversation")
        batch.drop_column("cancel_reason")
        batch.drop_column("cancelled_in_conversation")
        batch.drop_column("cancelled_by")
        batch.drop_column("cancelled_at")
