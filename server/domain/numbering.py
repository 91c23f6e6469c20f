"""Ticket numbers and business dates: A001 … A999, A1000, restarting each business day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# Ranks order tickets within a hall; new arrivals get (issue seq) << RANK_SHIFT so that a
# 过号重排 re-insertion fits between two neighbours by halving the gap many times over.
RANK_SHIFT = 20


def format_number(prefix: str, n: int) -> str:
    """Return the display number: prefix + at least three digits ("A001", "BA012", "A1000")."""
    return f"{prefix}{n:03d}"


def business_date(now: dt.datetime, timezone: str) -> dt.date:
    """Return the business date of an aware `now` in the hall's timezone."""
    return now.astimezone(ZoneInfo(timezone)).date()


def local_time(now: dt.datetime, timezone: str) -> dt.time:
    """Return the hall-local wall-clock time of an aware `now`."""
    return now.astimezone(ZoneInfo(timezone)).time().replace(tzinfo=None)


def local_datetime(day: dt.date, at: dt.time, timezone: str) -> dt.datetime:
    """Return the aware instant of hall-local `day` `at`."""
    return dt.datetime.combine(day, at, tzinfo=ZoneInfo(timezone))


def arrival_rank(seq: int) -> int:
    """Return the rank of a ticket issued by the event with this hall seq."""
    return seq << RANK_SHIFT
