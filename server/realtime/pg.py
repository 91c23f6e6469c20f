"""Cross-worker fan-out on PostgreSQL: LISTEN/NOTIFY wakes a relay that tails the event log.

Every write transaction notifies its hall's channel with, when they fit in a notice, its
events (delivered at commit, in commit order). Each server process runs one relay thread
that listens only to the halls somebody here watches (a screen, a pad, a progress page) and
hands a notice's events to the local hub when they follow the last seq it delivered, and
otherwise reads the hall's events after that seq from the log. Carrying the events saves
every worker a read per write; hearing only watched halls saves a worker without that
hall's screens a wake-up per write. The log is the source of truth: a lost notification is
made good by the next one for that hall or by the poll that reads every hall's newest seq
once a second, however busy the channel is.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import select as fds  # sqlalchemy's select is the other one here
import threading
import time
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
# One channel per hall and schema: NOTIFY is heard database-wide, and an installation in
# another schema of the same database (a test, a bench's baseline, a second hall group) must
# not hand its events to this one's screens. The channel is a fixed-length identifier built
# from md5 sums, so any hall code makes a valid name; `channel_of` builds the same in Python.
SCHEMA_KEY = "left(md5(current_schema()), 16)"
CHANNEL = f"'yichuang_' || {SCHEMA_KEY} || '_' || left(md5(:hall), 16)"  # an SQL expression
_NOTIFY = text(f"SELECT pg_notify({CHANNEL}, :notice)")
POLL_SECONDS = 1.0  # the log is read at least this often, notified or not
BATCH = 1000
NOTICE_BYTES = 7900  # PostgreSQL refuses a payload of 8000 bytes or more


def channel_of(schema_key: str, hall: str) -> str:
    """The channel of a hall, as `CHANNEL` names it in SQL."""
    return f"yichuang_{schema_key}_{hashlib.md5(hall.encode()).hexdigest()[:16]}"


def notify(conn: Connection, hall: str, items: Sequence[tuple[int, str]] = ()) -> None:
    """Ring a hall's channel inside the writing transaction (sent on commit)."""
    conn.execute(_NOTIFY, {"hall": hall, "notice": notice(hall, items)})


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
        self.wanted: set[str] = set()  # halls watched here (grows; a screen comes back)
        self.heard: set[str] = set()  # those whose channel the listener has LISTENed to
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._wake_r, self._wake_w = os.pipe()  # ends the listener's wait: watch, stop
        self._closed = False
        os.set_blocking(self._wake_w, False)
        hub.on_watch = self.watch

    def publish(self, hall: str, items: list[tuple[int, str]]) -> None:
        """Local commits need no direct publish: the relay delivers them from the log."""

    def watch(self, hall: str) -> None:
        """Somebody here subscribed to a hall: listen to its channel (from any thread)."""
        if hall not in self.wanted:
            self.wanted.add(hall)
            self._wake()

    def start(self) -> None:
        """Start listening (after the hub is bound to its loop)."""
        with self.db.read() as conn:
            self.last = {
                code: int(seq) for code, seq in conn.execute(select(halls.c.code, halls.c.last_seq))
            }
        self._thread = threading.Thread(target=self._run, name="pg-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening (the wake-up ends the listener's wait at once); again: nothing."""
        if self._closed:
            return
        self._stop.set()
        self._wake()
        if self._thread is not None:
            self._thread.join(5)
            if self._thread.is_alive():  # still reading: its pipe must stay open
                return
        self._closed = True  # never write to the numbers once they are closed (reused)
        for fd in (self._wake_r, self._wake_w):
            os.close(fd)

    def _wake(self) -> None:
        if self._closed:
            return
        with contextlib.suppress(BlockingIOError):  # the pipe is full: it is awake already
            os.write(self._wake_w, b"!")

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
            row = conn.execute(f"SELECT {SCHEMA_KEY}").fetchone()
            assert row is not None
            key = str(row[0])
            self.heard = set()  # a new connection listens to nothing yet
            self._hear(conn, key)
            self._poll()  # whatever was committed while not listening
            polled = time.monotonic()
            while not self._stop.is_set():
                # The wait ends after POLL_SECONDS however busy the channel is, so the poll
                # below runs every second: a lost notice of a quiet hall is made good even
                # while other halls keep the channel ringing.
                left = max(0.0, polled + POLL_SECONDS - time.monotonic())
                ready, _, _ = fds.select([conn.fileno(), self._wake_r], [], [], left)
                if self._wake_r in ready:
                    with contextlib.suppress(BlockingIOError):
                        os.read(self._wake_r, 4096)
                    if self._stop.is_set():
                        return
                    self._hear(conn, key)
                for note in conn.notifies(timeout=0):  # those here (and any kept meanwhile)
                    self._deliver(note.payload)  # at once: a screen is waiting for it
                if time.monotonic() >= polled + POLL_SECONDS:
                    self._poll()
                    polled = time.monotonic()

    def _hear(self, conn: psycopg.Connection, key: str) -> None:
        """LISTEN to the watched halls not heard yet, then read what they missed meanwhile."""
        for hall in sorted(self.wanted - self.heard):
            name = psycopg.sql.Identifier(channel_of(key, hall))
            conn.execute(psycopg.sql.SQL("LISTEN {}").format(name))
            self.heard.add(hall)
            self._catch_up(hall)

    def _poll(self) -> None:
        """Deliver what any hall committed beyond what this relay delivered (one query)."""
        with self.db.read() as conn:
            newest = dict(conn.execute(select(halls.c.code, halls.c.last_seq)).all())
        self._polled(newest)

    def _polled(self, newest: dict[str, int]) -> None:
        """Catch up the watched halls that moved; the others only move their last seq.

        Nobody here watched such a hall when its seq was read (`wanted` is looked at after
        the read), so whoever subscribes later reads a snapshot at least that new.
        """
        for hall, seq in newest.items():
            if int(seq) <= self.last.get(hall, 0):
                continue
            if hall in self.wanted:
                self._catch_up(hall)
            else:
                self.last[hall] = int(seq)

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
