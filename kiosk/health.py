"""Which device statuses the server still has to hear about (resent after it was unreachable)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# The server shows a device whose last "ok" is older than 10 minutes as 未上报, so a healthy
# kiosk says so again well before that.
RESEND_SECONDS = 180.0


class DeviceReports:
    """The latest status per device, and what the server last accepted and when."""

    def __init__(
        self, *, resend_seconds: float = RESEND_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._latest: dict[str, tuple[str, str]] = {}
        self._sent: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self.resend_seconds, self._clock = resend_seconds, clock

    def update(self, device: str, status: str, detail: str = "") -> None:
        """Remember a device's newest status."""
        with self._lock:
            self._latest[device] = (status, detail)

    def pending(self) -> list[tuple[str, str, str]]:
        """(device, status, detail) the server has not accepted yet, or not lately."""
        now = self._clock()
        with self._lock:
            return [
                (device, status, detail)
                for device, (status, detail) in self._latest.items()
                if self._stale(device, status, now)
            ]

    def mark_sent(self, device: str, status: str) -> None:
        """The server accepted (or for good refused) this status."""
        with self._lock:
            self._sent[device] = (status, self._clock())

    def forget_sent(self) -> None:
        """Send everything again (the server restarted and may have lost nothing, but cheap)."""
        with self._lock:
            self._sent.clear()

    def _stale(self, device: str, status: str, now: float) -> bool:
        sent = self._sent.get(device)
        return sent is None or sent[0] != status or now - sent[1] >= self.resend_seconds
