"""Council tax accounts hold the holder's email address: receipts and statements go only there.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the account's email address (empty for existing accounts until the council records one)."""
    with op.batch_alter_table("council_tax_accounts") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))


def downgrade() -> None:
    """Drop the account's email address."""
    with op.batch_alter_table("council_tax_accounts") as batch:
        batch.drop_column("email")
