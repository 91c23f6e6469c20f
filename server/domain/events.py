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
    # 追评 and 差评整改 (issue 15): they leave the hall through the outbox
    EVALUATION_FOLLOWED_UP = "evaluation.followed_up"
    FOLLOWUP_OPENED = "followup.opened"
    FOLLOWUP_CALLED_BACK = "followup.called_back"
    FOLLOWUP_RECTIFIED = "followup.rectified"
    FOLLOWUP_CLOSED = "followup.closed"
    TICKET_STEPPED_BACK = "ticket.stepped_back"  # 延后 N 位：a new place in its line
    TICKET_AWAY = "ticket.away"  # 暂离：keeps its place, not called until back
    TICKET_BACK = "ticket.back"  # 我回来了 (or the 暂离 was ended)
    CASE_OPENED = "case.opened"  # 受理 opened a case (办件)
    CASE_STEP = "case.step"  # a case moved on：转递、签收、办结、补正、出件 …
