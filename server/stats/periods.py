"""Date ranges and months of statistics queries, and working days (工作日)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from server.domain.errors import Invalid

MAX_DAYS = 3 * 366  # longer ranges are refused: three years answer every report we know
EARLIEST = dt.date(2000, 1, 1)  # no hall kept queue records before this
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    """Business dates `start` … `end`, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        """Number of business dates in the period."""
        return (self.end - self.start).days + 1

    def dates(self) -> list[dt.date]:
        """Every date of the period in order."""
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]


def parse_period(start: str | None, end: str | None, today: dt.date) -> Period:
    """`from` / `to` query values (YYYY-MM-DD); a missing end is today, a missing start the end."""
    last = _date(end, "to", today) if end else today
    first = _date(start, "from", today) if start else last
    if first > last:
        raise Invalid("invalid_range", "开始日期不能晚于结束日期", {"from": start, "to": end})
    if (last - first).days + 1 > MAX_DAYS:
        raise Invalid("range_too_long", f"查询范围不能超过 {MAX_DAYS} 天", {"max_days": MAX_DAYS})
    return Period(first, last)


def parse_month(month: str | None, today: dt.date) -> tuple[str, Period]:
    """A month `YYYY-MM` (default: this month) and its dates."""
    text = month or f"{today:%Y-%m}"
    found = _MONTH.match(text)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise Invalid("invalid_month", "月份格式应为 YYYY-MM，例如 2026-11", {"month": month})
    year, number = int(found.group(1)), int(found.group(2))
    last = latest(today)
    if not EARLIEST <= dt.date(year, number, 1) <= last:
        raise Invalid(
            "invalid_month",
            f"月份应在 {EARLIEST:%Y-%m} 至 {last:%Y-%m} 之间",
            {"month": month, "earliest": f"{EARLIEST:%Y-%m}", "latest": f"{last:%Y-%m}"},
        )
    first = dt.date(year, number, 1)
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return text, Period(first, following - dt.timedelta(days=1))


@dataclass(frozen=True)
class WorkCalendar:
    """Which dates a hall works: Monday to Friday, minus public holidays, plus 调休 days."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()  # make-up working days on a weekend

    def is_working_day(self, day: dt.date) -> bool:
        """Whether the hall works on this date."""
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def working_days_after(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start + dt.timedelta(days=1)
        while day <= end:
            count += self.is_working_day(day)
            day += dt.timedelta(days=1)
        return count

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (a deadline of N working days)."""
        day = start
        for _ in range(days):
            day += dt.timedelta(days=1)
            while not self.is_working_day(day):
                day += dt.timedelta(days=1)
        return day


def work_calendar(settings: dict[str, object]) -> WorkCalendar:
    """The hall's calendar from its settings (`holidays = [...]`, `workdays = [...]`)."""
    return WorkCalendar(_dates_of(settings, "holidays"), _dates_of(settings, "workdays"))


def _dates_of(settings: dict[str, object], key: str) -> frozenset[dt.date]:
    found = set()
    listed = settings.get(key)
    for value in listed if isinstance(listed, list) else []:
        try:
            found.add(dt.date.fromisoformat(str(value)))
        except ValueError:
            continue
    return frozenset(found)


def latest(today: dt.date) -> dt.date:
    """The last date a query may name: the end of next year (plans and reports ahead)."""
    return dt.date(today.year + 1, 12, 31)


def _date(text: str, name: str, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise Invalid(
            "invalid_date", f"{name} 应为日期，例如 2026-11-24", {"field": name, "value": text}
        ) from None
    last = latest(today)
    if not EARLIEST <= day <= last:
        # Far-off dates overflow the date arithmetic of every report (year 9999 + 1 day).
        raise Invalid(
            "invalid_date",
            f"{name} 应在 {EARLIEST} 至 {last} 之间",
            {"field": name, "value": text, "earliest": str(EARLIEST), "latest": str(last)},
        )
    return day
