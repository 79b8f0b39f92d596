"""Emails given to show a request's reporter are counted, so the email on a report cannot be guessed chat by chat.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 18:15:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the table of reporter email checks (whether each matched, never the email typed)."""
    op.create_table(
        "reporter_email_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("client_source", sa.String(length=32), nullable=True),
        sa.Column("refused", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"], ["service_requests.id"], name=op.f("fk_reporter_email_checks_request_id_service_requests")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporter_email_checks")),
    )
    for column in ("conversation_id", "request_id", "client_source"):
        op.create_index(op.f(f"ix_reporter_email_checks_{column}"), "reporter_email_checks", [column], unique=False)


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("reporter_email_checks")
