"""A fake webhook receiver for the outbox tests: validates every field, fails when told to."""

from __future__ import annotations

import json
import random
import re
import threading
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from docs.examples.webhook_receiver import verify

TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


class FakeWebhook:
    """Records each CloudEvent once (by id), in arrival order; counts what went wrong."""

    def __init__(self, secret: str, fail_rate: float = 0.0, seed: int = 15) -> None:
        self.secret, self.fail_rate = secret, fail_rate
        self.rng = random.Random(seed)
        self.events: dict[str, dict[str, Any]] = {}  # id -> CloudEvent, first receipt
        self.order: list[str] = []
        self.requests = self.duplicates = self.failed = 0
        self.problems: list[str] = []  # validation failures: must stay empty
        self.down_until = 0.0  # time.monotonic() before which every request gets 503
        self.lock = threading.Lock()
        self.app = Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])

    def down_for(self, seconds: float) -> None:
        """Answer 503 to everything for a while."""
        self.down_until = time.monotonic() + seconds

    async def hook(self, request: Request) -> JSONResponse:
        body = await request.body()
        with self.lock:
            self.requests += 1
            if time.monotonic() < self.down_until:
                return JSONResponse({"error": "down"}, status_code=503)
            if self.fail_rate and self.rng.random() < self.fail_rate:
                self.failed += 1
                return JSONResponse({"error": "flaky"}, status_code=500)
            signature = request.headers.get("x-yichuang-signature", "")
            if not verify(self.secret, signature, body):
                self.problems.append(f"bad signature: {signature}")
                return JSONResponse({"error": "bad signature"}, status_code=401)
            event = json.loads(body)
            self._validate(event, request.headers)
            if event["id"] in self.events:
                self.duplicates += 1
            else:
                self.events[event["id"]] = event
                self.order.append(event["id"])
        return JSONResponse({"ok": True})

    def _validate(self, event: dict[str, Any], headers: Any) -> None:
        hall, _, seq = event.get("id", "").partition(":")
        checks = {
            "specversion": event.get("specversion") == "1.0",
            "id": seq.isdigit() and event.get("sequence") == seq,
            "source": event.get("source") == f"/halls/{hall}",
            "type": event.get("type") == "cn.yichuang." + event.get("data", {}).get("type", "?"),
            "time": bool(TIME.fullmatch(event.get("time", ""))),
            "data": event.get("data", {}).get("seq") == int(seq or 0),
            "idempotency": headers.get("idempotency-key") == event.get("id"),
            "content-type": headers.get("content-type", "").startswith(
                "application/cloudevents+json"
            ),
        }
        self.problems.extend(f"{event.get('id')}: {k}" for k, ok in checks.items() if not ok)

    def seqs(self, hall: str = "demo") -> list[int]:
        """The seqs received from a hall, in the order they first arrived."""
        return [int(i.split(":")[1]) for i in self.order if i.startswith(hall + ":")]
