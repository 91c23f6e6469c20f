"""The hall's configured layout (queues, matters, guide, areas) as read from the store."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy import Connection, select

from server.domain.layout import Layout, Matter
from server.domain.model import Queue, QueueKind, RequeueRule, SlotCap
from server.store.tables import areas, halls, matters, queues

__all__ = ["Layout", "Matter", "load_layout", "queue_config", "queue_from_row"]


def queue_config(queue: Queue) -> dict[str, Any]:
    """The JSON stored with a queue row (everything but code, name, prefix and area)."""
    return {
        "kind": queue.kind.value,
        "hours": [[f"{s:%H:%M}", f"{e:%H:%M}"] for s, e in queue.hours],
        "daily_cap": queue.daily_cap,
        "slot_caps": [[f"{c.start:%H:%M}", f"{c.end:%H:%M}", c.cap] for c in queue.slot_caps],
        "per_id_daily_limit": queue.per_id_daily_limit,
        "alert_waiting": queue.alert_waiting,
        "green_channel": queue.green_channel,
        "requeue": dataclasses.asdict(queue.requeue),
        "recall_limit": queue.recall_limit,
        "service_minutes": queue.service_minutes,
        "appointment_slot_minutes": queue.appointment_slot_minutes,
        "appointment_capacity": queue.appointment_capacity,
    }


def queue_from_row(m: Any) -> Queue:
    """Rebuild a Queue from its row."""
    cfg = m["config"]
    t = dt.time.fromisoformat
    return Queue(
        code=m["code"],
        name=m["name"],
        prefix=m["prefix"],
        area=m["area"],
        kind=QueueKind(cfg["kind"]),
        hours=tuple((t(s), t(e)) for s, e in cfg["hours"]),
        daily_cap=cfg["daily_cap"],
        slot_caps=tuple(SlotCap(t(s), t(e), cap) for s, e, cap in cfg["slot_caps"]),
        per_id_daily_limit=cfg["per_id_daily_limit"],
        alert_waiting=cfg["alert_waiting"],
        green_channel=cfg["green_channel"],
        requeue=RequeueRule(**cfg["requeue"]),
        recall_limit=cfg["recall_limit"],
        service_minutes=cfg["service_minutes"],
        appointment_slot_minutes=cfg["appointment_slot_minutes"],
        appointment_capacity=cfg["appointment_capacity"],
    )


def load_layout(conn: Connection, hall: str) -> Layout | None:
    """Read a hall's layout, or None when the hall does not exist."""
    row = conn.execute(select(halls).where(halls.c.code == hall)).first()
    if row is None:
        return None
    qrows = conn.execute(
        select(queues)
        .where(queues.c.hall == hall, queues.c.active.is_(True))
        .order_by(queues.c.position)
    )
    mrows = conn.execute(select(matters).where(matters.c.hall == hall, matters.c.active.is_(True)))
    arows = conn.execute(select(areas).where(areas.c.hall == hall).order_by(areas.c.position))
    cfg = row._mapping["config"]
    return Layout(
        code=hall,
        name=row._mapping["name"],
        timezone=row._mapping["timezone"],
        settings=cfg.get("settings", {}),
        guide=cfg.get("guide", []),
        areas=tuple((a.code, a.name) for a in arows),
        queues={q.code: queue_from_row(q._mapping) for q in qrows},
        matters={
            m.code: Matter(m.code, m.name, m.queue, m.department, m.catalog_code, m.department_code)
            for m in mrows
        },
    )
