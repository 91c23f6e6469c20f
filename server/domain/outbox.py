"""Outbox subscribers as the domain sees them, and the retry schedule of a failing event."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

ACTIVE, PAUSED = "active", "paused"
ALL_EVENTS = "*"


@dataclass(frozen=True)
class Subscriber:
    """A system outside the hall that gets the hall's events, and where it stands."""

    hall: str
    name: str
    url: str
    secret: str
    events: tuple[str, ...]
    format: str
    options: dict[str, str] = field(default_factory=dict)
    source: str = "api"
    state: str = ACTIVE
    cursor: int = 0  # the last seq delivered (or skipped, or dead-lettered)
    attempts: int = 0  # failed tries of the event after the cursor
    next_try: dt.datetime | None = None
    failing_since: dt.datetime | None = None
    last_success_at: dt.datetime | None = None
    last_error: str | None = None
    last_error_at: dt.datetime | None = None
    delivered: int = 0
    created_at: dt.datetime | None = None

    def wants(self, event_type: str) -> bool:
        """Whether events of this type go to the subscriber."""
        return ALL_EVENTS in self.events or event_type in self.events


@dataclass(frozen=True)
class DeadLetter:
    """An event a subscriber gave up on."""

    id: int
    hall: str
    subscriber: str
    seq: int
    type: str
    reason: str
    error: str | None
    attempts: int
    at: dt.datetime


def backoff(attempts: int, base: float, cap: float, rng: Any = random) -> dt.timedelta:
    """The wait before try `attempts + 1`: doubling from `base`, at most `cap`, with jitter.

    Full jitter in the upper half (50–100 % of the step) spreads the retries of many halls
    hitting one recovering endpoint, while a step never shrinks to nothing.
    """
    step = min(cap, base * (2 ** max(0, attempts - 1)))
    return dt.timedelta(seconds=step * (0.5 + 0.5 * rng.random()))


NAME_PATTERN = r"[a-z0-9][a-z0-9_-]{0,23}"


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a subscriber's address (None: it can): http(s) with a host only."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "不是有效的网址"
    if parts.scheme not in ("http", "https"):
        return "只能是 http 或 https 网址"
    if not parts.hostname:
        return "缺少主机名"
    if any(c.isspace() for c in url):
        return "不能含有空白字符"
    return None
