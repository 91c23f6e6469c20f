"""The call detail (叫号明细): one line per call, for the xlsx sheet and the csv download."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from server.domain.lifecycle import EVALUATION_LEVELS
from server.stats import queries
from server.stats.measures import SERVICE_RESULTS
from server.stats.periods import Period

if TYPE_CHECKING:
    from server.stats.reads import HallRead

DETAIL_HEADERS = (
    "日期",
    "号码",
    "业务队列",
    "窗口",
    "工作人员",
    "叫号时间",
    "结束时间",
    "重呼次数",
    "选号",
    "结果",
    "等候(分)",
    "办理时长(分)",
    "评价",
    "办理事项",  # the matter picked at the outcome, else the one chosen at the kiosk
    "办件编号",  # the case its 受理 opened (issue 18), on the 受理 call only
)
RESULT_LABELS = {
    "accepted": "受理",
    "consulted": "咨询",
    "rejected": "不予受理",
    "no_show": "过号",
    "transferred": "转移",
    "expired": "未登记结果",
    None: "办理中",
}


def detail_rows(read: HallRead, period: Period) -> Iterator[list[Any]]:
    """Values of each call of the period, in call order; times in hall-local time."""
    zone = ZoneInfo(read.layout.timezone)
    for row in queries.call_rows(read.conn, read.layout.code, period):
        waited = None
        if row.first_called_at == row.called_at:  # the ticket's first call: its wait ends
            waited = _minutes(row.called_at - row.issued_at)
        served = row.result in SERVICE_RESULTS or row.result == "transferred"
        level = row.evaluation_level if row.result in SERVICE_RESULTS else None
        yield [
            row.business_date,
            row.number,
            read.layout.queue_name(row.queue),
            row.window,
            read.clerks.get(row.clerk or "", row.clerk or ""),
            _local(row.called_at, zone),
            _local(row.ended_at, zone),
            row.recalls,
            "是" if row.out_of_order else "",
            RESULT_LABELS.get(row.result, row.result),
            waited,
            _minutes(row.ended_at - row.called_at) if served and row.ended_at else None,
            EVALUATION_LEVELS.get(level) if level else None,
            _matter_name(read, row.matter),
            row.case_no if row.result == "accepted" else None,
        ]


def _matter_name(read: HallRead, code: str | None) -> str | None:
    matter = read.layout.matters.get(code) if code else None
    return matter.name if matter else code


def _local(at: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    # Excel has no time zones: write the hall's wall-clock time.
    return at.astimezone(zone).replace(tzinfo=None) if at else None


def _minutes(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 60, 2)
