"""The live-feed client with resync, used by every app: one implementation (DESIGN §2 rule 5).

It runs in its own thread, reconnects with the last seq it saw, accepts a snapshot when the
server says the gap is too old, and never hands the same seq to the app twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import urllib.parse
from collections.abc import Callable
from typing import Any

import websockets

from server.protocol.events import MessageType

log = logging.getLogger("yichuang.client.live")
Message = dict[str, Any]
# Close codes after which reconnecting with the same token cannot help: the session ended
# (4401), the token may not read this hall (4403) or the hall is unknown (4404). The feed
# stops and reports "ended"; the app signs in again or says so.
FINAL_CLOSE_CODES = frozenset({4401, 4403, 4404})
TOO_MANY_SOCKETS = 4429  # this token holds its limit of sockets: wait longer before trying
TOO_MANY_WAIT_S = 30.0


class LiveFeed:
    """Subscribe to a hall's events; `on_message` gets snapshots and events in seq order."""

    def __init__(
        self,
        base_url: str,
        hall: str,
        token: str,
        on_message: Callable[[Message], None],
        *,
        on_status: Callable[[str], None] | None = None,
        since: int | None = None,
        retry_max: float = 2.0,
    ) -> None:
        self.base_url, self.hall, self.token = base_url.rstrip("/"), hall, token
        self.on_message, self.on_status = on_message, on_status
        self.last_seq: int | None = since
        self.retry_max = retry_max
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ws: Any = None
        self.close_code: int | None = None  # the final close code once the server ended the feed

    def start(self) -> LiveFeed:
        """Run the feed in a daemon thread."""
        self._thread = threading.Thread(target=self._run, name=f"live-{self.hall}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Disconnect and end the thread."""
        self._stop.set()
        loop, ws = self._loop, self._ws
        if loop is not None and ws is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                asyncio.run_coroutine_threadsafe(ws.close(), loop)
        if self._thread is not None:
            self._thread.join(timeout)

    def drop_connection(self) -> None:
        """Close the socket as a network drop would (tests); the feed reconnects by itself."""
        loop, ws = self._loop, self._ws
        if loop is not None and ws is not None:
            asyncio.run_coroutine_threadsafe(ws.close(), loop)

    def url(self) -> str:
        """The WS URL for the next connection (with `since` once something was seen)."""
        scheme = "wss" if self.base_url.startswith("https") else "ws"
        host = self.base_url.split("://", 1)[1]
        query = {"token": self.token}
        if self.last_seq is not None:
            query["since"] = str(self.last_seq)
        return f"{scheme}://{host}/api/v1/halls/{self.hall}/live?{urllib.parse.urlencode(query)}"

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        try:
            self._loop.run_until_complete(self._forever())
        finally:
            self._loop.close()

    async def _forever(self) -> None:
        delay = 0.1
        first = True
        while not self._stop.is_set():
            try:
                async with websockets.connect(self.url(), open_timeout=5, max_size=2**24) as ws:
                    self._ws = ws
                    self.connected.set()
                    self._status("connected" if first else "resynced")
                    first, delay = False, 0.1
                    async for raw in ws:
                        self._deliver(json.loads(raw))
            except (TimeoutError, OSError, websockets.WebSocketException) as exc:
                log.debug("live feed %s: %s", self.hall, exc)
            code = getattr(self._ws, "close_code", None)
            self._ws = None
            self.connected.clear()
            if self._stop.is_set():
                break
            if code in FINAL_CLOSE_CODES:
                log.warning("live feed %s ended by the server (close code %s)", self.hall, code)
                self.close_code = code
                self._status("ended")
                break
            self._status("disconnected")
            await asyncio.sleep(TOO_MANY_WAIT_S if code == TOO_MANY_SOCKETS else delay)
            delay = min(delay * 2, self.retry_max)

    def _deliver(self, message: Message) -> None:
        seq = int(message.get("seq", 0))
        if message.get("type") == MessageType.SNAPSHOT:
            self.last_seq = seq
        elif message.get("type") == MessageType.ERROR:
            log.warning("live feed refused: %s", message)
            return
        elif self.last_seq is not None and seq <= self.last_seq:
            return  # already seen (a resend after reconnect)
        else:
            self.last_seq = seq
        try:
            self.on_message(message)
        except Exception:
            log.exception("live feed handler failed on seq %s", seq)

    def _status(self, status: str) -> None:
        if self.on_status is not None:
            try:
                self.on_status(status)
            except Exception:
                log.exception("live feed status handler failed")
