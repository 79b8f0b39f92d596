"""An absent-vote request can be withdrawn by the elector before an officer deals with it: when, and from which chat.

The status column is text, so "withdrawn" needs no change there; the two new columns are empty for every
request made before (none was withdrawn).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 14:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add when the request was withdrawn and the chat it was withdrawn in."""
    with op.batch_alter_table("absent_vote_requests") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("withdrawn_in_conversation", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop the withdrawal columns (withdrawn requests keep their status text)."""
    with op.batch_alter_table("absent_vote_requests") as batch:
        batch.drop_column("withdrawn_in_conversation")
        batch.drop_column("withdrawn_at")
