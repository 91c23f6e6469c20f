"""One owner object per port URL (a sign bus, a YC-485 line), shared by every device on it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PortOwners(Generic[T]):
    """A registry: the live owner of each URL, created on first use."""

    def __init__(self) -> None:
        self._owners: dict[str, T] = {}
        self._lock = threading.Lock()

    def get(self, url: str, make: Callable[[], T], alive: Callable[[T], bool]) -> T:
        """The owner of `url`; a new one from `make()` when there is none or it was closed."""
        with self._lock:
            owner = self._owners.get(url)
            if owner is None or not alive(owner):
                owner = self._owners[url] = make()
            return owner

    def close_all(self, close: Callable[[T], None]) -> None:
        """Forget every owner and close it (tests, shutdown)."""
        with self._lock:
            owners, self._owners = list(self._owners.values()), {}
        for owner in owners:
            close(owner)
