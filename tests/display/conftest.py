"""Fixtures of the display tests: real live-feed messages from the demo hall."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import DISPLAY, issue, login, window


class Feed:
    """The demo hall's live feed as a display gets it (the polling route, same messages)."""

    def __init__(self, client) -> None:
        self.client = client
        self.last: int | None = None
        # Read once, before any window has a current ticket: GET /halls/{hall} with a called
        # ticket trips a SQLAlchemy 2.1 deprecation warning in server/services/live.py
        # (Result.tuples()), which the test settings turn into an error (reported, not ours).
        self._layout = client.get("/api/v1/halls/demo", headers=DISPLAY).json()

    def take(self) -> list[dict[str, Any]]:
        """Messages since the last call: a snapshot first, then events in seq order."""
        params = {} if self.last is None else {"since": self.last}
        body = self.client.get("/api/v1/halls/demo/events", params=params, headers=DISPLAY)
        assert body.status_code == 200, body.text
        data = body.json()
        out = [data["snapshot"]] if data["snapshot"] else []
        out += data["events"]
        self.last = data["last_seq"]
        return out

    def layout(self) -> dict[str, Any]:
        return self._layout


@pytest.fixture
def feed(client) -> Feed:
    return Feed(client)


@pytest.fixture
def hall(client) -> Callable[..., Any]:
    """Do things in the demo hall: hall("call", "S01") after tickets were issued."""
    sessions: dict[str, dict[str, str]] = {}

    def act(action: str, code: str = "S01", **body: Any) -> Any:
        if action == "issue":
            return issue(client, queue=code, **body)
        clerk = f"clerk{int(code[1:]):02d}"
        if clerk not in sessions:
            sessions[clerk] = login(client, clerk)
            window(client, sessions[clerk], code, "sign-in")
        if action == "sign-in":
            return None
        r = window(client, sessions[clerk], code, action, **body)
        assert r.status_code < 300, r.text
        return r.json()

    return act


@pytest.fixture
def sims():
    """Fresh simulated devices and sign buses per test."""
    from drivers.led import Bus
    from drivers.sim import get_simulator, reset_simulators

    reset_simulators()
    yield get_simulator
    Bus.close_all()
    reset_simulators()
