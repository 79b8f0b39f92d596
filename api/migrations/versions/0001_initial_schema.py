"""Initial schema: register, council tax, service requests, officers and conversations.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 21:10:49
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Enums are stored as strings (native_enum=False): adding a value later needs no ALTER TYPE.
REGISTRATION_STATUS = sa.Enum(
    "registered", "pending", "removed", name="registrationstatus", native_enum=False, length=16
)
ABSENT_VOTE_KIND = sa.Enum("postal", "proxy", name="absentvotekind", native_enum=False, length=8)


def upgrade() -> None:
    """Create every table, parents before children."""
    _create_electoral_tables()
    _create_payment_tables()
    _create_service_request_tables()
    _create_officer_and_conversation_tables()


def downgrade() -> None:
    """Drop every table, children before parents (their indexes go with them)."""
    for table in (
        "handoffs", "messages", "conversations", "officers",
        "service_request_updates", "service_requests",
        "payments", "instalments", "council_tax_accounts",
        "absent_vote_requests", "absent_votes", "elections", "electors",
        "properties", "polling_districts", "polling_stations",
    ):
        op.drop_table(table)


def _create_electoral_tables() -> None:
    op.create_table(
        "polling_stations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("address", sa.String(length=240), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("accessibility", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polling_stations")),
    )
    op.create_table(
        "polling_districts",
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("ward", sa.String(length=120), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["station_id"], ["polling_stations.id"],
                                name=op.f("fk_polling_districts_station_id_polling_stations")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_polling_districts")),
    )
    op.create_table(
        "properties",
        sa.Column("uprn", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("address_line", sa.String(length=200), nullable=False),
        sa.Column("town", sa.String(length=80), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("polling_district_code", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["polling_district_code"], ["polling_districts.code"],
                                name=op.f("fk_properties_polling_district_code_polling_districts")),
        sa.PrimaryKeyConstraint("uprn", name=op.f("pk_properties")),
    )
    op.create_index(op.f("ix_properties_postcode"), "properties", ["postcode"], unique=False)
    op.create_table(
        "electors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elector_number", sa.String(length=20), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("uprn", sa.BigInteger(), nullable=False),
        sa.Column("status", REGISTRATION_STATUS, nullable=False),
        sa.Column("open_register_opt_out", sa.Boolean(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["uprn"], ["properties.uprn"], name=op.f("fk_electors_uprn_properties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_electors")),
        sa.UniqueConstraint("elector_number", name=op.f("uq_electors_elector_number")),
    )
    op.create_index(op.f("ix_electors_last_name"), "electors", ["last_name"], unique=False)
    op.create_index(op.f("ix_electors_uprn"), "electors", ["uprn"], unique=False)
    op.create_table(
        "elections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("election_type", sa.String(length=40), nullable=False),
        sa.Column("poll_date", sa.Date(), nullable=False),
        sa.Column("area", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_elections")),
    )
    op.create_index(op.f("ix_elections_poll_date"), "elections", ["poll_date"], unique=False)
    op.create_table(
        "absent_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("elector_id", sa.Integer(), nullable=False),
        sa.Column("kind", ABSENT_VOTE_KIND, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("proxy_name", sa.String(length=160), nullable=True),
        sa.ForeignKeyConstraint(["elector_id"], ["electors.id"], name=op.f("fk_absent_votes_elector_id_electors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absent_votes")),
    )
    op.create_index(op.f("ix_absent_votes_elector_id"), "absent_votes", ["elector_id"], unique=False)
    op.create_table(
        "absent_vote_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("elector_id", sa.Integer(), nullable=False),
        sa.Column("kind", ABSENT_VOTE_KIND, nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["elector_id"], ["electors.id"],
                                name=op.f("fk_absent_vote_requests_elector_id_electors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absent_vote_requests")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_absent_vote_requests_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_absent_vote_requests_reference")),
    )
    op.create_index(op.f("ix_absent_vote_requests_elector_id"), "absent_vote_requests", ["elector_id"],
                    unique=False)


def _create_payment_tables() -> None:
    op.create_table(
        "council_tax_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("holder_first_name", sa.String(length=80), nullable=False),
        sa.Column("holder_last_name", sa.String(length=80), nullable=False),
        sa.Column("holder_date_of_birth", sa.Date(), nullable=False),
        sa.Column("uprn", sa.BigInteger(), nullable=False),
        sa.Column("band", sa.String(length=1), nullable=False),
        sa.Column("annual_charge_pence", sa.Integer(), nullable=False),
        sa.Column("instalment_plan", sa.Integer(), nullable=False),
        sa.Column("recovery_stage", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["uprn"], ["properties.uprn"], name=op.f("fk_council_tax_accounts_uprn_properties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_tax_accounts")),
        sa.UniqueConstraint("reference", name=op.f("uq_council_tax_accounts_reference")),
    )
    op.create_index(op.f("ix_council_tax_accounts_uprn"), "council_tax_accounts", ["uprn"], unique=False)
    op.create_table(
        "instalments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["council_tax_accounts.id"],
                                name=op.f("fk_instalments_account_id_council_tax_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instalments")),
    )
    op.create_index(op.f("ix_instalments_account_id"), "instalments", ["account_id"], unique=False)
    op.create_table(
        "payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("amount_pence", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["council_tax_accounts.id"],
                                name=op.f("fk_payments_account_id_council_tax_accounts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("reference", name=op.f("uq_payments_reference")),
    )
    op.create_index(op.f("ix_payments_account_id"), "payments", ["account_id"], unique=False)


def _create_service_request_tables() -> None:
    op.create_table(
        "service_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("uprn", sa.BigInteger(), nullable=True),
        sa.Column("location_text", sa.String(length=240), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("responsible_team", sa.String(length=80), nullable=False),
        sa.Column("contact_email", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_by", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["uprn"], ["properties.uprn"], name=op.f("fk_service_requests_uprn_properties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_requests")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_service_requests_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_service_requests_reference")),
    )
    op.create_index(op.f("ix_service_requests_category"), "service_requests", ["category"], unique=False)
    op.create_table(
        "service_request_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["service_requests.id"],
                                name=op.f("fk_service_request_updates_request_id_service_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_request_updates")),
    )
    op.create_index(op.f("ix_service_request_updates_request_id"), "service_request_updates", ["request_id"],
                    unique=False)


def _create_officer_and_conversation_tables() -> None:
    op.create_table(
        "officers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officers")),
        sa.UniqueConstraint("email", name=op.f("uq_officers_email")),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=48), nullable=False),
        sa.Column("sender", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("buttons", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_messages_conversation_id_conversations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    op.create_index(op.f("ix_messages_conversation_id"), "messages", ["conversation_id"], unique=False)
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("conversation_id", sa.String(length=48), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["claimed_by"], ["officers.id"], name=op.f("fk_handoffs_claimed_by_officers")),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name=op.f("fk_handoffs_conversation_id_conversations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.UniqueConstraint("reference", name=op.f("uq_handoffs_reference")),
    )
    op.create_index(op.f("ix_handoffs_conversation_id"), "handoffs", ["conversation_id"], unique=False)
