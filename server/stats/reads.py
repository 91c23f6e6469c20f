"""Read use cases of the statistics API: one consistent read of a hall per request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from server.domain.errors import Invalid
from server.domain.numbering import business_date
from server.protocol.views import iso
from server.services.context import Context
from server.stats import grouping, queries
from server.stats.periods import Period, parse_period
from server.store.layout import Layout


@dataclass(frozen=True)
class HallRead:
    """What every report of a hall needs, read in one transaction."""

    conn: Connection
    layout: Layout
    now: dt.datetime
    today: dt.date
    windows: dict[str, queries.WindowInfo]
    clerks: dict[str, str]

    def local(self, at: dt.datetime | None) -> str | None:
        """A time as people read it: the hall's wall clock, '2026-12-06 08:36'."""
        return local_minute(at, self.layout.timezone)

    def header(self, period: Period) -> dict[str, Any]:
        """The fields every report starts with."""
        return {
            "hall": self.layout.code,
            "hall_name": self.layout.name,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "generated_at": iso(self.now),
            "generated_local": self.local(self.now),
        }


def local_minute(at: dt.datetime | None, timezone: str) -> str | None:
    """'2026-12-06 08:36' in the hall's timezone (None stays None)."""
    return f"{at.astimezone(ZoneInfo(timezone)):%Y-%m-%d %H:%M}" if at else None


@contextmanager
def hall_read(ctx: Context, hall: str) -> Iterator[HallRead]:
    """A read transaction on a hall (404 `unknown_hall` when there is none)."""
    with ctx.db.read() as conn:
        layout = ctx.layout(conn, hall)
        now = ctx.clock()
        yield HallRead(
            conn=conn,
            layout=layout,
            now=now,
            today=business_date(now, layout.timezone),
            windows=queries.window_infos(conn, hall),
            clerks=queries.user_names(conn, hall),
        )


def dimension(by: str | None) -> str:
    """A `by` query value, checked."""
    value = by or "window"
    if value not in grouping.DIMENSIONS:
        raise Invalid(
            "invalid_grouping",
            "分组方式只能为 window、queue、clerk、area、hour、day 或 matter",
            {"by": by, "allowed": list(grouping.DIMENSIONS)},
        )
    return value


def statistics(
    ctx: Context, hall: str, start: str | None, end: str | None, by: str | None
) -> dict[str, Any]:
    """GET …/stats: one grouping of a date range, with the 合计 row."""
    dim = dimension(by)
    with hall_read(ctx, hall) as read:
        period = parse_period(start, end, read.today)
        stats = grouping.collect(read.conn, read.layout, period, [dim])
        return {
            **read.header(period),
            **grouping.table(stats, dim, read.layout, read.windows, read.clerks),
        }
