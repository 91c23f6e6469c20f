"""ASGI middleware: each request gets an audit slot; what no write recorded is recorded here."""

from __future__ import annotations

import json

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.services import audit
from server.services.context import Context


class AuditTrail:
    """Open the request's slot; record refusals, failures and reads before the answer leaves.

    The client address is the ASGI client, which uvicorn takes from X-Forwarded-For only
    for the proxies its `--forwarded-allow-ips` trusts.
    """

    def __init__(self, app: ASGIApp, ctx: Context) -> None:
        self.app, self.ctx = app, ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request with a slot; hold an error's head until its code is known."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = audit.open_slot(str(client[0]) if client else "-")
        slot = audit.current()
        assert slot is not None
        held: Message | None = None

        async def recording_send(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if not slot.wanted:
                    await send(message)
                elif status < 400:
                    await run_in_threadpool(audit.record_slot, self.ctx, slot, status, None)
                    await send(message)
                else:
                    held = message  # the error code is in the body
                return
            if held is not None and message["type"] == "http.response.body":
                start, held = held, None
                code = _error_code(message.get("body", b""))
                await run_in_threadpool(audit.record_slot, self.ctx, slot, start["status"], code)
                await send(start)
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        except Exception:  # a bug: the outermost handler answers 500; the trail says failed
            if slot.wanted:
                await run_in_threadpool(audit.record_slot, self.ctx, slot, 500, "internal_error")
            raise
        finally:
            audit.close_slot(token)


def _error_code(body: bytes) -> str | None:
    try:
        code = json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None
    return str(code) if code else None
