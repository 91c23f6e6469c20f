"""The deliverer's steps in the store: hold the lease, read and render a batch, record the result.

The cursor only moves after a send succeeded, and only from where this deliverer read it
(compare-and-set): a replay, or another deliverer that took over a lost lease, wins.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any

from server.domain.errors import Conflict
from server.domain.outbox import ACTIVE, DeadLetter, Subscriber, backoff
from server.outbox.formats import FORMATS, LoggedEvent, Outgoing, Target
from server.services.context import Context, HallTx, run_in_hall
from server.services.leases import grant
from server.store.unit import Repositories

log = logging.getLogger("yichuang.outbox")
LEASE_PREFIX = "outbox:"
KEEP_DAYS = 30  # undelivered events older than this are pruned anyway, as dead letters


@dataclass(frozen=True)
class Step:
    """One event of a batch and the requests still to send for it."""

    event: LoggedEvent
    requests: list[Outgoing]
    error: str | None = None  # the format failed on this event: retried like a failed send


@dataclass
class Plan:
    """What one pass sends to one subscriber, read at `cursor`."""

    subscriber: Subscriber
    cursor: int
    steps: list[Step] = field(default_factory=list)


@dataclass
class Outcome:
    """What a pass achieved: the last seq fully sent, the keys sent, the failure if any."""

    delivered_to: int
    sent: list[tuple[str, int]] = field(default_factory=list)
    failed: LoggedEvent | None = None
    error: str | None = None
    count: int = 0


def lease_name(subscriber: str) -> str:
    """The lease that makes one process the subscriber's deliverer."""
    return LEASE_PREFIX + subscriber


def claim(ctx: Context, hall: str, name: str, holder: str, ttl: float) -> bool:
    """Take or renew the subscriber's lease; False while another live holder has it."""

    def work(tx: HallTx) -> bool:
        current = tx.leases.get(hall, lease_name(name))
        try:
            lease = grant(
                current, hall, lease_name(name), holder, tx.now, dt.timedelta(seconds=ttl)
            )
        except Conflict:
            return False
        tx.leases.put(lease, new=current is None)
        return True

    result: bool = run_in_hall(ctx, hall, work)
    return result


def release(ctx: Context, hall: str, name: str, holder: str) -> None:
    """Give the lease up on shutdown, so that another process takes over at once."""
    with ctx.units.write() as repos:
        current = repos.leases.get(hall, lease_name(name))
        if current is not None and current.holder == holder:
            repos.leases.delete(hall, lease_name(name))


def subscribers(ctx: Context) -> list[tuple[str, str]]:
    """(hall, name) of every subscriber in the store."""
    with ctx.units.read() as repos:
        return [(s.hall, s.name) for s in repos.outbox.all()]


def prepare(ctx: Context, hall: str, name: str, limit: int) -> Plan | None:
    """The next batch for the subscriber: None when paused, gone, waiting to retry, or idle."""
    now = ctx.clock()
    with ctx.units.read() as repos:
        sub = repos.outbox.get(hall, name)
        if sub is None or sub.state != ACTIVE or sub.format not in FORMATS:
            return None  # a format no longer installed: the status shows the lag grow
        if sub.next_try is not None and sub.next_try > now:
            return None
        rows = repos.outbox.events_after(hall, sub.cursor, limit)
        if not rows:
            return None
        return Plan(sub, sub.cursor, _render(repos, sub, rows))


