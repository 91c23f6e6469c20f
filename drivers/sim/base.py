"""The simulator base: bytes in from the host, replies out, faults on demand; and its transport."""

from __future__ import annotations

import threading
import time
from typing import ClassVar

from drivers.errors import DeviceOffline
from drivers.profiles import Profile


class Simulator:
    """A fake device behind a URL; subclasses decode with the real codec and keep state.

    Faults: `set_silent` (no replies at all), `set_connected(False)` (writes fail like an
    unplugged cable), `set_corrupt_replies` (replies with a damaged checksum), `set_echo` (the
    host's bytes come back), `inject` (arbitrary bytes, e.g. garbage, towards the host).
    """

    kind: ClassVar[str] = ""

    def __init__(self, profile: Profile, name: str = "default") -> None:
        self.profile, self.name = profile, name
        self._lock = threading.RLock()
        self._ready = threading.Condition(self._lock)
        self._out = bytearray()
        self._received = bytearray()
        self.silent = False
        self.connected = True
        self.corrupt_replies = False
        self.echo = False  # a two-wire RS-485 adapter that hears its own transmission
        self.addresses: set[int] = set()  # bus addresses answered (signs, YC-485 devices)

    def configure(self, options: dict[str, str]) -> None:
        """Options from the sim:// URL's query (besides `name`); most devices have none."""

    @property
    def received(self) -> bytes:
        """Every byte the host has sent."""
        with self._lock:
            return bytes(self._received)

    def clear_received(self) -> None:
        """Forget what was received so far."""
        with self._lock:
            self._received.clear()

    def set_addresses(self, addresses: set[int] | list[int]) -> None:
        """Put devices at these addresses on the simulated bus; others are ignored."""
        with self._lock:
            self.addresses = set(addresses)

    def set_silent(self, silent: bool = True) -> None:
        """Stop (or resume) answering; the device still receives."""
        with self._lock:
            self.silent = silent

    def set_connected(self, connected: bool = True) -> None:
        """Unplug (or plug back) the device: writes raise DeviceOffline."""
        with self._lock:
            self.connected = connected

    def set_corrupt_replies(self, corrupt: bool = True) -> None:
        """Send every reply with a damaged checksum (or stop doing so)."""
        with self._lock:
            self.corrupt_replies = corrupt

    def set_echo(self, echo: bool = True) -> None:
        """Send every byte the host writes straight back, before any reply (or stop)."""
        with self._lock:
            self.echo = echo

    def inject(self, data: bytes) -> None:
        """Put bytes on the line towards the host, bypassing the device logic."""
        with self._lock:
            self._out += data
            self._ready.notify_all()

    def feed(self, data: bytes) -> None:
        """Bytes from the host arrive at the device."""
        with self._lock:
            if not self.connected:
                raise DeviceOffline(detail=f"sim://{self.profile.id}：已断开")
            self._received += data
            if self.echo:
                self.inject(data)
            self.handle(data)

    def handle(self, data: bytes) -> None:
        """Decode and act on received bytes (subclasses)."""

    def reply(self, data: bytes) -> None:
        """The device answers (unless silent); damaged when corrupt_replies is on."""
        with self._lock:
            if self.silent or not data:
                return
            self._out += self.corrupt(data) if self.corrupt_replies else data
            self._ready.notify_all()

    def corrupt(self, data: bytes) -> bytes:
        """The reply with one byte flipped where the checksum lives (subclasses say where)."""
        index = max(0, len(data) - 2)
        return data[:index] + bytes((data[index] ^ 0xFF,)) + data[index + 1 :]

    def take(self, n: int, timeout: float) -> bytes:
        """Up to n reply bytes, waiting at most `timeout` for the first."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._lock:
            while not self._out:
                left = deadline - time.monotonic()
                if left <= 0:
                    return b""
                self._ready.wait(left)
            chunk = bytes(self._out[:n])
            del self._out[:n]
            return chunk

    def pending_output(self) -> bytes:
        """Reply bytes not yet read by the host (for tests)."""
        with self._lock:
            return bytes(self._out)


class SimTransport:
    """The Transport of a sim:// URL: writes go to the simulator, reads take its replies."""

    def __init__(self, sim: Simulator, url: str, timeout: float) -> None:
        self.sim, self.url, self.timeout = sim, url, timeout
        self._closed = False

    def write(self, data: bytes) -> None:
        """Deliver bytes to the simulated device."""
        if self._closed:
            raise DeviceOffline(detail=f"{self.url}: closed")
        self.sim.feed(data)

    def read(self, n: int, timeout: float | None = None) -> bytes:
        """Take the device's replies."""
        if self._closed:
            raise DeviceOffline(detail=f"{self.url}: closed")
        return self.sim.take(n, self.timeout if timeout is None else timeout)

    def close(self) -> None:
        """Detach (the simulator keeps running for the next opener)."""
        self._closed = True
