"""The audit trail (安全审计): one slot per request, one record per audited action.

A route joins the trail with one dependency, `audited("call")` (server/api/audit.py). The
request's slot then collects who (from the bearer token), where and on what. A write that
commits records in its own transaction (so a record exists exactly when the action took
effect); anything else (a refusal, a failure, a read such as an export) is recorded by the
middleware before the answer leaves. Events without a route (session expiry, hall-file
loads, the retention prune) call `record` themselves.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from server.services import context as hall_context
from server.services.context import Context

log = logging.getLogger("yichuang.audit")
T = TypeVar("T")
NO_HALL = "*"  # the chain of records that belong to no hall (an unknown user name)
PEOPLE_ROLES = frozenset({"clerk", "supervisor", "admin", "security", "auditor"})


@dataclass
class Slot:
    """What one request's audit record will say, filled in as the request is handled."""

    address: str = "-"
    action: str | None = None
    hall: str | None = None
    object: str = ""
    who: str | None = None
    role: str = ""
    kind: str = ""  # "user" or "device"
    always: bool = False  # record even without a signed-in person (sign-in attempts)
    details: dict[str, Any] = field(default_factory=dict)
    appended: bool = False  # a write's transaction holds the record (not yet committed)
    recorded: bool = False  # the record is stored

    @property
    def wanted(self) -> bool:
        """Whether this request leaves a record (people's actions, not devices')."""
        return (
            self.action is not None and not self.recorded and (self.always or self.kind == "user")
        )

    def fields(self, at: Any, result: str, code: str) -> dict[str, Any]:
        """The record's columns."""
        return {
            "hall": self.hall or NO_HALL,
            "at": at,
            "who": (self.who or "-")[:64],
            "role": self.role or "-",
            "address": self.address[:64],
            "action": self.action or "-",
            "object": self.object[:200],
            "result": result,
            "code": code[:48],
            "details": self.details,
        }


_slot: contextvars.ContextVar[Slot | None] = contextvars.ContextVar("audit_slot", default=None)


def open_slot(address: str) -> contextvars.Token[Slot | None]:
    """Start a request's slot (the middleware does, before the route runs)."""
    return _slot.set(Slot(address=address))


def close_slot(token: contextvars.Token[Slot | None]) -> None:
    """End a request's slot."""
    _slot.reset(token)


def current() -> Slot | None:
    """The slot of the request being handled, if any."""
    return _slot.get()


def note_principal(kind: str, name: str, role: str, hall: str) -> None:
    """Remember who is calling (the dependency that checks the bearer token calls this)."""
    slot = _slot.get()
    if slot is not None:
        slot.kind, slot.who, slot.role = kind, name, role
        if slot.hall is None:
            slot.hall = hall


def note_account(hall: str, role: str) -> None:
    """A sign-in found its account: the attempt goes into that hall's chain, right or wrong."""
    slot = _slot.get()
    if slot is not None and slot.kind == "":
        slot.hall, slot.role = hall, role


def in_transaction(ctx: Context, fn: Callable[[], T]) -> Callable[[], T]:
    """Wrap a write use case so that its record is appended in its own transaction.

    Runs in the writer inside a batch: the record joins the batch's transaction,
    after the use case succeeded. A use case that fails leaves no record here; the
    middleware records the failure instead.
    """
    slot = _slot.get()
    if slot is None or not slot.wanted:
        return fn

    def audited() -> T:
        result = fn()
        batch = hall_context.active_batch()
        if batch is not None and batch.ctx is ctx and not slot.appended:
            batch.repos.audit.append(slot.fields(ctx.clock(), "ok", "ok"))
            slot.appended = True
        return result

    return audited


def committed() -> None:
    """The request's write committed: its record (if it appended one) is stored.

    Until then a batch that fails at commit takes the record with it, and the middleware
    records the failure instead.
    """
    slot = _slot.get()
    if slot is not None and slot.appended:
        slot.recorded = True


def record(ctx: Context, fields: dict[str, Any]) -> None:
    """Append one record in a transaction of its own (events that have no write of their own)."""
    with ctx.units.write() as repos:
        repos.audit.append(fields)


def record_slot(ctx: Context, slot: Slot, status: int, code: str | None) -> None:
    """Record a request's action from its answer (refused, failed, or a read such as export)."""
    if not slot.wanted:
        return
    result = "ok" if status < 400 else ("failed" if status >= 500 else "refused")
    try:
        record(ctx, slot.fields(ctx.clock(), result, code or str(status)))
        slot.recorded = True
    except Exception:  # the answer still goes out; the log says the trail missed one
        log.exception("audit record failed: %s %s", slot.action, slot.object)


def system(
    ctx: Context, hall: str, action: str, obj: str = "", details: dict[str, Any] | None = None
) -> None:
    """Record an event of the system itself (hall-file load, retention prune)."""
    record(ctx, system_fields(ctx, hall, action, obj, details))


def system_fields(
    ctx: Context, hall: str, action: str, obj: str = "", details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The columns of a system event's record."""
    slot = Slot(address="-", action=action, hall=hall, object=obj, who="system", role="system")
    slot.details = dict(details or {})
    return slot.fields(ctx.clock(), "ok", "ok")


def person_fields(
    ctx: Context, who: str, role: str, hall: str, action: str, obj: str = ""
) -> dict[str, Any]:
    """The columns of an event about a person without a route of its own (session expiry)."""
    slot = _slot.get()
    address = slot.address if slot is not None else "-"
    event = Slot(address=address, action=action, hall=hall, object=obj, who=who, role=role)
    return event.fields(ctx.clock(), "ok", "ok")
