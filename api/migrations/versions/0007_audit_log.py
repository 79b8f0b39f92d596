"""The audit log: officers' views, exports and erasures of conversations, and the retention purge's runs.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the audit log."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("conversation_id", sa.String(length=48), nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name=op.f("fk_audit_log_officer_id_officers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)
    op.create_index(op.f("ix_audit_log_officer_id"), "audit_log", ["officer_id"], unique=False)
    op.create_index(op.f("ix_audit_log_conversation_id"), "audit_log", ["conversation_id"], unique=False)


def downgrade() -> None:
    """Drop the audit log (its indexes go with it)."""
    op.drop_table("audit_log")
