"""Outbox subscribers: the supervisor/admin use cases (list, create, change, pause, replay, status).

Subscribers from the hall file are the file's: the API may pause, resume and replay them,
but changing or deleting one is refused (the next start would undo it).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.outbox import (
    ACTIVE,
    ALL_EVENTS,
    NAME_PATTERN,
    PAUSED,
    DeadLetter,
    Subscriber,
    url_problem,
)
from server.outbox.formats import FORMATS
from server.outbox.spec import DEFAULT_FORMAT, MAX_SECRET, MIN_SECRET, known_event_types
from server.protocol.views import iso
from server.services.context import Context
from server.services.outbox_delivery import lease_name
from server.store.unit import Repositories

EDITABLE = ("url", "secret", "events", "format", "options")


def local(value: dt.datetime | None, timezone: str) -> str | None:
    """A time as the hall reads it: "2026-12-06 08:36"."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def subscriber_view(sub: Subscriber, timezone: str) -> dict[str, Any]:
    """A subscriber as JSON; the secret is never sent back."""
    return {
        "name": sub.name,
        "url": sub.url,
        "format": sub.format,
        "events": list(sub.events),
        "options": dict(sub.options),
        "source": sub.source,
        "state": sub.state,
        "cursor": sub.cursor,
        "attempts": sub.attempts,
        "next_try": iso(sub.next_try),
        "last_success_at": iso(sub.last_success_at),
        "last_success_local": local(sub.last_success_at, timezone),
        "last_error": sub.last_error,
        "last_error_at": iso(sub.last_error_at),
        "last_error_local": local(sub.last_error_at, timezone),
        "delivered": sub.delivered,
    }


def dead_letter_view(d: DeadLetter, timezone: str) -> dict[str, Any]:
    """A dead letter as JSON."""
    return {
        "seq": d.seq,
        "type": d.type,
        "reason": d.reason,
        "error": d.error,
        "attempts": d.attempts,
        "at": iso(d.at),
        "at_local": local(d.at, timezone),
    }


def _found(repos: Repositories, hall: str, name: str) -> Subscriber:
    sub = repos.outbox.get(hall, name)
    if sub is None:
        raise NotFound("unknown_subscriber", f"没有名为 {name} 的对接系统")
    return sub


def _check(values: dict[str, Any]) -> None:
    """Refuse bad subscriber fields with a code each."""
    if "name" in values and not re.fullmatch(NAME_PATTERN, values["name"]):
        raise Invalid(
            "invalid_subscriber_name", "名称须为 1 至 24 位小写字母、数字、连字符或下划线"
        )
    if "url" in values:
        problem = url_problem(values["url"])
        if problem:
            raise Invalid("invalid_subscriber_url", f"对接地址{problem}")
    if "secret" in values and not MIN_SECRET <= len(values["secret"]) <= MAX_SECRET:
        raise Invalid(
            "invalid_subscriber_secret", f"签名密钥须为 {MIN_SECRET} 至 {MAX_SECRET} 个字符"
        )
    if "format" in values and values["format"] not in FORMATS:
        raise Invalid("unknown_format", f"没有名为 {values['format']} 的对接格式")
    if "events" in values:
        events = list(values["events"])
        known = known_event_types()
        bad = [e for e in events if e != ALL_EVENTS and e not in known]
        if not events or bad:
            shown = bad[0] if bad else "（空）"
            raise Invalid("unknown_event_type", f"没有名为 {shown} 的事件类型")


def list_subscribers(ctx: Context, hall: str) -> dict[str, Any]:
    """The hall's subscribers."""
    with ctx.units.read() as repos:
        tz = ctx.layout_of(repos, hall).timezone
        subs = repos.outbox.in_hall(hall)
    return {
        "hall": hall,
        "formats": sorted(FORMATS),
        "subscribers": [subscriber_view(s, tz) for s in subs],
    }


def create(ctx: Context, hall: str, values: dict[str, Any]) -> dict[str, Any]:
    """Add a subscriber; it gets the events from now on (replay sends older ones)."""
    values = {"events": [ALL_EVENTS], "format": DEFAULT_FORMAT, "options": {}, **values}
    _check(values)
    with ctx.units.write() as repos:
        tz = ctx.layout_of(repos, hall).timezone
        if repos.outbox.get(hall, values["name"]) is not None:
            raise Conflict("subscriber_exists", f"已有名为 {values['name']} 的对接系统")
        sub = Subscriber(
            hall=hall,
            name=values["name"],
            url=values["url"],
            secret=values["secret"],
            events=tuple(values["events"]),
            format=values["format"],
            options=dict(values["options"]),
            source="api",
            cursor=repos.events.last_seq(hall),
            created_at=ctx.clock(),
        )
        repos.outbox.add(sub)
    return subscriber_view(sub, tz)


