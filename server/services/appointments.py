"""统一预约: booking a slot, and checking in at the kiosk within the slot (±15 min)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from server.domain import identity
from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.model import Queue
from server.domain.numbering import business_date, local_datetime
from server.domain.records import Appointment
from server.protocol.views import iso
from server.security import keyed_hash
from server.services.context import Context, HallTx, run_in_hall

CHECK_IN_TOLERANCE = dt.timedelta(minutes=15)
HORIZON = dt.timedelta(days=366)  # slots are booked at most a year ahead
_ALPHABET = "ACDEFGHJKMNPQRTUVWXY3479"  # no look-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B)


@dataclass(frozen=True)
class CheckIn:
    """A booked appointment presented at the kiosk."""

    code: str
    applicant_name: str | None
    id_hash: str | None
    id_masked: str | None
    phone: str | None
    start: dt.datetime
    end: dt.datetime
    on_time: bool


def book(
    ctx: Context,
    hall: str,
    queue_code: str,
    slot: dt.datetime,
    applicant_name: str,
    id_number: str,
    phone: str | None,
) -> dict[str, Any]:
    """Book a slot of a queue; returns the appointment code to show at the kiosk."""

    def work(tx: HallTx) -> dict[str, Any]:
        normalized = identity.normalize_id_number(id_number, tx.today)
        hashed = keyed_hash(ctx.secret, "id", normalized)
        queue = tx.layout.queues.get(queue_code)
        if queue is None:
            raise NotFound("unknown_queue", f"没有编号为 {queue_code} 的业务队列")
        if queue.appointment_capacity <= 0:
            raise Conflict("appointments_not_offered", f"{queue.name} 暂不提供预约")
        _check_horizon(slot, tx.today)
        start = _slot_start(slot, queue, tx.layout.timezone)
        end = start + dt.timedelta(minutes=queue.appointment_slot_minutes)
        if end <= tx.now:
            raise Conflict("slot_in_past", "该预约时段已过，请选择其他时段")
        _check_room(tx, queue, start)
        _check_one_per_day(tx, queue, start, hashed)
        code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        tx.appointments.add(
            Appointment(
                code=code,
                hall=tx.hall,
                queue=queue.code,
                slot_start=start,
                slot_end=end,
                applicant_name=applicant_name,
                id_hash=hashed,
                id_masked=identity.mask_id_number(normalized),
                phone=phone,
                status="booked",
                created_at=tx.now,
            )
        )
        return {
            "code": code,
            "slot": iso(start),
            "slot_end": iso(end),
            "queue": queue.code,
            "queue_name": queue.name,
        }

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def _check_room(tx: HallTx, queue: Queue, start: dt.datetime) -> None:
    if tx.appointments.booked(tx.hall, queue.code, start) >= queue.appointment_capacity:
        raise Conflict("appointment_full", "该时段预约已满，请选择其他时段")


def _check_one_per_day(tx: HallTx, queue: Queue, start: dt.datetime, hashed: str) -> None:
    """One appointment per ID number, queue and (hall-local) day."""
    timezone = tx.layout.timezone
    day = business_date(start, timezone)
    span = [local_datetime(d, dt.time(0), timezone) for d in (day, day + dt.timedelta(days=1))]
    earlier = tx.appointments.slot_of(tx.hall, queue.code, hashed, span[0], span[1])
    if earlier is not None:
        at = f"{day.month}月{day.day}日 {_local(earlier, timezone)}"
        raise Conflict(
            "appointment_exists",
            f"您已预约 {at} 的{queue.name}，同一证件每项业务每天只能预约一次",
            {"slot": iso(earlier)},
        )


def queue_of(tx: HallTx, code: str) -> str:
    """The queue an appointment was booked in (to issue its ticket without naming one)."""
    queue = tx.appointments.queue_of(tx.hall, code.strip().upper())
    if queue is None:
        raise NotFound("unknown_appointment", "预约码无效，请核对后重新输入")
    return queue


def check_in(tx: HallTx, queue: Queue, code: str) -> CheckIn:
    """Validate an appointment code at issue time; early arrivals are asked to come back."""
    found = tx.appointments.get(tx.hall, code.strip().upper())
    if found is None:
        raise NotFound("unknown_appointment", "预约码无效，请核对后重新输入")
    if found.queue != queue.code:
        raise Invalid("appointment_queue_mismatch", "该预约不属于所选业务")
    if found.status != "booked":
        raise Conflict("appointment_used", "该预约已签到或已取消")
    if tx.now < found.slot_start - CHECK_IN_TOLERANCE:
        start = _local(found.slot_start, tx.layout.timezone)
        raise Conflict("appointment_too_early", f"预约时段 {start} 开始，请于开始前 15 分钟内签到")
    on_time = tx.now <= found.slot_end + CHECK_IN_TOLERANCE
    return CheckIn(
        found.code,
        found.applicant_name,
        found.id_hash,
        found.id_masked,
        found.phone,
        found.slot_start,
        found.slot_end,
        on_time,
    )


def link_ticket(tx: HallTx, code: str, ticket_id: str) -> None:
    """Mark the appointment checked in with the ticket it produced."""
    tx.appointments.check_in(code.strip().upper(), ticket_id)


def _check_horizon(slot: dt.datetime, today: dt.date) -> None:
    """Refuse far-off slots before any time-zone arithmetic (year 1 or 9999 overflows it)."""
    first, last = today - HORIZON, today + HORIZON
    if not first <= slot.date() <= last:
        raise Invalid(
            "invalid_slot",
            f"预约时段应在 {first} 至 {last} 之间，只能预约一年内的时段",
            {"earliest": str(first), "latest": str(last)},
        )


def _slot_start(slot: dt.datetime, queue: Queue, timezone: str) -> dt.datetime:
    local = slot.replace(tzinfo=ZoneInfo(timezone)) if slot.tzinfo is None else slot
    local = local.astimezone(ZoneInfo(timezone))
    minutes = local.hour * 60 + local.minute
    if local.second or local.microsecond or minutes % queue.appointment_slot_minutes:
        raise Invalid(
            "invalid_slot",
            f"预约时段须从整 {queue.appointment_slot_minutes} 分钟开始，例如 09:00、09:30",
        )
    return local.astimezone(dt.UTC)


def _local(at: dt.datetime, timezone: str) -> str:
    return at.astimezone(ZoneInfo(timezone)).strftime("%H:%M")
