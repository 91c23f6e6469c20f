"""The live hall overview for supervisors: lines, windows, devices and what needs attention."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from server.domain.model import WindowStatus
from server.protocol.views import iso
from server.services.context import Context
from server.stats import grouping, proxy_ratings, queries
from server.stats.periods import Period
from server.stats.reads import HallRead, hall_read
from server.store import windows_repo
from server.store.tables import tickets

DEVICE_ERRORS = frozenset({"paper_out", "cover_open", "offline"})
DEVICE_WARNINGS = frozenset({"paper_low", "unknown"})
DEVICE_LABELS = {
    "ok": "正常",
    "paper_low": "纸将尽",
    "paper_out": "缺纸",
    "cover_open": "纸仓盖打开",
    "offline": "离线",
    "unknown": "状态未知",
}
TODAY = (
    "issued",
    "called",
    "accepted",
    "consulted",
    "rejected",
    "no_show",
    "transferred",
    "waiting_mean_min",
    "waiting_max_min",
    "service_mean_min",
    "rated",
    "satisfaction_rate",
)
PERIPHERALS = {"printer": "打印机", "sign": "窗口屏", "led": "窗口屏", "idcard": "身份证阅读器"}
SIGN_PREFIX = "sign-"  # a display reports each LED window sign it drives as `<id>.sign-S01`
STALE_AFTER_MIN = 10.0  # an "ok" older than this says nothing: the host may be dead
STALE_LABEL = "未上报"
STATUS_LABELS = {"open": "服务中", "paused": "暂停", "closed": "未开启"}


def overview(ctx: Context, hall: str, stale_after_min: float = STALE_AFTER_MIN) -> dict[str, Any]:
    """GET …/overview: per area and queue waiting and longest wait, windows, devices, alerts.

    A device whose last report was "ok" more than `stale_after_min` minutes ago (0: never)
    shows as 未上报 (`unknown`); a reported fault stays until the device reports otherwise.
    """
    with hall_read(ctx, hall) as read:
        lines = _lines(read)
        windows = _windows(read)
        queues = [_queue(read, code, lines, windows) for code in read.layout.queues]
        rows = queries.device_rows(read.conn, hall)
        names = {r.id: r.name or r.id for r in rows}
        zone = ZoneInfo(read.layout.timezone)
        late = read.now - dt.timedelta(minutes=stale_after_min) if stale_after_min else None
        devices = [_stale(_device(r, names), r.status_at, late, zone) for r in rows]
        today = grouping.collect(read.conn, read.layout, Period(read.today, read.today), [])
        totals = today.total.row()
        return {
            "hall": hall,
            "hall_name": read.layout.name,
            "at": iso(read.now),
            "at_local": read.local(read.now),  # the page shows this, never the browser's clock
            "business_date": read.today.isoformat(),
            "areas": [_area(code, name, queues, windows) for code, name in read.layout.areas],
            "queues": queues,
            "windows": windows,
            "devices": devices,
            "alerts": _alerts(queues, devices) + proxy_ratings.overdue_alerts(read),
            "today": {k: totals[k] for k in TODAY},
        }


def _lines(read: HallRead) -> dict[str, tuple[int, Any]]:
    """(waiting, oldest issue time) per queue today."""
    rows = read.conn.execute(
        select(tickets.c.queue, func.count(), func.min(tickets.c.issued_at))
        .where(
            tickets.c.hall == read.layout.code,
            tickets.c.business_date == read.today,
            tickets.c.status == "waiting",
        )
        .group_by(tickets.c.queue)
    )
    return {queue: (int(n), oldest) for queue, n, oldest in rows}


def _windows(read: HallRead) -> list[dict[str, Any]]:
    rows = windows_repo.list_windows(read.conn, read.layout.code)
    current: dict[str, str] = {}
    ids = [w.current_ticket for w in rows if w.current_ticket]
    if ids:
        found = read.conn.execute(
            select(tickets.c.id, tickets.c.number).where(tickets.c.id.in_(ids))
        )
        current = {r.id: r.number for r in found}
    return [
        {
            "code": w.code,
            "name": w.name,
            "area": w.area,
            "queues": list(w.queues),
            "status": w.status.value,
            "status_label": STATUS_LABELS[w.status.value],
            "clerk": read.clerks.get(w.clerk or "", w.clerk),
            "current_number": current.get(w.current_ticket or ""),
            "paused_reason": w.paused_reason,
        }
        for w in rows
    ]


def _queue(
    read: HallRead, code: str, lines: dict[str, tuple[int, Any]], windows: list[dict[str, Any]]
) -> dict[str, Any]:
    queue = read.layout.queues[code]
    waiting, oldest = lines.get(code, (0, None))
    longest = (read.now - oldest).total_seconds() / 60 if oldest is not None else None
    serving = [w for w in windows if code in w["queues"]]
    return {
        "code": code,
        "name": queue.name,
        "area": queue.area,
        "waiting": waiting,
        "longest_wait_min": round(longest, 1) if longest is not None else None,
        "alert_waiting": queue.alert_waiting,
        "over_threshold": bool(queue.alert_waiting and waiting >= queue.alert_waiting),
        "windows_open": sum(w["status"] == WindowStatus.OPEN.value for w in serving),
        "windows": [w["code"] for w in serving],
    }


def _area(
    code: str, name: str, queues: list[dict[str, Any]], windows: list[dict[str, Any]]
) -> dict[str, Any]:
    mine = [q for q in queues if q["area"] == code]
    waits = [q["longest_wait_min"] for q in mine if q["longest_wait_min"] is not None]
    status: dict[str, int] = defaultdict(int)
    for w in windows:
        if w["area"] == code:
            status[w["status"]] += 1
    return {
        "code": code,
        "name": name,
        "waiting": sum(q["waiting"] for q in mine),
        "longest_wait_min": max(waits) if waits else None,
        "windows_open": status["open"],
        "windows_paused": status["paused"],
        "windows_closed": status["closed"],
    }


def _device(row: Any, names: dict[str, str]) -> dict[str, Any]:
    kind, name, window = row.kind, row.name, row.window
    if name is None and "." in row.id:  # a peripheral (kiosk-1.printer) reported by its owner
        owner, part = row.id.split(".", 1)
        if part.startswith(SIGN_PREFIX) and len(part) > len(SIGN_PREFIX):
            kind, window = "sign", part[len(SIGN_PREFIX) :]
            name = f"{window} 窗口屏"
        else:
            name = f"{names.get(owner, owner)} {PERIPHERALS.get(part, part)}"
    return {
        "id": row.id,
        "kind": kind,
        "name": name or row.id,
        "window": window,
        "status": row.status,
        "status_label": DEVICE_LABELS.get(row.status, row.status),
        "detail": row.detail,
        "status_at": iso(row.status_at),
        "stale": False,
        "level": _level(row.status),
    }


def _level(status: str) -> str:
    if status == "ok":
        return "ok"
    return "error" if status in DEVICE_ERRORS else "warning"


def _stale(
    device: dict[str, Any], at: dt.datetime | None, late: dt.datetime | None, zone: ZoneInfo
) -> dict[str, Any]:
    """An "ok" reported at `at`, before `late`, becomes 未上报 (unknown)."""
    if device["status"] != "ok" or at is None or late is None or at >= late:
        return device
    return {
        **device,
        "status": "unknown",
        "status_label": STALE_LABEL,
        "detail": f"最后一次上报正常：{at.astimezone(zone):%m-%d %H:%M}",
        "stale": True,
        "level": _level("unknown"),
    }


def _alerts(queues: list[dict[str, Any]], devices: list[dict[str, Any]]) -> list[dict[str, Any]]:
    alerts = []
    for q in queues:
        if q["over_threshold"]:
            alerts.append(
                {
                    "level": "error",
                    "kind": "queue_waiting",
                    "queue": q["code"],
                    "message": f"{q['name']} 等候 {q['waiting']} 人，"
                    f"达到预警值 {q['alert_waiting']} 人",
                }
            )
        if q["waiting"] and not q["windows_open"]:
            alerts.append(
                {
                    "level": "error",
                    "kind": "queue_unserved",
                    "queue": q["code"],
                    "message": f"{q['name']} 有 {q['waiting']} 人等候，但没有开放的窗口",
                }
            )
    for d in devices:
        # 状态未知 is normal for devices that never report (an online channel, a display).
        if d["level"] == "error" or d["status"] == "paper_low":
            alerts.append(
                {
                    "level": d["level"],
                    "kind": "device",
                    "device": d["id"],
                    "message": f"{d['name']}：{d['status_label']}"
                    + (f"（{d['detail']}）" if d["detail"] else ""),
                }
            )
    return alerts
