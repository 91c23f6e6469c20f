"""An example receiver of YiChuang webhooks: checks the signature, drops repeats, handles the event.

Self-contained (standard library and Starlette only), so that a hall's case system can copy
it. Run it with `WEBHOOK_SECRET=… uvicorn docs.examples.webhook_receiver:app --port 9000`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

TOLERANCE_SECONDS = 300  # refuse signatures older (or newer) than five minutes: no replays


def verify(secret: str, header: str, body: bytes, now: float | None = None) -> bool:
    """Check `X-YiChuang-Signature: t=<unix>,v1=<hex>` against the raw body."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


def make_app(secret: str, handle: Callable[[dict[str, Any]], None] | None = None) -> Starlette:
    """The receiver: 401 on a bad signature, 200 once an event is handled (or was already)."""
    seen: set[str] = set()  # in production: a table with the event id as its unique key

    async def webhook(request: Request) -> JSONResponse:
        body = await request.body()  # verify the raw bytes, before any JSON parsing
        if not verify(secret, request.headers.get("x-yichuang-signature", ""), body):
            return JSONResponse({"error": "bad signature"}, status_code=401)
        event = json.loads(body)
        if event["id"] in seen:  # at-least-once delivery: the same id may come again
            return JSONResponse({"ok": True, "duplicate": True})
        if handle is not None:
            handle(event)  # raise to get the event again later (the sender retries)
        seen.add(event["id"])
        return JSONResponse({"ok": True})

    return Starlette(routes=[Route("/webhook", webhook, methods=["POST"])])


app = make_app(os.environ.get("WEBHOOK_SECRET", ""))
