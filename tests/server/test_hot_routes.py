"""The hot layer (server/api/hot.py) answers issue, call-next and outcome as FastAPI does.

The same script of requests, good and bad, goes to a server with the layer and to one
without it (`hot_routes=False`); every answer (status, body, the headers a client reads),
the audit trail and the metrics' route names must be the same.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from server.api.hot import HOT, hot_routes
from server.app import create_app
from server.config import Settings
from tests.conftest import DEMO_HALL_FILE
from tests.helpers import DISPLAY, KIOSK, login

TICKETS = "/api/v1/halls/demo/tickets"
WINDOW = "/api/v1/halls/demo/windows/{}/{}"
OUTCOME = WINDOW.format("S01", "outcome")
RANDOM = re.compile(r"[A-Za-z0-9_\-]{16,}")  # ids, secrets, tokens (and some long keys)
HEADERS = ("content-type", "idempotent-replayed", "retry-after", "x-frame-options")


def script(client) -> list:
    """Requests that kiosks, pads and strangers send; each answer, made comparable."""
    clerk, other = login(client, "clerk01"), login(client, "clerk02")
    as_json = {**KIOSK, "Content-Type": "application/json"}
    as_text = {**KIOSK, "Content-Type": "text/plain"}
    keyed = {**clerk, "Idempotency-Key": "c1"}
    call_next, sign_in = WINDOW.format("S01", "call-next"), WINDOW.format("S01", "sign-in")
    steps = [
        (TICKETS, {"json": {"queue": "A"}, "headers": KIOSK}),
        (TICKETS, {"json": {"queue": "A"}, "headers": {**KIOSK, "Idempotency-Key": "k1"}}),
        (TICKETS, {"json": {"queue": "A"}, "headers": {**KIOSK, "Idempotency-Key": "k1"}}),
        (TICKETS, {"json": {"queue": "B"}, "headers": {**KIOSK, "Idempotency-Key": "k1"}}),
        (TICKETS, {"json": {"queue": "NOPE"}, "headers": KIOSK}),
        (TICKETS, {"json": {"queue": "A" * 300}, "headers": KIOSK}),
        (TICKETS, {"json": {}, "headers": KIOSK}),
        (TICKETS, {"content": b'{"queue": "A"', "headers": as_json}),
        (TICKETS, {"content": b"", "headers": as_json}),
        (TICKETS, {"content": b"\xff\xfe", "headers": as_json}),
        (TICKETS, {"content": b"queue=A", "headers": as_text}),
        (TICKETS, {"content": b'{"queue": "A"}', "headers": KIOSK}),  # no content type
        (TICKETS, {"json": {"queue": "A"}}),
        (TICKETS, {"json": {"queue": "A"}, "headers": {"Authorization": "Bearer nope"}}),
        (TICKETS, {"json": {"queue": "A"}, "headers": DISPLAY}),
        ("/api/v1/halls/east/tickets", {"json": {"queue": "A"}, "headers": KIOSK}),
        (TICKETS, {"json": {"queue": "A", "phone": "123"}, "headers": KIOSK}),
        (TICKETS, {"json": {"queue": "B"}, "headers": clerk}),
        (call_next, {"headers": clerk}),  # not signed in
        (sign_in, {"headers": clerk}),
        (call_next, {"headers": other}),
        (call_next, {"headers": KIOSK}),
        (call_next, {"headers": keyed}),
        (call_next, {"headers": keyed}),  # the same answer again, marked replayed
        (OUTCOME, {"json": {"outcome": "maybe"}, "headers": clerk}),
        (OUTCOME, {"json": {"outcome": "accepted"}, "headers": clerk}),
        (OUTCOME, {"json": {"outcome": "accepted"}, "headers": clerk}),
        (WINDOW.format("S99", "call-next"), {"headers": clerk}),
        (call_next, {"headers": clerk}),
        (OUTCOME, {"json": {"outcome": "no_show"}, "headers": clerk}),
    ]
    answers = [_comparable(client.post(path, **kw)) for path, kw in steps]
    while answers[-1][0] != 404:  # empty the window's queues: the last call finds nothing
        client.post(OUTCOME, json={"outcome": "consulted"}, headers=clerk)
        answers.append(_comparable(client.post(call_next, headers=clerk)))
    return answers


def _comparable(r) -> tuple:
    body = RANDOM.sub("<random>", r.text)
    return r.status_code, body, {h: r.headers.get(h) for h in HEADERS}


def _trail(client) -> list[tuple]:
    with client.app.state.services.ctx.units.read() as repos:
        records = list(repos.audit.walk("demo"))
    return [(r["who"], r["action"], r["object"], r["result"], r["code"]) for r in records]


def _counted(client) -> dict:
    """Requests counted per (method, route template, status): the names the metrics use."""
    return dict(client.app.state.services.metrics.requests)


def _client(folder, clock, **settings) -> TestClient:
    # Each its own SQLite store, whatever backend the suite runs on: the two must not share.
    cfg = Settings(
        data_dir=folder,
        hall_files=[DEMO_HALL_FILE],
        demo=True,
        database_url=f"sqlite:///{folder / 'yichuang.db'}",
        **settings,
    )
    return TestClient(create_app(cfg, clock=clock))


def test_the_hot_layer_answers_every_request_as_fastapi_does(tmp_path, clock):
    answers, trails, counts = [], [], []
    for hot in (True, False):
        with _client(tmp_path / str(hot), clock, hot_routes=hot) as client:
            answers.append(script(client))
            trails.append(_trail(client))
            counts.append(_counted(client))
            client.app.state.services.ctx.db.dispose()
    with_layer, without = answers
    for step, (a, b) in enumerate(zip(with_layer, without, strict=True)):
        assert a == b, f"request {step}"
    assert {status for status, _, _ in with_layer} >= {200, 201, 400, 401, 403, 404, 409, 422}
    assert trails[0] == trails[1] and len(trails[0]) > 10
    assert counts[0] == counts[1]
    hot_templates = {path for _, path in HOT}
    assert hot_templates <= {route for _, route, _ in counts[0]}


def test_a_hot_route_that_asks_for_more_than_the_layer_gives_fails_at_the_first_request():
    """A route function changed to take another parameter must not be called without it."""
    from fastapi import Header

    app = FastAPI()

    @app.post(HOT[0][1])
    async def issue(hall: str, body: dict, extra: str = Header()) -> dict:
        return {}

    with pytest.raises(RuntimeError, match="extra"):
        hot_routes(app)


def test_behind_a_path_prefix_the_routes_are_left_to_fastapi(tmp_path, clock):
    """A proxy's root path is FastAPI's to strip: the layer does not guess at it."""
    with _client(tmp_path, clock) as client:
        prefixed = TestClient(client.app, root_path="/yichuang")
        r = prefixed.post("/yichuang" + TICKETS, json={"queue": "A"}, headers=KIOSK)
        assert r.status_code == 201, r.text
        assert r.json()["number"] == "A001"
        counted = _counted(client)
        client.app.state.services.ctx.db.dispose()
    assert counted[("POST", HOT[0][1], 201)] == 1
