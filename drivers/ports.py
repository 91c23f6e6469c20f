"""One owner object per port URL (a sign bus, a YC-485 line), shared by every device on it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from drivers.errors import DeviceNotFound

T = TypeVar("T")

# Every registry's live claims, so two kinds of owner never write to one port at once.
_CLAIMS: dict[str, tuple[PortOwners[Any], Callable[[], bool]]] = {}
_CLAIMS_LOCK = threading.Lock()


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
                self._claim(url)
                owner = self._owners[url] = make()
                fresh = owner
                with _CLAIMS_LOCK:
                    _CLAIMS[url] = (self, lambda: alive(fresh))
            return owner

    def _claim(self, url: str) -> None:
        with _CLAIMS_LOCK:
            other = _CLAIMS.get(url)
            if other is not None and other[0] is not self and other[1]():
                raise DeviceNotFound(
                    "该端口已由另一类设备使用（一条总线只能有一个所有者）", detail=url
                )

    def close_all(self, close: Callable[[T], None]) -> None:
        """Forget every owner and close it (tests, shutdown)."""
        with self._lock:
            owners, self._owners = list(self._owners.values()), {}
        with _CLAIMS_LOCK:
            for url in [u for u, (registry, _) in _CLAIMS.items() if registry is self]:
                del _CLAIMS[url]
        for owner in owners:
            close(owner)
