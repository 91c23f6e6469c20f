"""Device health reports (printers out of paper, signs offline) -> `device.status` events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.domain.errors import Forbidden, Invalid, NotFound
from server.domain.events import EventType
from server.domain.records import Device
from server.protocol.views import iso
from server.services.context import Context, HallTx, run_in_hall

DEVICE_STATES = ("ok", "paper_low", "paper_out", "cover_open", "offline", "unknown")
# What a kiosk or display may report beside itself: the kinds of peripheral the apps drive,
# and `sign-<window>` for each LED window sign of a window the hall has. Anything else would
# let one device token grow every snapshot and the overview without bound.
PERIPHERAL_KINDS = ("printer", "idcard", "scanner", "evaluator", "keypad", "speaker")
SIGN_PREFIX = "sign-"
MAX_DEVICE_ID = 64  # the column's length, enforced the same on SQLite and PostgreSQL
SILENT_PERIPHERAL_HOURS = 24  # a peripheral not heard from for a day is dropped
PERIPHERAL_TOKEN = "peripheral:"  # rows the server made for peripherals (no real token)


def report_status(
    ctx: Context,
    hall: str,
    device: str,
    status: str,
    detail: str | None,
    reporter: str | None,
) -> dict[str, Any]:
    """Store a device's health; a change is announced to supervisors and screens.

    A kiosk or display may report for itself and for the peripherals it drives, named
    `<its id>.<peripheral>` (e.g. `kiosk-1.printer`); `reporter` None is a supervisor, who
    may report for any device (clerks may not: the route refuses them).
    """
    if status not in DEVICE_STATES:
        raise Invalid("invalid_device_status", f"设备状态只能为 {', '.join(DEVICE_STATES)}")
    if reporter is not None and device != reporter and not device.startswith(reporter + "."):
        raise Forbidden("not_your_device", "只能上报本设备及其外设的状态")

    def work(tx: HallTx) -> dict[str, Any]:
        known = tx.devices.get(tx.hall, device)
        if known is None:
            known = _add_peripheral(tx, device)
        changed = known.status != status or (known.detail or None) != (detail or None)
        tx.devices.set_status(tx.hall, device, status, detail, tx.now)
        view = {
            "id": device,
            "kind": known.kind,
            "name": known.name,
            "window": known.window,
            "status": status,
            "detail": detail,
            "status_at": iso(tx.now),
        }
        if changed:
            tx.emit(EventType.DEVICE_STATUS, counts=False, device=view)
        return view

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def _add_peripheral(tx: HallTx, device: str) -> Device:
    """A peripheral first heard of: stored under the device that reports for it."""
    parent, dot, part = device.partition(".")
    owner = tx.devices.get(tx.hall, parent)
    if owner is None or not dot:
        raise NotFound("unknown_device", f"没有编号为 {device} 的设备")
    _check_peripheral(tx, part)
    added = Device(tx.hall, device, part[:16], None, owner.window, "unknown", None, None)
    tx.devices.add_peripheral(added, f"{PERIPHERAL_TOKEN}{tx.hall}:{device}")
    return added


def _check_peripheral(tx: HallTx, part: str) -> None:
    if part in PERIPHERAL_KINDS:
        return
    window = part[len(SIGN_PREFIX) :] if part.startswith(SIGN_PREFIX) else None
    if window and tx.windows.get(tx.hall, window) is not None:
        return
    raise Invalid(
        "unknown_peripheral",
        f"外设 {part[:32]} 不是可上报的外设（打印机、身份证阅读器等，或 sign-<窗口编号>）",
        {"kinds": list(PERIPHERAL_KINDS), "sign": f"{SIGN_PREFIX}<window>"},
    )


def forget_silent_peripherals(ctx: Context, hall: str) -> int:
    """Drop peripheral rows not reported for a day (a printer swapped out, a sign removed).

    Devices from the hall file stay. Returns how many rows went; the hall's cached
    snapshot is dropped with them, since no event moves its seq.
    """
    cutoff = ctx.clock() - dt.timedelta(hours=SILENT_PERIPHERAL_HOURS)
    with ctx.units.write() as repos:
        gone = repos.devices.forget_silent(hall, PERIPHERAL_TOKEN, cutoff)
    if gone:
        ctx.snapshots.pop(hall, None)
    return gone
