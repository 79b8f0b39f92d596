"""Officer sign-in security: atomic sign-in limits per address, client and both, TOTP second factor and
recovery codes, and the stage of a console session (a password accepted, a code still awaited).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 05:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the limits and recovery-code tables, the officers' TOTP columns and the sessions' stage."""
    op.create_table(
        "officer_sign_in_limits",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_officer_sign_in_limits")),
    )
    op.create_index(op.f("ix_officer_sign_in_limits_email_hash"), "officer_sign_in_limits", ["email_hash"],
                    unique=False)
    op.create_table(
        "officer_recovery_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"],
                                name=op.f("fk_officer_recovery_codes_officer_id_officers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_recovery_codes")),
    )
    op.create_index(op.f("ix_officer_recovery_codes_officer_id"), "officer_recovery_codes", ["officer_id"],
                    unique=False)
    with op.batch_alter_table("officers") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_enrolled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    with op.batch_alter_table("officer_sessions") as batch:
        batch.add_column(sa.Column("stage", sa.String(length=16), nullable=False, server_default="active"))


def downgrade() -> None:
    """Drop what this revision added."""
    with op.batch_alter_table("officer_sessions") as batch:
        batch.drop_column("stage")
    with op.batch_alter_table("officers") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enrolled_at")
        batch.drop_column("totp_secret")
    op.drop_table("officer_recovery_codes")
    op.drop_table("officer_sign_in_limits")
