"""Windows: their rows, their runtime state, and the work done at them without a ticket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, bindparam, select, update

from server.domain.model import CallPolicy, GreenMode, Window, WindowStatus
from server.store.fast import Fast
from server.store.tables import walk_ins, windows

# Built once with bind parameters, like the ticket statements (see store.repo).
_GET_WINDOW = select(windows).where(
    windows.c.hall == bindparam("hall"),
    windows.c.code == bindparam("code"),
    windows.c.active.is_(True),
)
_LIST_WINDOWS = (
    select(windows)
    .where(windows.c.hall == bindparam("hall"), windows.c.active.is_(True))
    .order_by(windows.c.position)
)
_SAVE_WINDOW = update(windows).where(
    windows.c.hall == bindparam("b_hall"), windows.c.code == bindparam("b_code")
)
SERVING = (
    select(windows.c.code, windows.c.status, windows.c.queues)
    .where(windows.c.hall == bindparam("hall"), windows.c.active.is_(True))
    .order_by(windows.c.position)
)

# PostgreSQL reads these with the hall lock (halls_repo): what a window's use case loads
HALL_WINDOWS = (
    select(
        windows.c.code,
        windows.c.name,
        windows.c.area,
        windows.c.queues,
        windows.c.config,
        windows.c.status,
        windows.c.clerk,
        windows.c.current_ticket,
        windows.c.paused_reason,
        windows.c.normal_since_green,
    )
    .where(windows.c.hall == bindparam("hall"), windows.c.active.is_(True))
    .order_by(windows.c.position)
)
_HALL_WINDOW_KEYS = [str(c.key) for c in HALL_WINDOWS.selected_columns]

_FAST_GET_WINDOW = Fast(_GET_WINDOW)
_FAST_SERVING = Fast(SERVING)
_FAST_SAVE_WINDOW = Fast(
    _SAVE_WINDOW,
    ["queues", "status", "clerk", "current_ticket", "paused_reason", "normal_since_green"],
)


def serving(conn: Connection, hall: str) -> list[tuple[str, str, list[str]]]:
    """(code, status, queues) of every active window: what a ticket's estimate needs."""
    return [(c, s, list(q)) for c, s, q in _FAST_SERVING.rows(conn, {"hall": hall})]


def window_from_row(row: Row[Any] | Any) -> Window:
    """Build a Window (rules + runtime state) from a windows row."""
    m = row if isinstance(row, Mapping) else row._mapping
    cfg = m["config"]
    return Window(
        code=m["code"],
        name=m["name"],
        area=m["area"],
        queues=tuple(m["queues"]),
        policy=CallPolicy(cfg.get("policy", "fifo")),
        weights=tuple((cfg.get("weights") or {}).items()),
        green_mode=GreenMode(cfg.get("green_mode", "first")),
        green_interleave=int(cfg.get("green_interleave", 3)),
        status=WindowStatus(m["status"]),
        clerk=m["clerk"],
        current_ticket=m["current_ticket"],
        paused_reason=m["paused_reason"],
        normal_since_green=m["normal_since_green"],
    )


def window_rows(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """HALL_WINDOWS rows as the driver gave them, by column (Windows are built when asked)."""
    return [dict(zip(_HALL_WINDOW_KEYS, r, strict=True)) for r in rows]


def get_window(conn: Connection, hall: str, code: str) -> Window | None:
    """Load one active window."""
    rows = _FAST_GET_WINDOW.mappings(conn, {"hall": hall, "code": code})
    return window_from_row(rows[0]) if rows else None


def list_windows(conn: Connection, hall: str) -> list[Window]:
    """All active windows of a hall in display order."""
    return [window_from_row(r) for r in conn.execute(_LIST_WINDOWS, {"hall": hall})]


def save_window(conn: Connection, hall: str, window: Window) -> None:
    """Write a window's runtime state."""
    _FAST_SAVE_WINDOW.run(
        conn,
        {
            "b_hall": hall,
            "b_code": window.code,
            "queues": list(window.queues),
            "status": window.status.value,
            "clerk": window.clerk,
            "current_ticket": window.current_ticket,
            "paused_reason": window.paused_reason,
            "normal_since_green": window.normal_since_green,
        },
    )


class WindowsRepo:
    """Windows of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # serving() per hall, kept up to date by save(): a call reads it twice otherwise
        self._serving: dict[str, list[tuple[str, str, list[str]]]] = {}
        # PostgreSQL: the hall's windows as read with its lock (a row until asked for), kept
        # up to date by save()
        self._windows: dict[str, dict[str, Window | dict[str, Any]]] = {}

    def forget(self) -> None:
        """Drop what was read (a savepoint rolled back writes the cache had seen)."""
        self._serving.clear()
        self._windows.clear()

    def get(self, hall: str, code: str) -> Window | None:
        """One active window."""
        known = self._windows.get(hall)
        if known is None:
            return get_window(self.conn, hall, code)
        found = known.get(code)
        if isinstance(found, dict):  # built once, when a use case needs it
            found = known[code] = window_from_row(found)
        return found

    def in_hall(self, hall: str) -> list[Window]:
        """All active windows of a hall in display order."""
        return list_windows(self.conn, hall)

    def save(self, hall: str, window: Window) -> None:
        """Write a window's runtime state."""
        save_window(self.conn, hall, window)
        known = self._windows.get(hall)
        if known is not None:
            known[window.code] = window
        rows = self._serving.get(hall)
        if rows is not None:
            self._serving[hall] = [
                (c, window.status.value, list(window.queues)) if c == window.code else (c, s, q)
                for c, s, q in rows
            ]

    def prime(self, hall: str, rows: list[dict[str, Any]]) -> None:
        """Take the hall's window rows, read along with the hall lock (PostgreSQL)."""
        self._windows[hall] = {r["code"]: r for r in rows}
        self._serving[hall] = [(r["code"], r["status"], list(r["queues"])) for r in rows]

    def serving(self, hall: str) -> list[tuple[str, str, list[str]]]:
        """(code, status, queues) of every active window."""
        if hall not in self._serving:
            self._serving[hall] = serving(self.conn, hall)
        return [(c, s, list(q)) for c, s, q in self._serving[hall]]

    def add_walk_in(
        self,
        hall: str,
        day: dt.date,
        window: str,
        clerk: str,
        at: dt.datetime,
        outcome: str,
        matter: str | None,
    ) -> None:
        """Log work done at a window without a ticket."""
        self.conn.execute(
            walk_ins.insert().values(
                hall=hall,
                business_date=day,
                window=window,
                clerk=clerk,
                at=at,
                outcome=outcome,
                matter=matter,
            )
        )

    def schedules(self, hall: str) -> list[tuple[Window, list[Any], str | None]]:
        """(window, tidal schedule, last applied mark) of every active window."""
        rows = self.conn.execute(
            select(windows).where(windows.c.hall == hall, windows.c.active.is_(True))
        ).all()
        return [(window_from_row(r), r.config.get("schedule", []), r.schedule_mark) for r in rows]

    def mark_schedule(self, hall: str, code: str, mark: str) -> None:
        """Remember the schedule entry last applied to a window."""
        self.conn.execute(
            update(windows)
            .where(windows.c.hall == hall, windows.c.code == code)
            .values(schedule_mark=mark)
        )
