"""audit trail, chain heads, hall security settings; password and idle columns.

Revision ID: 0007_audit
Revises: 0007_platform
Create Date: 2026-12-06 04:30:00

Issue 19 (等保 2.0): the append-only, hash-chained audit trail; the hall's security
settings; users remember their hall-file hash and when they set their own password;
sessions remember when they were last used (the idle timeout) and whether they may only
change the password.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import server.store.tables

revision: str = "0007_audit"
down_revision: str | None = "0007_platform"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    utc = server.store.tables.UTCDateTime
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", utc(), nullable=False),
        sa.Column("who", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("object", sa.String(length=200), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hall", "seq", name="uq_audit_log_hall_seq"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["hall", "at"], unique=False)
    op.create_table(
        "audit_heads",
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("pruned_seq", sa.BigInteger(), nullable=False),
        sa.Column("pruned_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("hall"),
    )
    op.create_table(
        "hall_security",
        sa.Column("hall", sa.String(length=32), nullable=False),
        sa.Column("file_rules", sa.JSON(), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("updated_at", utc(), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("hall"),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("initial_hash", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("password_changed_at", utc(), nullable=True))
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", utc(), nullable=True))
        batch_op.add_column(
            sa.Column("must_change", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("must_change")
        batch_op.drop_column("last_seen_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("initial_hash")
    op.drop_table("hall_security")
    op.drop_table("audit_heads")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
