"""Codes and news emailed to a report's address: the email given in another chat is no proof on its own.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 12:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the table of emails sent to reporters (a keyed hash of each code, never the code or the address)."""
    op.create_table(
        "reporter_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("wrong_tries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["service_requests.id"], name=op.f("fk_reporter_mails_request_id_service_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporter_mails")),
    )
    for column in ("request_id", "conversation_id"):
        op.create_index(op.f(f"ix_reporter_mails_{column}"), "reporter_mails", [column], unique=False)


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("reporter_mails")
