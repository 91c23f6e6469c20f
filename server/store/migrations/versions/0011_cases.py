"""cases and case_steps：办件 after 受理 (转递、签收、办结、出件)

Revision ID: 0007_cases
Revises: 0007_outbox
Create Date: 2026-12-06 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.tables

revision: str = "0007_cases"
down_revision: str | None = "0007_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    utc = server.store.tables.UTCDateTime
    op.create_table(
        "cases",
        sa.Column("hall", sa.String(32), nullable=False),
        sa.Column("case_no", sa.String(40), nullable=False),
        sa.Column("ticket_id", sa.String(32), nullable=True),
        sa.Column("matter", sa.String(64), nullable=True),
        sa.Column("department", sa.String(32), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("limit_days", sa.Integer(), nullable=False),
        sa.Column("applicant_masked", sa.String(50), nullable=True),
        sa.Column("clerk", sa.String(64), nullable=True),
        sa.Column("window", sa.String(32), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("opened_at", utc(), nullable=False),
        sa.Column("handed_at", utc(), nullable=True),
        sa.Column("signed_at", utc(), nullable=True),
        sa.Column("decided_at", utc(), nullable=True),
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("delivered_at", utc(), nullable=True),
        sa.Column("delivery", sa.String(16), nullable=True),
        sa.Column("tracking_no", sa.String(40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("materials", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("hall", "case_no", name=op.f("pk_cases")),
    )
    op.create_index("ix_cases_ticket", "cases", ["ticket_id"])
    op.create_index("ix_cases_opened", "cases", ["hall", "opened_at"])
    op.create_table(
        "case_steps",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hall", sa.String(32), nullable=False),
        sa.Column("case_no", sa.String(40), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("at", utc(), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("step_id", sa.String(64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_steps")),
    )
    op.create_index("ix_case_steps_case", "case_steps", ["hall", "case_no"])
    op.create_index("ix_case_steps_step_id", "case_steps", ["hall", "step_id"], unique=True)


def downgrade() -> None:
    op.drop_table("case_steps")
    op.drop_table("cases")
