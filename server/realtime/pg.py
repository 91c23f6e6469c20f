"""Cross-worker fan-out on PostgreSQL: LISTEN/NOTIFY wakes a relay that tails the event log.

Every write transaction notifies the channel with its hall (delivered at commit, in commit
order). Each server process runs one relay thread that, when woken, reads the hall's events
after the last seq it delivered and hands them to the local hub. The log is the source of
truth: a lost notification is made good by the next one for that hall or by the poll that
reads every hall's newest seq once a second, however busy the channel is.
"""

from __future__ import annotations

import contextlib
import logging
import threading

import psycopg
from sqlalchemy import Connection, make_url, select, text
from sqlalchemy.exc import SQLAlchemyError

from server.realtime.hub import Hub
from server.store import repo
from server.store.db import Database
from server.store.tables import halls

log = logging.getLogger("yichuang.realtime.pg")
CHANNEL = "yichuang_events"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', :hall)")
POLL_SECONDS = 1.0  # the log is read at least this often, notified or not
BATCH = 1000


def notify(conn: Connection, hall: str) -> None:
    """Ring the channel for a hall inside the writing transaction (sent on commit)."""
    conn.execute(_NOTIFY, {"hall": hall})


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
            conn.execute(f"LISTEN {CHANNEL}")
            self._poll()  # whatever was committed while not listening
            while not self._stop.is_set():
                # The generator ends after POLL_SECONDS however busy the channel is, so the
                # poll below runs every second: a lost notice of a quiet hall is made good
                # even while other halls keep the channel ringing.
                for note in conn.notifies(timeout=POLL_SECONDS):
                    if self._stop.is_set():
                        return
                    self._catch_up(note.payload)  # at once: a screen is waiting for it
                self._poll()

    def _poll(self) -> None:
        """Deliver what any hall committed beyond what this relay delivered (one query)."""
        with self.db.read() as conn:
            newest = dict(conn.execute(select(halls.c.code, halls.c.last_seq)).all())
        for hall, seq in newest.items():
            if int(seq) > self.last.get(hall, 0):
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
