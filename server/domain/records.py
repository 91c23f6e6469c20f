"""Plain records the store hands the services: devices, appointments, leases, staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Device:
    """A device of a hall (kiosk, display, sign) or a peripheral one reports for."""

    hall: str
    id: str
    kind: str
    name: str | None
    window: str | None
    status: str
    detail: str | None
    status_at: dt.datetime | None


@dataclass(frozen=True)
class Appointment:
    """A booked slot (统一预约) and what became of it."""

    code: str
    hall: str
    queue: str
    slot_start: dt.datetime
    slot_end: dt.datetime
    applicant_name: str | None
    id_hash: str | None
    id_masked: str | None
    phone: str | None
    status: str  # booked / checked_in / cancelled
    created_at: dt.datetime
    ticket_id: str | None = None


@dataclass(frozen=True)
class Lease:
    """Who holds a role in a hall, since when and until when."""

    hall: str
    name: str
    holder: str
    acquired_at: dt.datetime
    expires_at: dt.datetime

    def live(self, now: dt.datetime) -> bool:
        """True while the lease has not run out."""
        return self.expires_at > now


@dataclass(frozen=True)
class StaffUser:
    """A staff account as signing in needs it."""

    username: str
    hall: str
    name: str
    role: str
    password_hash: str
    windows: tuple[str, ...]
    password_changed_at: dt.datetime | None = None  # None: still the hall file's password


@dataclass(frozen=True)
class StaffSession:
    """A live staff session and who it belongs to."""

    username: str
    role: str
    hall: str
    name: str
    expires_at: dt.datetime
    last_seen_at: dt.datetime | None = None  # the idle timeout counts from here
    must_change: bool = False  # the session may only change its password
