"""idempotency_keys: the committed answer of each write sent with an Idempotency-Key

Revision ID: 0004_idem
Revises: 0003
Create Date: 2026-12-06 02:00:00

A client that timed out retries with the same key and gets the first answer instead of a
second ticket or call. The answer is written in the same transaction as the change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.tables

revision: str = "0004_idem"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("caller", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("at", server.store.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "caller", "key", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index("ix_idempotency_keys_at", ["hall", "at"], unique=False)


def downgrade() -> None:
    op.drop_table("idempotency_keys")
