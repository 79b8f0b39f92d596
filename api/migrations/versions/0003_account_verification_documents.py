"""Council tax account verification (attempts and live verifications), document requests, and the
conversation a service request was lodged in.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the account verification and document request tables; note a service request's conversation."""
    op.create_table(
        "account_verification_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["council_tax_accounts.id"],
                                name=op.f("fk_account_verification_attempts_account_id_council_tax_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_verification_attempts")),
    )
    op.create_index(op.f("ix_account_verification_attempts_conversation_id"), "account_verification_attempts",
                    ["conversation_id"], unique=False)
    op.create_index(op.f("ix_account_verification_attempts_account_id"), "account_verification_attempts",
                    ["account_id"], unique=False)
    op.create_table(
        "account_verifications",
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["council_tax_accounts.id"],
                                name=op.f("fk_account_verifications_account_id_council_tax_accounts")),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_account_verifications")),
    )
    op.create_index(op.f("ix_account_verifications_account_id"), "account_verifications", ["account_id"],
                    unique=False)
    op.create_table(
        "document_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["council_tax_accounts.id"],
                                name=op.f("fk_document_requests_account_id_council_tax_accounts")),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name=op.f("fk_document_requests_payment_id_payments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_requests")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_document_requests_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_document_requests_reference")),
    )
    op.create_index(op.f("ix_document_requests_account_id"), "document_requests", ["account_id"], unique=False)
    with op.batch_alter_table("service_requests") as batch:
        batch.add_column(sa.Column("conversation_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop what this revision added (indexes go with their tables)."""
    with op.batch_alter_table("service_requests") as batch:
        batch.drop_column("conversation_id")
    for table in ("document_requests", "account_verifications", "account_verification_attempts"):
        op.drop_table(table)
