"""Knowledge gaps: the article a bot message quoted, residents' ratings of answers, and unanswered questions.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the messages' article column and the ratings and gaps tables."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("article", sa.String(length=80), nullable=True))
    op.create_table(
        "answer_ratings",
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=48), nullable=False),
        sa.Column("article", sa.String(length=80), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_answer_ratings_conversation_id_conversations")),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_answer_ratings_message_id_messages")),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_answer_ratings")),
    )
    op.create_index(op.f("ix_answer_ratings_article"), "answer_ratings", ["article"], unique=False)
    op.create_index(op.f("ix_answer_ratings_conversation_id"), "answer_ratings", ["conversation_id"], unique=False)
    op.create_table(
        "knowledge_gaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=48), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("article", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_knowledge_gaps_conversation_id_conversations")),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], name=op.f("fk_knowledge_gaps_message_id_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_gaps")),
        sa.UniqueConstraint("message_id", "kind", name=op.f("uq_knowledge_gaps_message_id")),
    )
    op.create_index(op.f("ix_knowledge_gaps_conversation_id"), "knowledge_gaps", ["conversation_id"], unique=False)
    op.create_index(op.f("ix_knowledge_gaps_created_at"), "knowledge_gaps", ["created_at"], unique=False)


def downgrade() -> None:
    """Drop the tables and the column."""
    op.drop_index(op.f("ix_knowledge_gaps_created_at"), table_name="knowledge_gaps")
    op.drop_index(op.f("ix_knowledge_gaps_conversation_id"), table_name="knowledge_gaps")
    op.drop_table("knowledge_gaps")
    op.drop_index(op.f("ix_answer_ratings_conversation_id"), table_name="answer_ratings")
    op.drop_index(op.f("ix_answer_ratings_article"), table_name="answer_ratings")
    op.drop_table("answer_ratings")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("article")
