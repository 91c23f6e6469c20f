"""Ghost tickets (issue 13): the store is held locked longer than the kiosks' client timeout
while they issue; afterwards every ticket in the store was printed by a kiosk exactly once.

A real server process (SQLite, or the PostgreSQL pass's schema) and three kiosk presenters
with recording printers; another connection holds the lock: `BEGIN EXCLUSIVE` on the SQLite
file, the hall row `FOR UPDATE` on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kiosk.config import KioskConfig
from kiosk.ports import inline_runner
from kiosk.presenter import KioskPresenter
from kiosk.state import Screen
from server.client import HallClient
from tests.e2e.test_kiosk_flow import TOKEN, hall_file
from tests.helpers import valid_id
from tests.kiosk.conftest import FakePrinter
from tests.live_server import ServerProcess

pytestmark = pytest.mark.db
CLIENT_TIMEOUT = 1.0  # three tries of one second each, all inside the lock
LOCK_SECONDS = 6.0


@contextmanager
def store_locked(data_dir: Path, database_url: str | None) -> Iterator[None]:
    """Hold the store's write lock from another connection."""
    if database_url:
        import psycopg

        url = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url) as conn:
            conn.execute("SELECT code FROM halls WHERE code = 'demo' FOR UPDATE")
            yield
            conn.rollback()
        return
    conn = sqlite3.connect(data_dir / "yichuang.db", isolation_level=None, timeout=10)
    conn.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        conn.execute("COMMIT")
        conn.close()


def test_kiosks_timing_out_on_a_locked_store_print_every_stored_ticket_once(
    tmp_path: Path, database_url: str | None
):
    data = tmp_path / "data"
    server = ServerProcess(data, [hall_file(tmp_path)]).start()
    kiosks: list[tuple[KioskPresenter, FakePrinter, HallClient]] = []
    try:
        for _ in range(3):
            api = HallClient(server.url, "demo", TOKEN, timeout=CLIENT_TIMEOUT)
            printer = FakePrinter()
            config = KioskConfig(server_url=server.url, token=TOKEN)
            p = KioskPresenter(config, api, printer, runner=inline_runner)
            p.start()
            kiosks.append((p, printer, api))
        for i, (p, _, _) in enumerate(kiosks):
            p.choose_queue("A")
            for ch in valid_id("19600101", seq=f"{i + 1:03d}"):
                p.press_key(ch)
        with store_locked(data, database_url):
            taps = [threading.Thread(target=p.take_number) for p, _, _ in kiosks]
            for t in taps:
                t.start()
            for t in taps:
                t.join(LOCK_SECONDS)
            assert all(p.state.screen is Screen.IDENTIFY for p, _, _ in kiosks)
            assert all(not printer.tickets for _, printer, _ in kiosks)  # nothing answered
            time.sleep(max(0.0, LOCK_SECONDS - 3 * CLIENT_TIMEOUT - 0.5))
        deadline = time.monotonic() + 30
        while any(p.state.screen is not Screen.TICKET for p, _, _ in kiosks):
            assert time.monotonic() < deadline, [p.state.message for p, _, _ in kiosks]
            for p, _, _ in kiosks:
                p.heartbeat()  # the kiosk's timer: the server answers again
            time.sleep(0.2)
        printed = Counter(t.number for _, printer, _ in kiosks for t in printer.tickets)
        events = kiosks[0][2].events(since=0)["events"]
        stored = [e["ticket"]["number"] for e in events if e["type"] == "ticket.issued"]
        assert sorted(stored) == ["A001", "A002", "A003"]
        assert printed == Counter(stored)  # every stored ticket printed, and only once
    finally:
        for _, _, api in kiosks:
            api.close()
        server.stop()
