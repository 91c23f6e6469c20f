"""Subscribers as a hall file states them (`[[subscribers]]`), validated like the API does."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.domain.events import EventType
from server.domain.outbox import ALL_EVENTS, NAME_PATTERN, url_problem
from server.outbox import builtin  # noqa: F401 - registers the built-in formats
from server.outbox.formats import FORMATS
from server.tomlreader import Table

DEFAULT_FORMAT = "cloudevents"
MIN_SECRET, MAX_SECRET = 16, 200


@dataclass(frozen=True)
class SubscriberSpec:
    """One `[[subscribers]]` table."""

    name: str
    url: str
    secret: str
    events: tuple[str, ...] = (ALL_EVENTS,)
    format: str = DEFAULT_FORMAT
    options: dict[str, str] = field(default_factory=dict)


def known_event_types() -> set[str]:
    """Event types a subscriber may name."""
    return {t.value for t in EventType}


def parse_subscriber(t: Table) -> SubscriberSpec:
    """Validate one `[[subscribers]]` table."""
    name = t.text("name", pattern=NAME_PATTERN)
    url = t.text("url", max_len=500)
    if url_problem(url):
        raise t.error("url", "must be an http:// or https:// address with a host")
    secret = t.text("secret", max_len=MAX_SECRET)
    if len(secret) < MIN_SECRET:
        raise t.error("secret", f"must be at least {MIN_SECRET} characters")
    events = tuple(t.texts("events", [ALL_EVENTS]))
    known = known_event_types()
    for e in events:
        if e != ALL_EVENTS and e not in known:
            raise t.error("events", f"unknown event type {e!r}")
    fmt = t.text("format", DEFAULT_FORMAT)
    if fmt not in FORMATS:
        raise t.error("format", f"unknown format {fmt!r} (known: {', '.join(sorted(FORMATS))})")
    options_table = t.table("options", {})
    options = {}
    for key in list(options_table.data):
        options[key] = options_table.text(key, max_len=500)
    options_table.done()
    t.done()
    return SubscriberSpec(name, url, secret, events, fmt, options)


def parse_subscribers(root: Table) -> tuple[SubscriberSpec, ...]:
    """Every `[[subscribers]]` table of a hall file, names unique."""
    specs = tuple(parse_subscriber(t) for t in root.tables("subscribers"))
    seen: set[str] = set()
    for s in specs:
        if s.name in seen:
            raise root.error("subscribers", f"duplicate name {s.name!r}")
        seen.add(s.name)
    return specs
