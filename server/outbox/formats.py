"""The seam between the outbox and what it delivers: an event in, zero or more requests out.

The outbox reads the event log from a cursor kept per subscriber and hands each event to the
subscriber's format. A format turns it into requests: a webhook sends the event as it is, a
provincial 好差评 adapter sends only ratings, the SMS channel sends the messages an event makes
due. The outbox sends each request's `key` at most once per subscriber (a key may come back
from a later event: the SMS near-turn stage is due after whichever call brings it), retries it
with backoff, and keeps the subscriber's order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class LoggedEvent:
    """One event of a hall's log, as the outbox reads it."""

    hall: str
    seq: int
    type: str
    at: dt.datetime  # UTC
    payload: Mapping[str, Any]  # the public message, exactly as the live feed sent it


@dataclass(frozen=True)
class Target:
    """A subscriber as its format sees it."""

    name: str
    url: str
    secret: str
    format: str
    options: Mapping[str, str] = field(default_factory=dict)  # per-format settings


@dataclass(frozen=True)
class Outgoing:
    """One request to send; `key` is stable across retries and restarts."""

    key: str
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes


class Format(Protocol):
    """Renders one event for one subscriber; `repos` reads the store in the outbox's transaction."""

    def __call__(self, event: LoggedEvent, target: Target, repos: Any) -> list[Outgoing]: ...


FORMATS: dict[str, Format] = {}


def register(name: str) -> Callable[[Format], Format]:
    """Make a format selectable by name in the hall file and the subscribers API."""

    def add(render: Format) -> Format:
        if name in FORMATS:
            raise ValueError(f"format {name!r} is registered twice")
        FORMATS[name] = render
        return render

    return add
