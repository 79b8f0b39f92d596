"""Officers' second-factor (TOTP) secrets are stored sealed with CA_SECOND_FACTOR_KEY, not in plain text.

The column is replaced (totp_secret -> totp_secret_sealed), so nothing reads a plain secret by its old
name, and every secret already stored is sealed on the way. That needs the API's key in the environment of
whatever runs the migration (``CA_SECOND_FACTOR_KEY``; the development key only in development and tests):
without it the migration stops before changing anything rather than seal with a key the API will not have.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from api.officers.sealing import SecretSeal

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

officers = sa.table("officers", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String),
                    sa.column("totp_secret_sealed", sa.String))


def upgrade() -> None:
    """Add the sealed column, seal every stored secret into it, and drop the plain one."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(officers.c.id, officers.c.totp_secret)
                              .where(officers.c.totp_secret.is_not(None))).all()
    seal = SecretSeal.from_environment() if rows else None
    with op.batch_alter_table("officers") as batch:
        batch.add_column(sa.Column("totp_secret_sealed", sa.String(length=255), nullable=True))
    for officer_id, secret in rows:
        assert seal is not None
        connection.execute(officers.update().where(officers.c.id == officer_id)
                           .values(totp_secret_sealed=seal.seal(secret)))
    with op.batch_alter_table("officers") as batch:
        batch.drop_column("totp_secret")


def downgrade() -> None:
    """Put the secrets back in plain text (the key must open them), and drop the sealed column."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(officers.c.id, officers.c.totp_secret_sealed)
                              .where(officers.c.totp_secret_sealed.is_not(None))).all()
    seal = SecretSeal.from_environment() if rows else None
    with op.batch_alter_table("officers") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
    for officer_id, sealed in rows:
        assert seal is not None
        connection.execute(officers.update().where(officers.c.id == officer_id).values(totp_secret=seal.open(sealed)))
    with op.batch_alter_table("officers") as batch:
        batch.drop_column("totp_secret_sealed")
