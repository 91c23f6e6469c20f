"""Event types of the live feed (DESIGN §4); every transition appends one."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    """The `type` of an event message."""

    TICKET_ISSUED = "ticket.issued"
    TICKET_CALLED = "ticket.called"
    TICKET_RECALLED = "ticket.recalled"
    TICKET_FINISHED = "ticket.finished"
    TICKET_NO_SHOW = "ticket.no_show"
    TICKET_REQUEUED = "ticket.requeued"
    TICKET_TRANSFERRED = "ticket.transferred"
    TICKET_CANCELLED = "ticket.cancelled"
    TICKET_EXPIRED = "ticket.expired"
    WINDOW_OPENED = "window.opened"
    WINDOW_PAUSED = "window.paused"
    WINDOW_RESUMED = "window.resumed"
    WINDOW_CLOSED = "window.closed"
    WINDOW_QUEUES_CHANGED = "window.queues_changed"
    EVALUATION_REQUESTED = "evaluation.requested"
    EVALUATION_RECORDED = "evaluation.recorded"
    DEVICE_STATUS = "device.status"
    CASE_OPENED = "case.opened"  # 受理 opened a case (办件)
    CASE_STEP = "case.step"  # a case moved on: 转递, 签收, 办结, 补正, 出件 …
