"""Shared by the outbox tests: a subscriber on a fake receiver, and one delivery pass."""

from __future__ import annotations

import asyncio

import httpx
from fastapi.testclient import TestClient

from tests.helpers import login
from tests.integrations.webhook_receiver import FakeWebhook

SECRET = "test-secret-0123456789"
BASE = "/api/v1/halls/demo/subscribers"


def subscribe(
    client: TestClient, receiver: FakeWebhook, name: str = "hook", **body: object
) -> dict:
    """Add a subscriber posting to `receiver` (in process) and return its view."""
    headers = login(client, "supervisor")
    payload = {"name": name, "url": "http://receiver.test/hook", "secret": SECRET, **body}
    r = client.post(BASE, json=payload, headers=headers)
    assert r.status_code == 201, r.text
    client.app.state.outbox.transport = httpx.ASGITransport(app=receiver.app)
    return r.json()


def deliver(client: TestClient, deliverer=None) -> int:
    """One delivery pass of the app's deliverer (or another one); returns events passed."""
    d = deliverer or client.app.state.outbox
    return asyncio.run(d.pass_once())
