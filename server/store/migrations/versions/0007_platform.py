"""Platform codes on matters (事项编码、统一社会信用代码)；追评 and 差评整改 tables.

Revision ID: 0007_platform
Revises: 0004_pad
Create Date: 2026-12-06 04:30:00

Matters carry the provincial catalogue's 事项编码 and their department's 统一社会信用代码 so
the 好差评 adapters can key a rating; a citizen's 追评 is kept beside the first rating; a
rating of 1 or 2 opens a 差评整改 item with a deadline in working days.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.tables

revision: str = "0007_platform"
down_revision: str | None = "0004_pad"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("matters", schema=None) as batch_op:
        batch_op.add_column(sa.Column("catalog_code", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("department_code", sa.String(18), nullable=True))
    op.create_table(
        "second_ratings",
        sa.Column("ticket_id", sa.String(32), primary_key=True),
        sa.Column("hall", sa.String(32), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("rated_at", server.store.tables.UTCDateTime(), nullable=False),
    )
    op.create_table(
        "rating_followups",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("hall", sa.String(32), nullable=False),
        sa.Column("ticket_id", sa.String(32), nullable=False, unique=True),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("window", sa.String(32), nullable=True),
        sa.Column("clerk", sa.String(64), nullable=True),
        sa.Column("matter", sa.String(64), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("opened_at", server.store.tables.UTCDateTime(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("callback", sa.JSON(), nullable=True),
        sa.Column("rectification", sa.JSON(), nullable=True),
        sa.Column("closed_at", server.store.tables.UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=True),
    )
    op.create_index("ix_rating_followups_open", "rating_followups", ["hall", "status", "deadline"])


def downgrade() -> None:
    op.drop_index("ix_rating_followups_open", table_name="rating_followups")
    op.drop_table("rating_followups")
    op.drop_table("second_ratings")
    with op.batch_alter_table("matters", schema=None) as batch_op:
        batch_op.drop_column("department_code")
        batch_op.drop_column("catalog_code")
