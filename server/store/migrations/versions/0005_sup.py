"""好差评 reasons and staff numbers: tickets.evaluation_reasons, users.staff_no

Revision ID: 0004_sup
Revises: 0003
Create Date: 2026-12-06 02:00:00

A poor rating now names its reasons, picked from the hall file's list, and the window's
evaluator shows who served with the clerk's 工号. Both columns are nullable: earlier
ratings have no reasons, and a hall file may leave staff numbers out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_sup"
down_revision: str | None = "0004_idem"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evaluation_reasons", sa.JSON(), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_no", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("staff_no")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("evaluation_reasons")
