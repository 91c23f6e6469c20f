"""Department-reported volumes (专窗业务量报送): per window and month, typed or uploaded."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete

from server.domain.errors import Invalid
from server.protocol.views import iso
from server.services.context import Context, HallTx, run_in_hall
from server.stats import queries
from server.stats.periods import parse_month
from server.stats.reads import hall_read, local_minute
from server.store.layout import Layout
from server.store.tables import reported_volumes

OUTCOME_KEYS = ("accepted", "consulted", "rejected", "no_show")
MAX_VOLUME = 1_000_000


@dataclass(frozen=True)
class VolumeItem:
    """One window's reported month: the department, the total and optional outcome counts."""

    window: str
    volume: int | None  # None removes the window's report
    department: str | None = None
    detail: dict[str, int] = field(default_factory=dict)


def suggested_department(layout: Layout, queues: tuple[str, ...]) -> str:
    """The department a window reports for: the one of its matters, or 多部门综合."""
    found = Counter(
        m.department for m in layout.matters.values() if m.queue in queues and m.department
    )
    if len(found) == 1:
        return next(iter(found))
    return "多部门综合" if found else ""


def list_volumes(ctx: Context, hall: str, month: str | None) -> dict[str, Any]:
    """GET …/reported-volumes: the month's reports and every window to report for."""
    with hall_read(ctx, hall) as read:
        text, _ = parse_month(month, read.today)
        return _listing(read.conn, read.layout, text)


def _listing(conn: Connection, layout: Layout, month: str) -> dict[str, Any]:
    rows = {r.window: r for r in queries.reported(conn, layout.code, month)}
    items = []
    for w in queries.window_infos(conn, layout.code).values():
        if not w.active and w.code not in rows:
            continue
        row = rows.get(w.code)
        items.append(
            {
                "window": w.code,
                "window_name": w.name,
                "department": row.department if row else None,
                "suggested_department": suggested_department(layout, w.all_queues),
                "volume": row.volume if row else None,
                "detail": (row.detail or {}) if row else {},
                "updated_at": iso(row.updated_at) if row else None,
                "updated_local": local_minute(row.updated_at, layout.timezone) if row else None,
                "updated_by": row.updated_by if row else None,
            }
        )
    return {"hall": layout.code, "month": month, "items": items}


def save_volumes(
    ctx: Context, hall: str, month: str, items: list[VolumeItem], by: str
) -> dict[str, Any]:
    """PUT …/reported-volumes: store the listed windows' reports in one transaction."""

    def work(tx: HallTx) -> dict[str, Any]:
        text, _ = parse_month(month, tx.today)
        known = set(queries.window_infos(tx.conn, hall))
        problems = check_items(items, known)
        if problems:
            raise Invalid("invalid_volumes", "报送数据有误：" + problems[0]["problem"], problems)
        for item in items:
            tx.conn.execute(
                delete(reported_volumes).where(
                    reported_volumes.c.hall == hall,
                    reported_volumes.c.month == text,
                    reported_volumes.c.window == item.window,
                )
            )
            if item.volume is None:
                continue
            tx.conn.execute(
                reported_volumes.insert().values(
                    hall=hall,
                    month=text,
                    window=item.window,
                    department=(item.department or "").strip() or None,
                    volume=item.volume,
                    detail=item.detail or None,
                    updated_at=tx.now,
                    updated_by=by,
                )
            )
        return _listing(tx.conn, tx.layout, text)

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def check_items(items: list[VolumeItem], windows: set[str]) -> list[dict[str, Any]]:
    """What is wrong with the items, as [{window, problem}] (empty when all is well)."""
    problems = []
    seen: set[str] = set()
    for item in items:
        problem = None
        if item.window not in windows:
            problem = f"没有编号为 {item.window} 的窗口"
        elif item.window in seen:
            problem = f"窗口 {item.window} 重复填报"
        elif item.volume is not None and not 0 <= item.volume <= MAX_VOLUME:
            problem = f"窗口 {item.window} 的业务量应在 0 至 {MAX_VOLUME} 之间"
        elif set(item.detail) - set(OUTCOME_KEYS):
            problem = f"窗口 {item.window} 的分项只能为受理、咨询、不予受理、过号"
        elif any(not 0 <= n <= MAX_VOLUME for n in item.detail.values()):
            problem = f"窗口 {item.window} 的分项数量无效"
        elif item.department and len(item.department) > 100:
            problem = f"窗口 {item.window} 的部门名称过长"
        seen.add(item.window)
        if problem:
            problems.append({"window": item.window, "problem": problem})
    return problems
