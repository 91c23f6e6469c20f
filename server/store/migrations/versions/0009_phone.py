"""tickets.away_until and step_backs (暂离 / 延后), notify_phones (the SMS notifier's numbers)

Revision ID: 0007_phone
Revises: 0007_audit
Create Date: 2026-12-06 05:00:00

A citizen may let others go first (延后 N 位) or step away keeping the place (暂离); the
ticket remembers until when it is away and how many times it stepped back. The phone numbers
citizens give for SMS alerts live in their own table, read only by the SMS format.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.tables

revision: str = "0007_phone"
down_revision: str | None = "0007_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("away_until", server.store.tables.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("step_backs", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "notify_phones",
        sa.Column("ticket_id", sa.String(length=32), nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("created_at", server.store.tables.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_index("ix_notify_phones_day", "notify_phones", ["hall", "business_date"])
    op.create_index(
        "ix_notify_phones_phone", "notify_phones", ["hall", "business_date", "phone"]
    )


def downgrade() -> None:
    op.drop_index("ix_notify_phones_phone", table_name="notify_phones")
    op.drop_index("ix_notify_phones_day", table_name="notify_phones")
    op.drop_table("notify_phones")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("step_backs")
        batch_op.drop_column("away_until")
