"""ASGI middleware: body size limit, control characters in addresses, security headers."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.api.errors import BodyTooLarge, control_character_body, too_large_body

# No path segment may hold a control character; query values (notes) may hold line breaks.
_PATH_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_QUERY_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
WS_BAD_REQUEST = 4400  # the live feed's close code for a bad parameter (HTTP 400 + 4000)


class BodyLimit:
    """Refuse request bodies over the limit with 413 before they reach a route."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check Content-Length, and count chunked bodies as they arrive."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await _too_large(send, self.max_bytes)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracking_send)
        except BodyTooLarge:
            if not started:  # read outside a route (FastAPI answers those itself)
                await _too_large(send, self.max_bytes)


class RefuseControlCharacters:
    """Answer 422 `invalid_request` when the path or a query value holds a control character.

    PostgreSQL cannot even compare text with NUL in it, so such values never reach a route.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the decoded path and the percent-decoded query string."""
        where = _control_character_in(scope) if scope["type"] in ("http", "websocket") else None
        if where is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            reason = f"control character in {where}"
            await send({"type": "websocket.close", "code": WS_BAD_REQUEST, "reason": reason})
        else:
            await _send_json(send, 422, control_character_body(where))


def _control_character_in(scope: Scope) -> str | None:
    if _PATH_CONTROLS.search(scope.get("path", "")):
        return "path"
    query = unquote_to_bytes(bytes(scope.get("query_string", b"")).replace(b"+", b" "))
    return "query" if _QUERY_CONTROLS.search(query) else None


class SecurityHeaders:
    """Headers that keep the web pages from being framed or sniffed."""

    HEADERS: tuple[tuple[bytes, bytes], ...] = (
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

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to every HTTP response."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                path = scope.get("path", "")
                for name, value in self.HEADERS:
                    if name == b"content-security-policy" and path.startswith("/docs"):
                        continue  # Swagger UI loads its own inline script
                    if name not in names:
                        headers.append((name, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


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
