"""The Telegram channel: chats mapped to conversations, updates already taken in, messages delivered.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 00:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the Telegram chat, update and delivery tables."""
    op.create_table(
        "telegram_chats",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("conversation_id", sa.String(length=48), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_telegram_chats_conversation_id_conversations")),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_telegram_chats")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_telegram_chats_conversation_id")),
    )
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_telegram_updates")),
    )
    op.create_index(op.f("ix_telegram_updates_received_at"), "telegram_updates", ["received_at"], unique=False)
    op.create_table(
        "telegram_deliveries",
        sa.Column("message_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_telegram_deliveries_message_id_messages")),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_telegram_deliveries")),
    )


def downgrade() -> None:
    """Drop the Telegram tables (indexes go with their tables)."""
    for table in ("telegram_deliveries", "telegram_updates", "telegram_chats"):
        op.drop_table(table)