def update(ctx: Context, hall: str, name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Change a subscriber's address, secret, events, format or options."""
    values = {k: v for k, v in values.items() if k in EDITABLE and v is not None}
    _check(values)
    with ctx.units.write() as repos:
        tz = ctx.layout_of(repos, hall).timezone
        sub = _from_api(_found(repos, hall, name))
        if values:
            values["next_try"] = None  # a corrected address or secret is tried at once
            repos.outbox.change(hall, name, **values)
        changed: dict[str, Any] = {k: tuple(v) if k == "events" else v for k, v in values.items()}
        sub = replace(sub, **changed)
    return subscriber_view(sub, tz)


def delete(ctx: Context, hall: str, name: str) -> dict[str, Any]:
    """Remove a subscriber with its dead letters."""
    with ctx.units.write() as repos:
        ctx.layout_of(repos, hall)
        _from_api(_found(repos, hall, name))
        repos.outbox.remove(hall, name)
        repos.leases.delete(hall, lease_name(name))
    return {"hall": hall, "name": name, "deleted": True}


def _from_api(sub: Subscriber) -> Subscriber:
    if sub.source == "file":
        raise Conflict(
            "subscriber_from_file", f"对接系统 {sub.name} 由大厅配置文件设定，请在配置文件中修改"
        )
    return sub


def set_state(ctx: Context, hall: str, name: str, paused: bool) -> dict[str, Any]:
    """Pause a subscriber (events wait in the log) or resume it (it tries at once)."""
    with ctx.units.write() as repos:
        tz = ctx.layout_of(repos, hall).timezone
        sub = _found(repos, hall, name)
        changes: dict[str, Any] = {"state": PAUSED if paused else ACTIVE}
        if not paused:
            changes["next_try"] = None
        repos.outbox.change(hall, name, **changes)
        sub = replace(sub, **changes)
    return subscriber_view(sub, tz)


def replay(ctx: Context, hall: str, name: str, from_seq: int) -> dict[str, Any]:
    """Send the events from `from_seq` on again (those the log still holds)."""
    with ctx.units.write() as repos:
        tz = ctx.layout_of(repos, hall).timezone
        sub = _found(repos, hall, name)
        last = repos.events.last_seq(hall)
        if from_seq > last + 1:
            raise Invalid("invalid_seq", f"事件序号 {from_seq} 超出大厅最新序号 {last}")
        first = repos.events.first_kept_seq(hall)
        if first is not None and from_seq < first:
            raise Conflict("replay_pruned", f"序号 {from_seq} 的事件已清理，最早可从 {first} 重发")
        changes: dict[str, Any] = {
            "cursor": from_seq - 1,
            "attempts": 0,
            "next_try": None,
            "failing_since": None,
        }
        repos.outbox.change(hall, name, **changes)
        repos.outbox.forget_sent(hall, name, from_seq - 1)
        sub = replace(sub, **changes)
    return subscriber_view(sub, tz)


def status(ctx: Context, hall: str, name: str) -> dict[str, Any]:
    """Where a subscriber stands: lag (events, seconds), last success and error, dead letters."""
    now = ctx.clock()
    with ctx.units.read() as repos:
        tz = ctx.layout_of(repos, hall).timezone
        sub = _found(repos, hall, name)
        types = None if ALL_EVENTS in sub.events else sub.events
        lag, oldest = repos.outbox.backlog(hall, sub.cursor, types)
        last = repos.events.last_seq(hall)
        dead = repos.outbox.dead_count(hall, name)
        letters = repos.outbox.dead_letters(hall, name, 20)
    lag_seconds = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return {
        **subscriber_view(sub, tz),
        "hall": hall,
        "last_seq": last,
        "lag_events": lag,
        "lag_seconds": round(lag_seconds, 1),
        "dead_letters": dead,
        "recent_dead_letters": [dead_letter_view(d, tz) for d in letters],
        "server_time": iso(now),
    }