def _render(repos: Repositories, sub: Subscriber, rows: list[Any]) -> list[Step]:
    target = Target(sub.name, sub.url, sub.secret, sub.format, dict(sub.options))
    render = FORMATS[sub.format]
    steps: list[Step] = []
    seen: set[str] = set()
    for seq, kind, at, payload in rows:
        event = LoggedEvent(sub.hall, seq, kind, at, json.loads(payload))
        try:
            requests = render(event, target, repos) if sub.wants(kind) else []
        except Exception as exc:  # a format's bug must not stop the deliverer of every hall
            log.exception("outbox: format %s failed on %s:%s", sub.format, sub.hall, seq)
            steps.append(Step(event, [], f"格式 {sub.format} 出错：{type(exc).__name__}"))
            break  # the events after it wait behind it
        steps.append(Step(event, requests))
    keys = [r.key for s in steps for r in s.requests]
    done = repos.outbox.sent(sub.hall, sub.name, keys)
    for step in steps:
        fresh = []
        for r in step.requests:
            if r.key not in done and r.key not in seen:
                seen.add(r.key)
                fresh.append(r)
        step.requests[:] = fresh
    return steps


def record(ctx: Context, plan: Plan, outcome: Outcome, settings: Any) -> bool:
    """Store a pass's result in one transaction (False: the cursor moved meanwhile).

    A hall transaction, so that in the writer it shares the batch of the hall's
    other writes (one commit) rather than waiting for the store's lock beside them.
    """
    sub = plan.subscriber
    hall, name = sub.hall, sub.name

    def work(tx: HallTx) -> bool:
        now, repos = tx.now, tx.repos
        values: dict[str, Any] = {"cursor": outcome.delivered_to}
        if outcome.count:
            values["delivered"] = sub.delivered + outcome.count
            values["last_success_at"] = now
        if outcome.failed is None:
            values.update(attempts=0, next_try=None, failing_since=None)
        else:
            values.update(_failure(repos, sub, outcome, now, settings))
        if not repos.outbox.advance(hall, name, plan.cursor, **values):
            return False
        repos.outbox.mark_sent(hall, name, outcome.sent, now)
        return True

    result: bool = run_in_hall(ctx, hall, work)
    return result


def _failure(
    repos: Repositories, sub: Subscriber, outcome: Outcome, now: dt.datetime, settings: Any
) -> dict[str, Any]:
    """The retry state after a failed send; past the give-up age, a dead letter."""
    assert outcome.failed is not None
    moved = outcome.delivered_to > sub.cursor  # the failing event is a new one
    attempts = 1 if moved else sub.attempts + 1
    since = now if moved or sub.failing_since is None else sub.failing_since
    error = (outcome.error or "")[:300]
    values: dict[str, Any] = {"last_error": error, "last_error_at": now}
    if (now - since).total_seconds() >= settings.outbox_give_up_s:
        event = outcome.failed
        repos.outbox.bury(
            DeadLetter(
                0, sub.hall, sub.name, event.seq, event.type, "gave_up", error, attempts, now
            )
        )
        values.update(cursor=event.seq, attempts=0, next_try=None, failing_since=None)
        return values
    wait = backoff(attempts, settings.outbox_backoff_base_s, settings.outbox_backoff_cap_s)
    values.update(attempts=attempts, next_try=now + wait, failing_since=since)
    return values


def guard_prune(repos: Repositories, hall: str, now: dt.datetime) -> int | None:
    """Before the log is pruned: dead-letter what is older than KEEP_DAYS and still undelivered.

    Returns the lowest cursor: events after it are kept for the subscribers behind.
    """
    hard = now - dt.timedelta(days=KEEP_DAYS)
    old = [r for r in repos.outbox.events_after(hall, 0, 1) if r[2] < hard]
    for sub in repos.outbox.in_hall(hall) if old else []:
        lost = repos.outbox.last_seq_before(hall, hard)
        if lost is not None and sub.cursor < lost:
            error = f"第 {sub.cursor + 1} 至 {lost} 号事件超过 {KEEP_DAYS} 天未送达，已清理"
            repos.outbox.bury(
                DeadLetter(
                    0, hall, sub.name, sub.cursor + 1, "*", "pruned", error, sub.attempts, now
                )
            )
            repos.outbox.change(
                hall, sub.name, cursor=lost, attempts=0, next_try=None, failing_since=None
            )
    repos.outbox.prune_sent(hall, hard)
    return repos.outbox.min_cursor(hall)
