"""One owner thread per sign bus (an RS-485 port, a TCP converter): callers queue, never wait.

Only the newest screen per sign is kept while the bus is busy (a sign needs the latest call,
not the history). Each frame waits for the sign's acknowledgement, is retried with back-off,
and a sign that does not answer is marked unhealthy; while it is unhealthy it gets one attempt
per frame, so it holds the bus as little as possible and the other signs keep their pace.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from drivers.errors import DeviceError
from drivers.framing import StreamDecoder
from drivers.led.codec import SignFrame
from drivers.ports import PortOwners
from drivers.transport import Connection, SerialSettings, Transport, drain


@dataclass(frozen=True)
class SignHealth:
    """What the bus last learnt about one sign."""

    state: str  # unknown, ok, unconfirmed (no acks on this model), no_reply, offline
    detail: str = ""
    last_seen: float | None = None
    failures: int = 0

    @property
    def ok(self) -> bool:
        """True when the sign took its last frame (or cannot tell and the line is up)."""
        return self.state in ("ok", "unconfirmed")


@dataclass(frozen=True)
class BusJob:
    """One frame for one sign; `kind` keeps a ping from replacing a pending screen."""

    address: int
    kind: str
    frame: bytes
    decoder: Callable[[], StreamDecoder[SignFrame]]
    expect_ack: bool
    retries: int
    ack_timeout: float


class Bus:
    """The owner of one port; use `Bus.for_url` so every sign on a port shares one owner."""

    _owners: ClassVar[PortOwners[Bus]] = PortOwners()

    def __init__(
        self, url: str, settings: SerialSettings | None = None, *, backoff: float = 0.05
    ) -> None:
        self.url, self.settings, self.backoff = url, settings, backoff
        self._cond = threading.Condition()
        self._pending: dict[tuple[int, str], BusJob] = {}
        self._order: deque[tuple[int, str]] = deque()
        self._health: dict[int, SignHealth] = {}
        self._busy = False
        self._stopped = False
        self._connection = Connection(url, timeout=0.5, settings=settings)
        self._thread: threading.Thread | None = None

    @classmethod
    def for_url(cls, url: str, settings: SerialSettings | None = None) -> Bus:
        """The shared bus of a port (created on first use)."""
        return cls._owners.get(url, lambda: Bus(url, settings), lambda bus: not bus._stopped)

    @classmethod
    def close_all(cls) -> None:
        """Stop every bus (tests, shutdown)."""
        cls._owners.close_all(Bus.close)

    def submit(self, job: BusJob) -> None:
        """Queue a frame and return at once; a newer frame of the same kind replaces it."""
        with self._cond:
            if self._stopped:
                return
            key = (job.address, job.kind)
            if key not in self._pending:
                self._order.append(key)
            self._pending[key] = job
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, daemon=True, name=f"sign-bus {self.url}"
                )
                self._thread.start()
            self._cond.notify_all()

    def health(self, address: int) -> SignHealth:
        """The last known health of the sign at `address`."""
        with self._cond:
            return self._health.get(address, SignHealth("unknown", "尚未通讯"))

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Block until the queue is empty and nothing is being sent (for tests and shutdown)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def close(self) -> None:
        """Stop the owner thread and close the port."""
        with self._cond:
            self._stopped = True
            self._pending.clear()
            self._order.clear()
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._connection.drop()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                job = self._pending.pop(self._order.popleft())
                self._busy = True
                before = self._health.get(job.address, SignHealth("unknown"))
            health = self._deliver(job, before)
            with self._cond:
                self._health[job.address] = health
                self._busy = False
                self._cond.notify_all()

    def _deliver(self, job: BusJob, before: SignHealth) -> SignHealth:
        attempts = 1 if before.state in ("no_reply", "offline") else 1 + job.retries
        health = before
        for attempt in range(attempts):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            health = self._attempt(job, before)
            if health.ok:
                return health
        return SignHealth(health.state, health.detail, before.last_seen, before.failures + 1)

    def _attempt(self, job: BusJob, before: SignHealth) -> SignHealth:
        try:
            transport = self._connection.get()
            drain(transport)
            transport.write(job.frame)
            if not job.expect_ack:
                return SignHealth("unconfirmed", "此型号不回复确认", time.time())
            answer = _await_ack(transport, job)
        except DeviceError as exc:
            self._connection.drop()
            return SignHealth("offline", exc.message, before.last_seen, before.failures)
        if answer is None:
            return SignHealth("no_reply", "屏幕无应答", before.last_seen, before.failures)
        if not answer:
            return SignHealth("no_reply", "屏幕拒收（校验错误）", time.time(), before.failures)
        return SignHealth("ok", "", time.time())


def _await_ack(transport: Transport, job: BusJob) -> bool | None:
    """True/False for an ACK/NAK from the sign, None when it says nothing in time."""
    decoder = job.decoder()
    # an RS-485 adapter may echo our own frame, and an old C-Power card's reply has the same
    # packet type as the request: the echo is skipped by its bytes, not by its type
    echo = {frame.raw for frame in job.decoder().feed(job.frame)}
    deadline = time.monotonic() + job.ack_timeout
    while (left := deadline - time.monotonic()) > 0:
        for frame in decoder.feed(transport.read(256, left)):
            if frame.reply and frame.address == job.address and frame.raw not in echo:
                return frame.ok
    return None
