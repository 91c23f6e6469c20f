"""Device health reports (printers out of paper, signs offline) -> `device.status` events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from server.domain.errors import Forbidden, Invalid, NotFound
from server.domain.events import EventType
from server.protocol.views import iso
from server.services.context import Context, HallTx, run_in_hall
from server.store.tables import devices

DEVICE_STATES = ("ok", "paper_low", "paper_out", "cover_open", "offline", "unknown")


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
        row = tx.conn.execute(
            select(devices).where(devices.c.hall == tx.hall, devices.c.id == device)
        ).first()
        if row is None:
            parent = device.split(".", 1)[0]
            owner = tx.conn.execute(
                select(devices).where(devices.c.hall == tx.hall, devices.c.id == parent)
            ).first()
            if owner is None or parent == device:
                raise NotFound("unknown_device", f"没有编号为 {device} 的设备")
            tx.conn.execute(
                devices.insert().values(
                    hall=tx.hall,
                    id=device,
                    kind=device.split(".", 1)[1][:16],
                    name=None,
                    token_hash=f"peripheral:{tx.hall}:{device}",
                    window=owner.window,
                    status="unknown",
                    active=True,
                )
            )
            row = tx.conn.execute(
                select(devices).where(devices.c.hall == tx.hall, devices.c.id == device)
            ).first()
        assert row is not None
        changed = row.status != status or (row.detail or None) != (detail or None)
        tx.conn.execute(
            update(devices)
            .where(devices.c.hall == tx.hall, devices.c.id == device)
            .values(status=status, detail=detail, status_at=tx.now)
        )
        view = {
            "id": device,
            "kind": row.kind,
            "name": row.name,
            "window": row.window,
            "status": status,
            "detail": detail,
            "status_at": iso(tx.now),
        }
        if changed:
            tx.emit(EventType.DEVICE_STATUS, counts=False, device=view)
        return view

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result
