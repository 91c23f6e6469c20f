"""tickets.transferred_at: when a ticket was sent to a window, for the fallback to its queue

Revision ID: 0004_pad
Revises: 0003
Create Date: 2026-12-06 02:00:00

A ticket transferred to a window that is not open waits for it; once it has waited the
hall's `transfer_fallback_minutes` any window of its queue may call it. The wait is
counted from this time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.tables

revision: str = "0004_pad"
down_revision: str | None = "0004_sup"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("transferred_at", server.store.tables.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("transferred_at")
