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


@pytest.fixture
def client(make_client: Callable[..., TestClient], clock: FakeClock) -> TestClient:
    """The demo hall on a fresh store, at 09:00 on 2026-11-24 (fake clock)."""
    return make_client(clock)
