"""Alembic migrations: head matches the tables, and 0002 takes transfer notes off the event log.

Marked `db`, so the PostgreSQL pass runs them on a fresh schema too.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from server.store.db import MIGRATIONS_DIR, Database
from server.store.tables import metadata

pytestmark = pytest.mark.db
NOTE = "张三丰 需补交不动产权证书原件"


@pytest.fixture
def store(tmp_path: Path, database_url: str | None):
    """An empty store: a SQLite file, or the PostgreSQL pass's fresh schema."""
    db = Database(database_url or f"sqlite:///{tmp_path / 'migrate.db'}")
    yield db
    db.dispose()


def migrate(db: Database, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_the_migrated_schema_is_exactly_the_tables_the_code_declares(store):
    migrate(store, "head")
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_0002_moves_logged_transfer_notes_onto_their_tickets(store):
    migrate(store, "0001")
    at = dt.datetime(2026, 11, 24, 1, 0)
    with store.engine.begin() as conn:
        conn.execute(sa.table("tickets", *_ticket_columns()).insert(), [_ticket_row(at)])
        events = sa.table(
            "events", *(sa.column(c) for c in ("hall", "seq", "type", "at", "payload"))
        )
        moved = {"seq": 7, "type": "ticket.transferred", "ticket": {"id": "t1"}, "note": NOTE}
        called = {"seq": 8, "type": "ticket.called", "ticket": {"id": "t1"}}
        conn.execute(
            events.insert(),
            [
                {
                    "hall": "demo",
                    "seq": m["seq"],
                    "type": m["type"],
                    "at": at,
                    "payload": json.dumps(m, ensure_ascii=False),
                }
                for m in (moved, called)
            ],
        )
    migrate(store, "head")
    with store.engine.connect() as conn:
        note = conn.execute(sa.text("SELECT transfer_note FROM tickets WHERE id = 't1'"))
        assert note.scalar_one() == NOTE
        logged = dict(conn.execute(sa.text("SELECT seq, payload FROM events")).all())
    assert NOTE not in logged[7] and "note" not in json.loads(logged[7])
    assert json.loads(logged[7])["ticket"] == {"id": "t1"}
    assert json.loads(logged[8]) == called


def _ticket_columns() -> list[sa.ColumnClause]:
    names = (
        "id hall business_date queue number rank status priority source call_count recalls "
        "requeue_count issued_at transferred evaluation_requested"
    )
    return [sa.column(n) for n in names.split()]


def _ticket_row(at: dt.datetime) -> dict[str, object]:
    return {
        "id": "t1",
        "hall": "demo",
        "business_date": at.date(),
        "queue": "B",
        "number": "A001",
        "rank": 1,
        "status": "waiting",
        "priority": "normal",
        "source": "kiosk",
        "call_count": 1,
        "recalls": 0,
        "requeue_count": 0,
        "issued_at": at,
        "transferred": True,
        "evaluation_requested": False,
    }
