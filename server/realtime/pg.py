"""Cross-worker fan-out on PostgreSQL: LISTEN/NOTIFY wakes a relay that tails the event log.

Every write transaction notifies the channel with its hall and, when they fit in a notice,
its events (delivered at commit, in commit order). Each server process runs one relay thread
that hands a notice's events to the local hub when they follow the last seq it delivered, and
otherwise reads the hall's events after that seq from the log. Carrying the events saves
every worker a read per write (a quarter of a worker's time under load). The log is the source
of truth: a lost notification is made good by the next one for that hall or by the poll that
reads every hall's newest seq once a second, however busy the channel is.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence

import psycopg
import psycopg.sql
from sqlalchemy import Connection, make_url, select, text
from sqlalchemy.exc import SQLAlchemyError

from server.realtime.hub import Hub
from server.store import repo
from server.store.db import Database
from server.store.tables import halls

log = logging.getLogger("yichuang.realtime.pg")
# One channel per schema, named by PostgreSQL itself from the session's schema: NOTIFY is
# heard database-wide, and an installation in another schema of the same database (a test,
# a bench's baseline, a second hall group) must not hand its events to this one's screens.
CHANNEL = "'yichuang_' || left(md5(current_schema()), 16)"  # an SQL expression
_NOTIFY = text(f"SELECT pg_notify({CHANNEL}, :hall)")
POLL_SECONDS = 1.0  # the log is read at least this often, notified or not
BATCH = 1000
NOTICE_BYTES = 7900  # PostgreSQL refuses a payload of 8000 bytes or more


def notify(conn: Connection, hall: str, items: Sequence[tuple[int, str]] = ()) -> None:
    """Ring the channel for a hall inside the writing transaction (sent on commit)."""
    conn.execute(_NOTIFY, {"hall": notice(hall, items)})


def notice(hall: str, items: Sequence[tuple[int, str]]) -> str:
    """The payload: the hall, then a line per event ("seq<TAB>json"), or the hall alone if too big.

    Event JSON has no raw newline (json.dumps escapes it), and a hall code has neither.
    """
    if not items:
        return hall
    text_ = "\n".join([hall, *(f"{seq}\t{payload}" for seq, payload in items)])
    return text_ if len(text_.encode()) <= NOTICE_BYTES else hall


def parse_notice(payload: str) -> tuple[str, list[tuple[int, str]]]:
    """The hall and the events a notice carries (none: read them from the log)."""
    hall, *lines = payload.split("\n")
    items = []
    for line in lines:
        seq, _, event = line.partition("\t")
        items.append((int(seq), event))
    return hall, items


class PgRelay:
    """One listener per process that feeds the hub from the log, in seq order."""

    def __init__(self, db: Database, hub: Hub) -> None:
        self.db, self.hub = db, hub
        self.last: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def publish(self, hall: str, items: list[tuple[int, str]]) -> None:
        """Local commits need no direct publish: the relay delivers them from the log."""

    def start(self) -> None:
        """Start listening (after the hub is bound to its loop)."""
        with self.db.read() as conn:
            self.last = {
                code: int(seq) for code, seq in conn.execute(select(halls.c.code, halls.c.last_seq))
            }
        self._thread = threading.Thread(target=self._run, name="pg-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening (a notification wakes the listener instead of waiting out its poll)."""
        self._stop.set()
        if self._thread is not None:
            with contextlib.suppress(Exception), self.db.engine.begin() as conn:
                notify(conn, "")
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except (psycopg.Error, SQLAlchemyError, OSError):  # the store's reads fail too
                log.exception("event relay lost PostgreSQL; reconnecting")
                self._stop.wait(1.0)

    def _listen(self) -> None:
        dsn = make_url(self.db.url).set(drivername="postgresql")
        with psycopg.connect(dsn.render_as_string(hide_password=False), autocommit=True) as conn:
            row = conn.execute(f"SELECT {CHANNEL}").fetchone()
            assert row is not None
            conn.execute(psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(row[0])))
            self._poll()  # whatever was committed while not listening
            while not self._stop.is_set():
                # The generator ends after POLL_SECONDS however busy the channel is, so the
                # poll below runs every second: a lost notice of a quiet hall is made good
                # even while other halls keep the channel ringing.
                for note in conn.notifies(timeout=POLL_SECONDS):
                    if self._stop.is_set():
                        return
                    self._deliver(note.payload)  # at once: a screen is waiting for it
                self._poll()

    def _poll(self) -> None:
        """Deliver what any hall committed beyond what this relay delivered (one query)."""
        with self.db.read() as conn:
            newest = dict(conn.execute(select(halls.c.code, halls.c.last_seq)).all())
        for hall, seq in newest.items():
            if int(seq) > self.last.get(hall, 0):
                self._catch_up(hall)

    def _deliver(self, payload: str) -> None:
        """Hand on a notice's events if they follow the last delivered seq, else read the log."""
        hall, items = parse_notice(payload)
        if items and items[0][0] == self.last.get(hall, 0) + 1:
            self.last[hall] = items[-1][0]
            self.hub.publish(hall, items)
        elif not items or items[-1][0] > self.last.get(hall, 0):
            self._catch_up(hall)

    def _catch_up(self, hall: str) -> None:
        while True:
            after = self.last.get(hall, 0)
            with self.db.read() as conn:
                items = repo.events_after(conn, hall, after, BATCH)
            if not items:
                return
            self.last[hall] = items[-1][0]
            self.hub.publish(hall, items)
            if len(items) < BATCH:
                return
