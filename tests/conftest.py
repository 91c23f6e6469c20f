"""Shared fixtures: an app on a temporary SQLite store (or PostgreSQL), clocks, clients."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault(
    "ESCPOS_CAPABILITIES_PICKLE_DIR", tempfile.mkdtemp(prefix="escpos-capabilities-")
)

from fastapi.testclient import TestClient

from server.app import create_app
from server.config import DEMO_HALL_FILE, Settings
from tests.helpers import FakeClock
from tests.pgschema import BACKEND, PG_URL, store_for_test

# Tests that touch the store; the PostgreSQL pass runs only these.
DB_FIXTURES = {"client", "make_client", "demo_server"}


def pytest_configure(config: pytest.Config) -> None:
    if BACKEND == "pg" and not PG_URL:
        raise pytest.UsageError("YICHUANG_TEST_BACKEND=pg needs YICHUANG_TEST_PG_URL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass keep only the tests that use the store (pages: SQLite only)."""
    if BACKEND != "pg":
        return
    keep, drop = [], []
    for item in items:
        uses_db = DB_FIXTURES & set(getattr(item, "fixturenames", ()))
        # Pages are checked once, on SQLite: the API under them runs on PostgreSQL in its own
        # tests. A browser test about the store itself is marked `db` and runs here too.
        page_only = item.get_closest_marker("browser") and not item.get_closest_marker("db")
        wanted = (uses_db and not page_only) or item.get_closest_marker("db")
        (keep if wanted else drop).append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep


def pytest_report_header(config: pytest.Config) -> str:
    if BACKEND == "pg":
        return f"store: PostgreSQL ({PG_URL}), one fresh schema per test"
    return "store: SQLite (set YICHUANG_TEST_BACKEND=pg and YICHUANG_TEST_PG_URL for PostgreSQL)"


@pytest.fixture(autouse=True)
def database_url() -> Iterator[str | None]:
    """On the PostgreSQL pass: a fresh schema per test, exported as YICHUANG_DATABASE_URL.

    Apps built in the test and server processes it starts all read that variable.
    """
    with store_for_test() as url:
        yield url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """Build TestClients on one data dir (restartable: call again for a 'restart')."""
    clients: list[TestClient] = []

    def build(
        clock: Callable[[], dt.datetime] | None = None,
        halls: list[Path] | None = None,
        **settings: object,
    ) -> TestClient:
        cfg = Settings(
            data_dir=tmp_path,
            hall_files=halls or [DEMO_HALL_FILE],
            demo=True,
            **settings,  # type: ignore[arg-type]
        )
        app = create_app(cfg, clock=clock) if clock else create_app(cfg)
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for c in clients:
        c.__exit__(None, None, None)
        c.app.state.services.ctx.db.dispose()


@pytest.fixture
def client(make_client: Callable[..., TestClient], clock: FakeClock) -> TestClient:
    """The demo hall on a fresh store, at 09:00 on 2026-11-24 (fake clock)."""
    return make_client(clock)
