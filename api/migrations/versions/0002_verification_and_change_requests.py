"""Identity verification (attempts and live verifications) and register change requests.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:32:18
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the verification and change-request tables."""
    op.create_table(
        "verification_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("elector_id", sa.Integer(), nullable=True),
        sa.Column("uprn", sa.BigInteger(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["elector_id"], ["electors.id"],
                                name=op.f("fk_verification_attempts_elector_id_electors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_attempts")),
    )
    op.create_index(op.f("ix_verification_attempts_conversation_id"), "verification_attempts", ["conversation_id"],
                    unique=False)
    op.create_index(op.f("ix_verification_attempts_elector_id"), "verification_attempts", ["elector_id"],
                    unique=False)
    op.create_index(op.f("ix_verification_attempts_uprn"), "verification_attempts", ["uprn"], unique=False)
    op.create_table(
        "verifications",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("elector_id", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["elector_id"], ["electors.id"], name=op.f("fk_verifications_elector_id_electors")),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_verifications")),
    )
    op.create_index(op.f("ix_verifications_elector_id"), "verifications", ["elector_id"], unique=False)
    op.create_table(
        "electoral_change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("requested_by_elector_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["requested_by_elector_id"], ["electors.id"],
                                name=op.f("fk_electoral_change_requests_requested_by_elector_id_electors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_electoral_change_requests")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_electoral_change_requests_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_electoral_change_requests_reference")),
    )
    op.create_index(op.f("ix_electoral_change_requests_requested_by_elector_id"), "electoral_change_requests",
                    ["requested_by_elector_id"], unique=False)


def downgrade() -> None:
    """Drop the tables this revision created (their indexes go with them)."""
    for table in ("electoral_change_requests", "verifications", "verification_attempts"):
        op.drop_table(table)
