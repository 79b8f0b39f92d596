"""The officer console: sessions and sign-in attempts, handoff queues, claim times and packets, officers'
names on their messages, internal notes, and residents' satisfaction ratings.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the console's tables and the columns the queue, the packet and ratings need."""
    op.create_table(
        "officer_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name=op.f("fk_officer_sessions_officer_id_officers")),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_officer_sessions")),
    )
    op.create_index(op.f("ix_officer_sessions_officer_id"), "officer_sessions", ["officer_id"], unique=False)
    op.create_table(
        "officer_sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_sign_in_attempts")),
    )
    op.create_index(op.f("ix_officer_sign_in_attempts_email_hash"), "officer_sign_in_attempts", ["email_hash"],
                    unique=False)
    op.create_table(
        "conversation_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=48), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_conversation_notes_conversation_id_conversations")),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name=op.f("fk_conversation_notes_officer_id_officers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_notes")),
    )
    op.create_index(op.f("ix_conversation_notes_conversation_id"), "conversation_notes", ["conversation_id"],
                    unique=False)
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("queue", sa.String(length=32), nullable=False, server_default="customer_focus"))
        batch.add_column(sa.Column("packet", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(batch.f("ix_handoffs_queue"), ["queue"], unique=False)
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("author", sa.String(length=80), nullable=True))
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("rating_requested_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("rating", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop what this revision added (indexes go with their tables)."""
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("rated_at")
        batch.drop_column("rating")
        batch.drop_column("rating_requested_at")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("author")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_index(batch.f("ix_handoffs_queue"))
        batch.drop_column("closed_at")
        batch.drop_column("claimed_at")
        batch.drop_column("packet")
        batch.drop_column("queue")
    op.drop_table("conversation_notes")
    op.drop_table("officer_sign_in_attempts")
    op.drop_table("officer_sessions")
