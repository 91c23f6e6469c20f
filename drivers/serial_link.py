"""One YC-485 line shared by the evaluators or keypads on it: commands, polling, event dispatch.

Like the sign bus, one object owns a port: commands wait for their acknowledgement (with a
timeout), events read meanwhile are kept per address, and an optional reader thread polls
(RS-485 devices speak only when asked) or listens (wireless receivers push events).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from drivers.errors import DeviceError, DeviceOffline
from drivers.ports import PortOwners
from drivers.profiles import Profile, load_profile
from drivers.transport import Connection
from drivers.yc485 import ACK_BIT, EVENTS, NOTHING, PING, POLL, YcDecoder, YcFrame, encode

EventCallback = Callable[[YcFrame], None]
E = TypeVar("E")


class YcLink:
    """The owner of one port speaking YC-485; get it with `YcLink.for_url`."""

    _owners: ClassVar[PortOwners[YcLink]] = PortOwners()

    def __init__(self, profile: Profile, url: str) -> None:
        self.profile, self.url = profile, url
        self.spec = profile.device_spec
        self.decoder = YcDecoder()
        self._connection = Connection(
            url,
            timeout=self.spec.reply_timeout_ms / 1000,
            settings=profile.transport.serial_settings(),
        )
        self._lock = threading.RLock()
        self._events: dict[int, deque[YcFrame]] = defaultdict(deque)
        self._callbacks: dict[int, EventCallback] = {}
        self.addresses: set[int] = set()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    @classmethod
    def for_url(cls, profile: Profile, url: str) -> YcLink:
        """The shared link of a port."""
        return cls._owners.get(
            url, lambda: YcLink(profile, url), lambda link: not link._stop.is_set()
        )

    @classmethod
    def close_all(cls) -> None:
        """Stop every link (tests, shutdown)."""
        cls._owners.close_all(YcLink.close)

    def command(self, address: int, function: int, data: bytes = b"") -> YcFrame:
        """Send a request and wait for its acknowledgement; DeviceOffline when none comes."""
        with self._lock:
            self._write(encode(address, function, data))
            reply = self._await(address, {function | ACK_BIT})
        if reply is None:
            raise DeviceOffline(f"{self.profile.name} 无应答", detail=f"{self.url} 地址 {address}")
        return reply

    def poll_once(self) -> None:
        """Ask each polled address for an event, or listen briefly for pushed ones."""
        with self._lock:
            if self.profile.supports("polled"):
                for address in sorted(self.addresses):
                    self._write(encode(address, POLL))
                    answer = self._await(address, {NOTHING} | EVENTS)
                    if answer is not None:
                        self._route([answer])
            else:
                self._route(self._read(self.spec.poll_interval_ms / 1000))

    def take_events(self, address: int) -> list[YcFrame]:
        """Events read for `address` and not yet taken."""
        with self._lock:
            queue = self._events[address]
            out = list(queue)
            queue.clear()
            return out

    def subscribe(self, address: int, callback: EventCallback) -> None:
        """Call `callback` from the reader thread for every event of `address`."""
        with self._lock:
            self.addresses.add(address)
            self._callbacks[address] = callback
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, daemon=True, name=f"yc485 {self.url}"
                )
                self._thread.start()

    def close(self) -> None:
        """Stop the reader thread and close the port."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._drop()

    def _run(self) -> None:
        interval = self.spec.poll_interval_ms / 1000
        while not self._stop.is_set():
            try:
                self.poll_once()
            except DeviceError:
                self._drop()
                self._stop.wait(interval * 5)  # unplugged: try again a little later
            for address, callback in list(self._callbacks.items()):
                for frame in self.take_events(address):
                    callback(frame)
            if self.profile.supports("polled"):
                self._stop.wait(interval)

    def _write(self, data: bytes) -> None:
        try:
            self._connection.get().write(data)
        except DeviceError:
            self._drop()
            raise

    def _read(self, timeout: float) -> list[YcFrame]:
        return self.decoder.feed(self._connection.get().read(256, timeout))

    def _await(self, address: int, functions: set[int]) -> YcFrame | None:
        """Read until `address` answers with one of `functions`; events are kept meanwhile."""
        deadline = time.monotonic() + self.spec.reply_timeout_ms / 1000
        while (left := deadline - time.monotonic()) > 0:
            for frame in self._read(left):
                if frame.address == address and frame.function in functions:
                    return frame
                self._route([frame])
        return None

    def _route(self, frames: list[YcFrame]) -> None:
        for frame in frames:
            if frame.function in EVENTS:
                self._events[frame.address].append(frame)

    def _drop(self) -> None:
        with self._lock:
            self._connection.drop()


class YcDevice(Generic[E]):
    """One device at an address on a YC-485 line; subclasses turn frames into events."""

    def __init__(self, profile_id: str, url: str, address: int | None = None) -> None:
        self.profile = load_profile(profile_id)
        self.spec = self.profile.device_spec
        self.address = self.spec.default_address if address is None else address
        self.link = YcLink.for_url(self.profile, url)
        self.link.addresses.add(self.address)

    def ping(self) -> None:
        """Raise DeviceOffline unless the device answers."""
        self.link.command(self.address, PING)

    def poll(self) -> list[E]:
        """Read the line once; the events of this device."""
        self.link.poll_once()
        return self.events(self.link.take_events(self.address))

    def subscribe(self, callback: Callable[[E], None]) -> None:
        """Call `callback` from the line's reader thread for every event from now on."""

        def deliver(frame: YcFrame) -> None:
            for event in self.events([frame]):
                callback(event)

        self.link.subscribe(self.address, deliver)

    def events(self, frames: list[YcFrame]) -> list[E]:
        """The events these frames carry (subclasses)."""
        raise NotImplementedError
