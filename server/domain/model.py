"""Entities of a hall: queues, windows and tickets, with their rule settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class TicketStatus(StrEnum):
    """Where a ticket is in its life (DESIGN §3 States)."""

    WAITING = "waiting"
    CALLED = "called"
    FINISHED = "finished"
    NO_SHOW = "no_show"  # 过号
    CANCELLED = "cancelled"
    EXPIRED = "expired"


FINAL_STATUSES = frozenset({TicketStatus.FINISHED, TicketStatus.CANCELLED, TicketStatus.EXPIRED})


class Outcome(StrEnum):
    """The four outcomes a clerk records for a call."""

    ACCEPTED = "accepted"  # 受理
    CONSULTED = "consulted"  # 咨询
    REJECTED = "rejected"  # 不予受理
    NO_SHOW = "no_show"  # 过号


OUTCOME_LABELS = {
    Outcome.ACCEPTED: "受理",
    Outcome.CONSULTED: "咨询",
    Outcome.REJECTED: "不予受理",
    Outcome.NO_SHOW: "过号",
}


class Priority(StrEnum):
    """Priority class of a ticket."""

    NORMAL = "normal"
    GREEN = "green"  # 绿色通道
    APPOINTMENT = "appointment"  # 预约


class Source(StrEnum):
    """Where a ticket was issued."""

    KIOSK = "kiosk"
    GUIDE = "guide"  # 帮办代办
    ONLINE = "online"
    APPOINTMENT = "appointment"


class WindowStatus(StrEnum):
    """Whether a window is serving."""

    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


class CallPolicy(StrEnum):
    """How a window picks the next normal ticket among the queues it serves."""

    FIFO = "fifo"  # oldest arrival across the served queues
    ORDERED = "ordered"  # queues in the window's order
    WEIGHTED = "weighted"  # waiting time scaled by a per-queue weight


class GreenMode(StrEnum):
    """How green-channel tickets mix with normal ones."""

    FIRST = "first"
    INTERLEAVE = "interleave"  # one green ticket every N normal ones


class QueueKind(StrEnum):
    """Window kinds of the comprehensive-window model."""

    COMPREHENSIVE = "comprehensive"  # 无差别综合窗口
    DOMAIN = "domain"  # 分领域综合窗口
    FUNCTIONAL = "functional"  # 功能性综合窗口
    DEDICATED = "dedicated"  # 专窗
    SPECIAL = "special"  # 专属服务窗口
    DELIVERY = "delivery"  # 统一出件窗口：finds cases and hands out their results


@dataclass(frozen=True)
class RequeueRule:
    """过号重排：re-insert after `after` waiting tickets, at most `max_times`, within minutes."""

    after: int = 3
    max_times: int = 2
    within_minutes: int = 60


@dataclass(frozen=True)
class SlotCap:
    """At most `cap` tickets issued between `start` and `end` (local time of day)."""

    start: dt.time
    end: dt.time
    cap: int


@dataclass(frozen=True)
class Queue:
    """A business queue (业务队列) with its numbering prefix and quota rules."""

    code: str
    name: str
    prefix: str
    area: str
    kind: QueueKind = QueueKind.COMPREHENSIVE
    hours: tuple[tuple[dt.time, dt.time], ...] = ()
    daily_cap: int | None = None
    slot_caps: tuple[SlotCap, ...] = ()
    per_id_daily_limit: int = 1
    alert_waiting: int | None = None
    green_channel: bool = True
    requeue: RequeueRule = field(default_factory=RequeueRule)
    recall_limit: int = 3
    service_minutes: float = 5.0
    appointment_slot_minutes: int = 30
    appointment_capacity: int = 0  # per slot; 0 = no appointments


@dataclass(frozen=True)
class Window:
    """A service window and its calling rules (runtime state included)."""

    code: str
    name: str
    area: str
    queues: tuple[str, ...]
    policy: CallPolicy = CallPolicy.FIFO
    weights: tuple[tuple[str, float], ...] = ()
    green_mode: GreenMode = GreenMode.FIRST
    green_interleave: int = 3
    status: WindowStatus = WindowStatus.CLOSED
    clerk: str | None = None
    current_ticket: str | None = None
    paused_reason: str | None = None
    normal_since_green: int = 0

    def weight(self, queue: str) -> float:
        """Return the weight of a served queue for the weighted policy (default 1)."""
        return dict(self.weights).get(queue, 1.0)


@dataclass(frozen=True)
class Ticket:
    """A numbered ticket and everything that happened to it."""

    id: str
    hall: str
    business_date: dt.date
    queue: str
    number: str
    rank: int
    issued_at: dt.datetime
    status: TicketStatus = TicketStatus.WAITING
    priority: Priority = Priority.NORMAL
    source: Source = Source.KIOSK
    matter: str | None = None
    applicant_name: str | None = None
    id_hash: str | None = None
    id_masked: str | None = None
    phone: str | None = None
    call_count: int = 0
    recalls: int = 0  # recalls of the current call, for the 过号 suggestion
    requeue_count: int = 0
    first_called_at: dt.datetime | None = None
    called_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    no_show_at: dt.datetime | None = None
    window: str | None = None
    clerk: str | None = None
    outcome: Outcome | None = None
    reason: str | None = None
    transferred: bool = False
    target_window: str | None = None
    transfer_note: str | None = None  # the sending clerk's note, for staff eyes only
    transferred_at: dt.datetime | None = None  # when it was last transferred
    appointment_code: str | None = None
    appointment_start: dt.datetime | None = None
    appointment_end: dt.datetime | None = None
    evaluation_level: int | None = None
    evaluation_comment: str | None = None
    evaluation_reasons: tuple[str, ...] = ()  # reasons picked from the hall's list, in order
    evaluation_requested: bool = False
    evaluated_at: dt.datetime | None = None
    away_until: dt.datetime | None = None  # 暂离：not called before this instant
    step_backs: int = 0  # 延后 and 暂离 taken, against the hall's limit

    @property
    def is_final(self) -> bool:
        """True once the ticket can change no more."""
        return self.status in FINAL_STATUSES
