"""tickets.transfer_note: the transfer note kept for staff, no longer in public events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:00:00

Until now a clerk's transfer note went only into the `ticket.transferred` event, which
every screen and kiosk receives. The note now lives on the ticket (shown to staff only);
this revision also moves the notes already in the kept event log onto their tickets and
takes them out of the logged messages, so a replay (`since=0`) no longer shows them.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_events = sa.table(
    "events",
    sa.column("hall", sa.String),
    sa.column("seq", sa.BigInteger),
    sa.column("type", sa.String),
    sa.column("payload", sa.Text),
)
_tickets = sa.table("tickets", sa.column("id", sa.String), sa.column("transfer_note", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transfer_note", sa.String(length=200), nullable=True))
    _move_logged_notes(op.get_bind())


def downgrade() -> None:
    # The notes stay off the event log: a downgrade must not publish them again.
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("transfer_note")


def _move_logged_notes(conn: sa.Connection) -> None:
    rows = conn.execute(
        sa.select(_events.c.hall, _events.c.seq, _events.c.payload)
        .where(_events.c.type == "ticket.transferred")
        .order_by(_events.c.hall, _events.c.seq)
    ).all()
    for row in rows:
        message = json.loads(row.payload)
        if "note" not in message:
            continue
        note = message.pop("note")
        ticket_id = (message.get("ticket") or {}).get("id")
        if ticket_id:  # in seq order, so the latest transfer's note wins
            conn.execute(
                sa.update(_tickets)
                .where(_tickets.c.id == ticket_id)
                .values(transfer_note=(str(note)[:200] if note else None))
            )
        text = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
        conn.execute(
            sa.update(_events)
            .where(_events.c.hall == row.hall, _events.c.seq == row.seq)
            .values(payload=text)
        )
