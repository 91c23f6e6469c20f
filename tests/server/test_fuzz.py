"""Schemathesis fuzzes every documented operation: no 500, no response outside the spec.

The fuzzed app is built in a fixture on the selected backend (SQLite, or the PostgreSQL
pass's schema), so the PostgreSQL pass fuzzes PostgreSQL too.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from server.app import create_app
from server.config import DEMO_HALL_FILE, Settings
from tests.pgschema import store_for_test

pytestmark = pytest.mark.db


def staff_token(client: TestClient, username: str) -> str:
    """A session token; the clerk is also signed in at S01 so window routes get exercised."""
    r = client.post("/api/v1/auth/login", json={"username": username, "password": "demo1234"})
    token = str(r.json()["token"])
    if username.startswith("clerk"):
        r = client.post(
            "/api/v1/halls/demo/windows/S01/sign-in", headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200, r.text
    return token


class WithoutLifespan:
    """The app as schemathesis sees it: declining the lifespan scope.

    Schemathesis starts an ASGI app's lifespan at the first request of each test and ends
    it at the test's teardown; ending ours stops the writer threads and the relay for good,
    so the fixture runs the lifespan once for the whole module instead.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            raise RuntimeError("the fixture runs the lifespan")  # "no lifespan support"
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[tuple[WithoutLifespan, list[str | None]]]:
    """The demo app on a fresh store of the selected backend, and the callers' tokens."""
    with store_for_test(), tempfile.TemporaryDirectory(prefix="fuzz-") as data:
        app = create_app(Settings(data_dir=Path(data), hall_files=[DEMO_HALL_FILE], demo=True))
        with TestClient(app) as client:  # the lifespan: writer threads, hub, relay on PG
            tokens = [None, "demo-kiosk", staff_token(client, "clerk01")]
            tokens.append(staff_token(client, "supervisor"))
            yield WithoutLifespan(app), tokens
        app.state.services.ctx.db.dispose()  # before the PostgreSQL schema goes away


def openapi_document() -> dict[str, Any]:
    """The app's OpenAPI document, from a throw-away app (the document needs no real store).

    Schemathesis needs the operations when the tests are collected, before any fixture
    runs; the requests go to the fixture's app on the selected backend.
    """
    with tempfile.TemporaryDirectory(prefix="fuzz-document-") as data:
        store = f"sqlite:///{Path(data) / 'document.db'}"  # never the environment's store
        app = create_app(Settings(data_dir=Path(data), database_url=store, secret_key="x"))
        try:
            return app.openapi()
        finally:
            app.state.services.writer.shutdown()
            app.state.services.ctx.db.dispose()


schema = schemathesis.openapi.from_dict(openapi_document())


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_never_fails_and_always_answers_as_documented(case, fuzzed):
    if "hall" in (case.path_parameters or {}):
        # A made-up hall stops every request at the authorization check; the demo hall
        # takes them into the services and the store (the hall check has its own tests).
        case.path_parameters["hall"] = "demo"
    for token in fuzzed[1]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = case.call(app=fuzzed[0], headers=headers)
        case.validate_response(
            response,
            checks=(not_a_server_error, status_code_conformance, response_schema_conformance),
        )
