"""WS /api/v1/halls/{hall}/live: a snapshot or the missed events, then every new event."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from fastapi import APIRouter, WebSocket
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from server.api.deps import Services
from server.api.middleware import WS_BAD_REQUEST
from server.domain.errors import DomainError
from server.realtime.sockets import Seat
from server.security import token_hash
from server.services import live

router = APIRouter(tags=["live"])
log = logging.getLogger("yichuang.live")
BAD_SEQ = -1
WS_TOO_MANY = 4429  # like HTTP 429: this token already holds its share of sockets
ADMITTED = frozenset({"kiosk", "display", "evaluator", "clerk", "supervisor", "admin"})


@router.websocket("/api/v1/halls/{hall}/live")
async def live_feed(
    ws: WebSocket, hall: str, since: str | None = None, token: str | None = None
) -> None:
    """Stream the hall's events in seq order; reconnect with `since` to resume."""
    services: Services = ws.app.state.services
    header = ws.headers.get("authorization", "")
    token = token or (header[7:].strip() if header.lower().startswith("bearer ") else None)
    principal = await run_in_threadpool(services.auth.authenticate, token) if token else None
    if principal is None or principal.role not in ADMITTED:
        await ws.close(code=4401, reason="unauthorized")
        return
    if principal.hall != hall and principal.role != "admin":
        known = await run_in_threadpool(services.ctx.has_hall, hall)
        await ws.close(code=4403 if known else 4404, reason="other hall" if known else "no hall")
        return
    seat = services.sockets.take(token_hash(token or ""))
    if seat is None:  # one token may not hold the server's sockets (2,000 from one TV URL)
        await ws.close(code=WS_TOO_MANY, reason="too many live sockets for this token")
        return
    try:
        await _serve(ws, services, hall, since, token or "", seat, principal.is_staff)
    finally:
        services.sockets.leave(seat)


async def _serve(
    ws: WebSocket,
    services: Services,
    hall: str,
    since: str | None,
    token: str,
    seat: Seat,
    staff: bool,
) -> None:
    await ws.accept()
    after = _seq(since)
    if after == BAD_SEQ:  # accepted first so that the client sees why (not a bare 403)
        await ws.close(code=WS_BAD_REQUEST, reason="since must be a whole number >= 0")
        return
    sub = services.hub.subscribe(hall)
    reader = asyncio.create_task(_drain(ws))
    tasks = {reader, asyncio.create_task(_send(ws, services, hall, after, sub))}
    session = None
    if staff:  # a staff socket lives only as long as its session
        session = asyncio.create_task(_session_ends(services, token, seat))
        tasks.add(session)
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in tasks:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        if session is not None and session in done:
            with contextlib.suppress(Exception):
                await ws.close(code=4401, reason="session ended")
    finally:
        services.hub.unsubscribe(sub)
        if ws.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(Exception):
                await ws.close()


async def _session_ends(services: Services, token: str, seat: Seat) -> None:
    """Return when the staff session ends: a logout here at once, else at the next check."""
    interval = services.settings.live_session_check_seconds
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(seat.ended.wait(), timeout=interval)
        if seat.ended.is_set():
            return
        # the socket's own check is no sign of a person at the screen (idle timeout)
        if await run_in_threadpool(services.auth.authenticate, token, touch=False) is None:
            return  # logged out on another worker or host, or expired


async def _send(
    ws: WebSocket, services: Services, hall: str, since: int | None, sub: object
) -> None:
    from server.realtime.hub import Subscriber

    assert isinstance(sub, Subscriber)
    ctx = services.ctx
    try:
        if await run_in_threadpool(live.needs_snapshot, ctx, hall, since):
            last, text = await run_in_threadpool(live.snapshot_text, ctx, hall)
            await ws.send_text(text)
        else:
            last = int(since or 0)
    except DomainError as exc:
        error = {"type": "error", "code": exc.code, "message": exc.message}
        await ws.send_text(json.dumps(error, ensure_ascii=False))
        return
    last = await _catch_up(ws, services, hall, last)
    while True:
        seq, text = await sub.inbox.get()
        if sub.overflowed:
            log.warning("live subscriber of %s fell behind; closing so it resyncs", hall)
            await ws.close(code=1013, reason="too slow, reconnect with since")
            return
        if seq <= last:
            continue
        if seq > last + 1:
            last = await _catch_up(ws, services, hall, last)  # fill a gap from the log
            if seq <= last:
                continue
        await ws.send_text(text)
        last = seq


async def _catch_up(ws: WebSocket, services: Services, hall: str, last: int) -> int:
    while True:
        page = await run_in_threadpool(live.events_after, services.ctx, hall, last)
        for seq, text in page:
            await ws.send_text(text)
            last = seq
        if len(page) < live.PAGE:
            return last


def _seq(since: str | None) -> int | None:
    """The `since` parameter as a seq, None when absent, BAD_SEQ when it is not one."""
    if since is None:
        return None
    text = since.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else BAD_SEQ


async def _drain(ws: WebSocket) -> None:
    """Read (and ignore) what the client sends, to notice when it goes away."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
