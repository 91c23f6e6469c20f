"""Three months of simulated history in the demo hall, built once per test session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.config import DEMO_HALL_FILE, Settings
from server.demo.history import HistoryPlan, generate
from server.services.context import Context
from tests.helpers import FakeClock, login
from tests.pgschema import store_for_test

# The fake clock stands on Tuesday 2026-11-24 09:00; history covers the three months before.
HISTORY = HistoryPlan(dt.date(2026, 8, 24), dt.date(2026, 11, 23), scale=0.3, seed=11)


@dataclass
class History:
    """A demo hall with history, a supervisor's headers, and the plan that made it."""

    client: TestClient
    ctx: Context
    clock: FakeClock
    plan: HistoryPlan
    supervisor: dict[str, str]

    def get(self, path: str, **params: object):
        """GET a hall route as the supervisor."""
        return self.client.get(f"/api/v1/halls/demo{path}", params=params, headers=self.supervisor)


def build_history(data_dir: Path, plan: HistoryPlan = HISTORY) -> Iterator[History]:
    """An app on a fresh store with the plan's history bulk-inserted."""
    clock = FakeClock()
    app = create_app(
        Settings(data_dir=data_dir, hall_files=[DEMO_HALL_FILE], demo=True), clock=clock
    )
    ctx = app.state.services.ctx
    with ctx.db.write() as conn:
        generate(conn, ctx.layout(conn, "demo"), plan)
    with TestClient(app) as client:
        yield History(client, ctx, clock, plan, login(client, "supervisor"))
    ctx.db.dispose()


@pytest.fixture(scope="session")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    """The demo hall with three months of history, built once: tests only read it."""
    with store_for_test():
        yield from build_history(tmp_path_factory.mktemp("history"))
