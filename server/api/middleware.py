"""ASGI middleware: body size limit, control characters in addresses, security headers, metrics."""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.api.errors import BodyTooLarge, control_character_body, too_large_body
from server.observability import Metrics

# No path segment may hold a control character; query values (notes) may hold line breaks.
_PATH_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_QUERY_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WS_BAD_REQUEST = 4400  # the live feed's close code for a bad parameter (HTTP 400 + 4000)


class Edge:
    """What every request passes, in one ASGI layer.

    Control characters in the path or a query value (422 `invalid_request`: PostgreSQL cannot
    even compare text with NUL in it), request bodies over the limit (413, before a route),
    security headers on every response, and the request metrics and access log. One layer
    rather than four: each layer wraps `send` and `receive` of every request, which cost a
    tenth of a ticket issue.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, metrics: Metrics) -> None:
        self.app, self.max_bytes, self.metrics = app, max_bytes, metrics
        self.log = logging.getLogger("yichuang.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the request, then run the app with headers added and the status recorded."""
        if scope["type"] == "websocket":
            where = _control_character_in(scope)
            if where is None:
                await self.app(scope, receive, send)
                return
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            reason = f"control character in {where}"
            await send({"type": "websocket.close", "code": WS_BAD_REQUEST, "reason": reason})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status, started = 500, False
        secured = _DOCS_HEADERS if scope.get("path", "").startswith("/docs") else _HEADERS

        async def edge_send(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = int(message["status"]), True
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in secured if k not in names]
                message["headers"] = headers
            await send(message)

        try:
            where = _control_character_in(scope)
            declared = _content_length(scope)
            if where is not None:
                await _send_json(edge_send, 422, control_character_body(where))
            elif declared is not None and declared > self.max_bytes:
                await _too_large(edge_send, self.max_bytes)
            else:
                # The HTTP parser reads exactly a declared length; a chunked body is counted.
                body = receive if declared is not None else self._counted(receive)
                try:
                    await self.app(scope, body, edge_send)
                except BodyTooLarge:
                    if not started:  # read outside a route (FastAPI answers those itself)
                        await _too_large(edge_send, self.max_bytes)
        finally:
            self._record(scope, status, time.perf_counter() - start)

    def _counted(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        return counted

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        template = getattr(scope.get("route"), "path", "(unmatched)")
        self.metrics.observe(scope["method"], template, status, elapsed)
        if self.log.isEnabledFor(logging.DEBUG):
            self.log.debug(
                "%s %s %s",
                scope["method"],
                template,
                status,
                extra={
                    "method": scope["method"],
                    "path": template,
                    "status": status,
                    "ms": round(elapsed * 1000, 1),
                },
            )


# Headers that keep the web pages from being framed or sniffed.
_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        b"script-src 'self'; connect-src 'self' ws: wss:; frame-ancestors 'none'",
    ),
)
# Swagger UI loads its own inline script.
_DOCS_HEADERS = tuple(h for h in _HEADERS if h[0] != b"content-security-policy")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _control_character_in(scope: Scope) -> str | None:
    if _PATH_CONTROLS.search(scope.get("path", "")):
        return "path"
    query = unquote_to_bytes(bytes(scope.get("query_string", b"")).replace(b"+", b" "))
    return "query" if _QUERY_CONTROLS.search(query) else None


async def _too_large(send: Send, limit: int) -> None:
    await _send_json(send, 413, too_large_body(limit))


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
