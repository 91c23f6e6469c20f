"""Open live sockets per token: a cap per token, and an end signal when a session ends."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass(eq=False)
class Seat:
    """One open socket's place under its token; `ended` is set when its session ends."""

    key: str
    loop: asyncio.AbstractEventLoop
    ended: asyncio.Event = field(default_factory=asyncio.Event)


class SocketRegistry:
    """Counts this process's live sockets per token (hashed) and ends them on logout.

    The cap holds per worker process; logouts on other workers and hosts and expiries are
    caught by the socket's own periodic session check.
    """

    def __init__(self, per_token: int) -> None:
        self.per_token = per_token
        self._seats: dict[str, set[Seat]] = defaultdict(set)
        self._lock = threading.Lock()  # logout runs on a worker thread

    def take(self, key: str) -> Seat | None:
        """A seat for one more socket of `key`, or None when the token has its cap."""
        with self._lock:
            seats = self._seats[key]
            if len(seats) >= self.per_token:
                return None
            seat = Seat(key, asyncio.get_running_loop())
            seats.add(seat)
            return seat

    def leave(self, seat: Seat) -> None:
        """The socket closed: its seat is free again."""
        with self._lock:
            seats = self._seats.get(seat.key)
            if seats is not None:
                seats.discard(seat)
                if not seats:
                    del self._seats[seat.key]

    def end(self, key: str) -> None:
        """The session behind `key` ended: signal each of its sockets (from any thread)."""
        with self._lock:
            seats = list(self._seats.get(key, ()))
        for seat in seats:
            if not seat.loop.is_closed():
                seat.loop.call_soon_threadsafe(seat.ended.set)
