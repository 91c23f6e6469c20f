"""The event outbox: outbox_subscribers, outbox_dead_letters, outbox_sent_keys.

Revision ID: 0007_outbox
Revises: 0007_phone
Create Date: 2026-12-06 04:20:00

Subscribers read the hall's event log from a cursor of their own; events they give up on
go to the dead letters; the keys they were sent make a key go out at most once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.tables

revision: str = "0007_outbox"
down_revision: str | None = "0007_phone"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = server.store.tables.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "outbox_subscribers",
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=24), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try", UTC(), nullable=True),
        sa.Column("failing_since", UTC(), nullable=True),
        sa.Column("last_success_at", UTC(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("last_error_at", UTC(), nullable=True),
        sa.Column("delivered", sa.BigInteger(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "name", name=op.f("pk_outbox_subscribers")),
    )
    op.create_table(
        "outbox_dead_letters",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("subscriber", sa.String(length=24), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_dead_letters")),
    )
    with op.batch_alter_table("outbox_dead_letters", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_dead_letters_sub", ["hall", "subscriber", "seq"], unique=False
        )
    op.create_table(
        "outbox_sent_keys",
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("subscriber", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", UTC(), nullable=False),
        sa.PrimaryKeyConstraint("hall", "subscriber", "key", name=op.f("pk_outbox_sent_keys")),
    )
    with op.batch_alter_table("outbox_sent_keys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_sent_keys_seq", ["hall", "subscriber", "seq"], unique=False
        )


def downgrade() -> None:
    op.drop_table("outbox_sent_keys")
    op.drop_table("outbox_dead_letters")
    op.drop_table("outbox_subscribers")
