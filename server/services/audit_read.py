"""The auditor's view of the trail: filtered records with hall-local times, csv and xlsx."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.errors import Invalid
from server.services.audit import NO_HALL
from server.services.context import Context

COLUMNS = (
    ("seq", "序号"),
    ("at_local", "时间（大厅当地）"),
    ("at", "时间（UTC）"),
    ("who", "操作人"),
    ("role", "角色"),
    ("address", "来源地址"),
    ("action", "操作"),
    ("object", "对象"),
    ("result", "结果"),
    ("code", "代码"),
    ("details", "详情"),
    ("hash", "校验值"),
)
MAX_ROWS = 10000


def _day(text: str | None, name: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid("invalid_date", f"日期 {name} 应为 YYYY-MM-DD 格式") from None


def records(
    ctx: Context,
    hall: str,
    *,
    who: str | None = None,
    action: str | None = None,
    start: str | None = None,
    end: str | None = None,
    limit: int = 500,
) -> dict[str, Any]:
    """A hall's records (and those of no hall) newest first; dates are hall-local, inclusive."""
    first, last = _day(start, "from"), _day(end, "to")
    if first and last and first > last:
        raise Invalid("invalid_range", "开始日期不能晚于结束日期")
    with ctx.units.read() as repos:
        zone = ZoneInfo(ctx.layout_of(repos, hall).timezone)
        since = dt.datetime.combine(first, dt.time(), zone) if first else None
        until = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone) if last else None
        rows = repos.audit.find(
            [hall, NO_HALL], who=who, action=action, since=since, until=until, limit=limit
        )
    for row in rows:
        at = dt.datetime.fromisoformat(row["at"])
        row["at_local"] = at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    return {"hall": hall, "records": rows, "count": len(rows)}


def as_csv(found: dict[str, Any]) -> bytes:
    """The records as csv (UTF-8 with BOM, so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in COLUMNS])
    for row in found["records"]:
        writer.writerow([_safe(row.get(key)) for key, _ in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()


def as_xlsx(found: dict[str, Any]) -> bytes:
    """The records as an xlsx workbook."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("审计记录")
    sheet.append([label for _, label in COLUMNS])
    for row in found["records"]:
        sheet.append([_safe(row.get(key)) for key, _ in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(value: Any) -> Any:
    """Text that a spreadsheet would take for a formula is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def local_now(ctx: Context, hall: str) -> str:
    """Now, hall-local, as people read it."""
    with ctx.units.read() as repos:
        zone = ZoneInfo(ctx.layout_of(repos, hall).timezone)
    return ctx.clock().astimezone(zone).strftime("%Y-%m-%d %H:%M")
