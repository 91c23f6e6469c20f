"""A minimal in-process stand-in for the event outbox, to drive the `sms` format end to end.

It does what the outbox promises its formats (server/outbox/formats.py): read the hall's
event log from a cursor, hand each event to the format in a store transaction, send each
request key at most once, retry a failed request, keep the order. The real outbox adds
durability, backoff, dead letters and a lease.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi.testclient import TestClient

import server.outbox.sms  # noqa: F401  (registers the `sms` format)
from server.outbox.formats import FORMATS, LoggedEvent, Target
from server.services import live

MAX_TRIES = 50


class OutboxDriver:
    """Delivers a hall's events through a format to an ASGI gateway, once per key."""

    def __init__(self, ctx: Any, hall: str, target: Target, gateway: Any) -> None:
        self.ctx, self.hall, self.target = ctx, hall, target
        self.http = TestClient(gateway)
        self.cursor = 0
        self.sent: list[str] = []
        self.retries = 0

    def run(self) -> None:
        """Deliver every event logged since the last run."""
        render = FORMATS[self.target.format]
        while True:
            page = live.events_after(self.ctx, self.hall, self.cursor)
            for seq, text in page:
                payload = json.loads(text)
                at = dt.datetime.fromisoformat(payload["at"].replace("Z", "+00:00"))
                event = LoggedEvent(self.hall, seq, payload["type"], at, payload)
                with self.ctx.units.read() as repos:
                    requests = render(event, self.target, repos)
                for request in requests:
                    if request.key not in self.sent:
                        self._send(request)
                        self.sent.append(request.key)
                self.cursor = seq
            if len(page) < live.PAGE:
                return

    def _send(self, request: Any) -> None:
        for _ in range(MAX_TRIES):
            r = self.http.request(
                request.method, request.url, content=request.body, headers=dict(request.headers)
            )
            if r.status_code < 300:
                return
            self.retries += 1
        raise AssertionError(f"{request.key} not delivered after {MAX_TRIES} tries")
