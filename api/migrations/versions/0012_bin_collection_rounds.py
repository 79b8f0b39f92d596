"""Bin collection rounds, and which round empties each kind of bin at each property.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIN_TYPE = sa.Enum("refuse", "recycling", "food", "garden", name="bintype", native_enum=False, length=16)


def upgrade() -> None:
    """Create the rounds and the property-to-round table (the demo seed fills them)."""
    op.create_table(
        "collection_rounds",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("bin_type", BIN_TYPE, nullable=False),
        sa.Column("first_collection", sa.Date(), nullable=False),
        sa.Column("every_weeks", sa.Integer(), nullable=False),
        sa.CheckConstraint("every_weeks IN (1, 2)", name=op.f("ck_collection_rounds_every_weeks")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_collection_rounds")),
        sa.UniqueConstraint("code", "bin_type", name="uq_collection_rounds_code_bin_type"),
    )
    op.create_table(
        "property_collections",
        sa.Column("uprn", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("bin_type", BIN_TYPE, nullable=False),
        sa.Column("round_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["round_code", "bin_type"], ["collection_rounds.code", "collection_rounds.bin_type"],
                                name="fk_property_collections_round_code_collection_rounds"),
        sa.ForeignKeyConstraint(["uprn"], ["properties.uprn"], name=op.f("fk_property_collections_uprn_properties")),
        sa.PrimaryKeyConstraint("uprn", "bin_type", name=op.f("pk_property_collections")),
    )
    op.create_index(op.f("ix_property_collections_round_code"), "property_collections", ["round_code"], unique=False)


def downgrade() -> None:
    """Drop the bin collection tables (the index goes with its table)."""
    op.drop_table("property_collections")
    op.drop_table("collection_rounds")
