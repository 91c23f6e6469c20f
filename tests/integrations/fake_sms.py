"""A fake SMS gateway (ASGI): fails a configurable share of requests, records what it accepted."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Delivered:
    """One message the gateway accepted."""

    message_id: str
    phone: str
    text: str
    sign: str
    headers: dict[str, str]


@dataclass
class FakeSmsGateway:
    """`await gateway(scope, receive, send)`; `fail_share` of the requests answer 500."""

    fail_share: float = 0.0
    seed: int = 16
    delivered: list[Delivered] = field(default_factory=list)
    attempts: int = 0
    failures: int = 0
    down_until: float = 0.0  # time.monotonic() before which every request gets 503

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def down_for(self, seconds: float) -> None:
        """Answer 503 to everything for a while."""
        self.down_until = time.monotonic() + seconds

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.attempts += 1
        if time.monotonic() < self.down_until:
            self.failures += 1
            await _answer(send, 503, {"code": "down"})
            return
        if self._random.random() < self.fail_share:
            self.failures += 1
            await _answer(send, 500, {"code": "busy"})
            return
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            fields = dict(parse_qsl(body.decode()))
        else:
            fields = json.loads(body)
        self.delivered.append(
            Delivered(
                message_id=headers.get("x-message-id", ""),
                phone=fields.get("phone", ""),
                text=fields.get("text", ""),
                sign=fields.get("sign", ""),
                headers=headers,
            )
        )
        await _answer(send, 200, {"code": "ok"})


async def _answer(send: Any, status: int, payload: dict[str, str]) -> None:
    data = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": data})
