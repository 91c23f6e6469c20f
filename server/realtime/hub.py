"""In-process fan-out of committed events to live-feed subscribers, in seq order."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from collections.abc import Callable

QUEUE_LIMIT = 5000  # a subscriber this far behind is dropped; it resyncs from the log


class Subscriber:
    """One live connection's inbox of (seq, json) pairs."""

    def __init__(self, hall: str) -> None:
        self.hall = hall
        self.inbox: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
        self.overflowed = False

    def push(self, items: list[tuple[int, str]]) -> None:
        """Queue items; flag an overflow instead of growing without bound."""
        if self.inbox.qsize() + len(items) > QUEUE_LIMIT:
            self.overflowed = True
            self.inbox.put_nowait((-1, ""))  # wakes the reader, which then resyncs
            return
        for item in items:
            self.inbox.put_nowait(item)


class Hub:
    """Delivers each hall's events to its subscribers on the server's event loop."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subs: dict[str, set[Subscriber]] = defaultdict(set)
        self._last: dict[str, int] = {}
        self._lock = threading.Lock()
        # told of each subscription's hall (the PostgreSQL relay listens to its channel)
        self.on_watch: Callable[[str], None] | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach the event loop that owns the subscribers."""
        self._loop = loop

    def publish(self, hall: str, items: list[tuple[int, str]]) -> None:
        """Hand committed events over to the loop (callable from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if not self._subs.get(hall):
            # Nobody to wake the loop for: a connection that subscribes later reads its
            # snapshot after this commit, so it has these events already.
            return
        loop.call_soon_threadsafe(self._deliver, hall, items)

    def subscribe(self, hall: str) -> Subscriber:
        """Start buffering a hall's events for a new connection (call on the loop)."""
        sub = Subscriber(hall)
        self._subs[hall].add(sub)
        if self.on_watch is not None:
            self.on_watch(hall)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Stop delivering to a closed connection."""
        self._subs[sub.hall].discard(sub)

    def last_seq(self, hall: str) -> int:
        """The newest seq delivered for a hall in this process (0 before any)."""
        return self._last.get(hall, 0)

    def subscriber_count(self, hall: str | None = None) -> int:
        """How many live connections there are (in a hall, or in all)."""
        if hall is not None:
            return len(self._subs.get(hall, ()))
        return sum(len(s) for s in self._subs.values())

    def counts(self) -> dict[str, int]:
        """Open live connections per hall."""
        return {hall: len(subs) for hall, subs in self._subs.items() if subs}

    def _deliver(self, hall: str, items: list[tuple[int, str]]) -> None:
        last = self._last.get(hall, 0)
        fresh = [item for item in items if item[0] > last]
        if not fresh:
            return
        self._last[hall] = fresh[-1][0]
        for sub in list(self._subs.get(hall, ())):
            sub.push(fresh)
