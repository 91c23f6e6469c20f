"""ix_tickets_away: the few tickets whose 暂离 has an end, for call-next under the hall lock

Revision ID: 0007_away
Revises: 0007_cases
Create Date: 2026-12-06 13:30:00

Call-next on PostgreSQL reads its candidates along with the hall lock, for the instant
before the lock; they stay right until the next 暂离 of the window's lines ends. Finding
that end scanned every waiting ticket of the lines (a millisecond under the lock for a long
line); this partial index holds only tickets with an end.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_away"
down_revision: str | None = "0007_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AWAY = sa.text("away_until IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_tickets_away",
        "tickets",
        ["hall", "business_date", "away_until"],
        postgresql_where=AWAY,
        sqlite_where=AWAY,
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_away", table_name="tickets")
