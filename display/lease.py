"""Holding the hall's announcer lease (one announcer per hall) from a display host.

The keeper renews the lease every third of its time to live. It counts the lease as held
only until `sent + ttl` by its own monotonic clock, which is never later than the server's
expiry, so two announcers never both think they hold it. While another holder renews, the
keeper notes the feed's seq at each renewal it sees: calls up to there were that holder's
to speak, the ones after it are spoken by whoever takes over.

A renewal that wins the lease back after it lapsed locally (the server was down past the
deadline, or the renewal was late) tells the owner again even if it never heard of the lapse:
calls that arrived in the gap were kept, and only that notice has them spoken.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from server.client import ApiError, HallClient, ServerUnreachable

log = logging.getLogger("yichuang.display.lease")
LEASE_NAME = "announcer"


class LeaseRefused(RuntimeError):
    """Another announcer holds the hall's lease and this one is configured to refuse."""

    def __init__(self, holder: str) -> None:
        super().__init__(f"本大厅已有播报主机 {holder} 在播报，本机不启动播报")
        self.holder = holder


def default_holder(device: str = "display") -> str:
    """A name unique to this announcer: device@host:pid-random (two in one process differ)."""
    return f"{device}@{socket.gethostname()}:{os.getpid()}-{secrets.token_hex(3)}"[:100]


class LeaseKeeper:
    """Takes and renews the announcer lease; tells its owner when it gains or loses it."""

    def __init__(
        self,
        client: HallClient,
        holder: str,
        ttl: int,
        *,
        seq_now: Callable[[], int],
        on_change: Callable[[bool, int], None],
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.client, self.holder, self.ttl = client, holder, ttl
        self.seq_now, self.on_change, self.clock, self.wall = seq_now, on_change, clock, wall
        self.offset = dt.timedelta(0)  # the server's clock minus this host's, from renewals
        self.deadline = 0.0  # held until this monotonic time
        self.active = False
        self.other: str | None = None  # the other holder, while it holds the lease
        self.floor = 0  # calls up to this seq were the other holder's to speak
        self._seen: tuple[str, str] | None = None  # (holder, expires_at) last observed
        self._seen_seq = 0
        self._lock = threading.Lock()  # deadline and active change together
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def first_try(self, refuse: bool) -> None:
        """One attempt at start; raises LeaseRefused when taken and `refuse` is set."""
        self.renew()
        if refuse and self.other is not None:
            raise LeaseRefused(self.other)

    def renew(self) -> None:
        """Take or renew the lease once; updates `active` and tells the owner on a change."""
        sent, sent_wall = self.clock(), self.wall()
        try:
            lease = self.client.take_lease(LEASE_NAME, self.holder, self.ttl)
        except ServerUnreachable:
            self._set(self.holds())
            return
        except ApiError as exc:
            if exc.code != "lease_held":
                log.warning("announcer lease: %s", exc)
                self._set(self.holds())
                return
            self._observe(exc.detail or {})
            self._learn_offset(exc.detail, sent_wall)
            self._set(False)
            return
        self._learn_offset(lease, sent_wall)
        with self._lock:
            lapsed = not (self.active and self.clock() < self.deadline)
            self.deadline = sent + self.ttl
        self.other = None
        self._set(True, tell=lapsed)

    def renew_soon(self) -> None:
        """Renew now rather than at the next tick (the feed is back after an outage)."""
        self._wake.set()

    def server_now(self) -> dt.datetime:
        """The server's clock as this host best knows it (events' `at` are by that clock)."""
        return self.wall() + self.offset

    def holds(self) -> bool:
        """True while the lease is ours by the local clock."""
        with self._lock:
            return self.active and self.clock() < self.deadline

    def start(self) -> LeaseKeeper:
        """Renew in a background thread."""
        self._thread = threading.Thread(target=self._run, name="announcer-lease", daemon=True)
        self._thread.start()
        return self

    def stop(self, release: bool = True) -> None:
        """Stop renewing and give the lease up so a standby takes over at once."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5)
        if release and self.active:
            try:
                self.client.release_lease(LEASE_NAME, self.holder)
            except ApiError as exc:
                log.info("announcer lease not released: %s", exc)
        self.active = False

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(max(0.2, self.ttl / 3))
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.renew()
            except Exception:  # keep trying; the lease simply lapses meanwhile
                log.exception("announcer lease renewal failed")

    def _learn_offset(self, lease: object, sent: dt.datetime) -> None:
        # server_time is whole seconds: the offset is good to about a second.
        text = lease.get("server_time") if isinstance(lease, dict) else None
        try:
            server = dt.datetime.fromisoformat(str(text))
        except ValueError:
            return
        if server.tzinfo is not None:
            self.offset = server - (sent + (self.wall() - sent) / 2)

    def _observe(self, lease: dict[str, Any]) -> None:
        seen = (str(lease.get("holder")), str(lease.get("expires_at")))
        self.other = seen[0]
        now_seq = self.seq_now()
        if self._seen is not None and seen != self._seen:
            # It renewed since we last looked, so it was alive after `_seen_seq`.
            self.floor = max(self.floor, self._seen_seq)
        self._seen, self._seen_seq = seen, now_seq

    def _set(self, active: bool, *, tell: bool = False) -> None:
        # Called outside the lock: on_change takes the announcer's lock, which holds() runs in.
        if active == self.active and not tell:
            return
        self.active = active
        log.info("announcer lease %s (%s)", "held" if active else "not held", self.holder)
        self.on_change(active, self.floor)
