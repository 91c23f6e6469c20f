"""Devices of a hall: look-ups by id and token, health reports, silent peripherals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, select, update

from server.domain.records import Device
from server.store.tables import devices

_COLUMNS = (
    devices.c.hall,
    devices.c.id,
    devices.c.kind,
    devices.c.name,
    devices.c.window,
    devices.c.status,
    devices.c.detail,
    devices.c.status_at,
)


def _device(row: Any) -> Device:
    return Device(
        row.hall, row.id, row.kind, row.name, row.window, row.status, row.detail, row.status_at
    )


class DevicesRepo:
    """The `devices` table of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, hall: str, device: str) -> Device | None:
        """A device by hall and id (active or not)."""
        row = self.conn.execute(
            select(*_COLUMNS).where(devices.c.hall == hall, devices.c.id == device)
        ).first()
        return None if row is None else _device(row)

    def by_token(self, hashed: str) -> Device | None:
        """The active device whose token hashes to `hashed`."""
        row = self.conn.execute(
            select(*_COLUMNS).where(devices.c.token_hash == hashed, devices.c.active.is_(True))
        ).first()
        return None if row is None else _device(row)

    def active(self, hall: str) -> list[Device]:
        """The hall's active devices, as screens and the overview list them."""
        rows = self.conn.execute(
            select(*_COLUMNS).where(devices.c.hall == hall, devices.c.active.is_(True))
        )
        return [_device(r) for r in rows]

    def add_peripheral(self, device: Device, token_hash: str) -> None:
        """Store a peripheral first heard of in a report (its token is a marker, never real)."""
        self.conn.execute(
            devices.insert().values(
                hall=device.hall,
                id=device.id,
                kind=device.kind,
                name=device.name,
                token_hash=token_hash,
                window=device.window,
                status=device.status,
                active=True,
            )
        )

    def set_status(
        self, hall: str, device: str, status: str, detail: str | None, at: dt.datetime
    ) -> None:
        """Record a health report."""
        self.conn.execute(
            update(devices)
            .where(devices.c.hall == hall, devices.c.id == device)
            .values(status=status, detail=detail, status_at=at)
        )

    def forget_silent(self, hall: str, token_prefix: str, cutoff: dt.datetime) -> int:
        """Delete the server-made rows whose last report is older than `cutoff`."""
        gone = self.conn.execute(
            delete(devices).where(
                devices.c.hall == hall,
                devices.c.token_hash.startswith(token_prefix),
                devices.c.status_at < cutoff,
            )
        ).rowcount
        return int(gone or 0)
