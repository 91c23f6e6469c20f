"""Which device statuses the server still has to hear about (resent after it was unreachable)."""

from __future__ import annotations

import threading


class DeviceReports:
    """The latest status per device and what the server last accepted."""

    def __init__(self) -> None:
        self._latest: dict[str, tuple[str, str]] = {}
        self._sent: dict[str, str] = {}
        self._lock = threading.Lock()

    def update(self, device: str, status: str, detail: str = "") -> None:
        """Remember a device's newest status."""
        with self._lock:
            self._latest[device] = (status, detail)

    def pending(self) -> list[tuple[str, str, str]]:
        """(device, status, detail) the server has not accepted yet."""
        with self._lock:
            return [
                (device, status, detail)
                for device, (status, detail) in self._latest.items()
                if self._sent.get(device) != status
            ]

    def mark_sent(self, device: str, status: str) -> None:
        """The server accepted (or for good refused) this status."""
        with self._lock:
            self._sent[device] = status

    def forget_sent(self) -> None:
        """Send everything again (the server restarted and may have lost nothing, but cheap)."""
        with self._lock:
            self._sent.clear()
