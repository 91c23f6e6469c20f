"""Sign-in throttling rules: a growing delay per user name and address, never a lock-out."""

from __future__ import annotations

import datetime as dt
import math

MAX_DELAY_SECONDS = 300  # one guess per five minutes at most; a clerk never waits that long


def retry_delay(failures: int, free: int) -> float:
    """Seconds a user name + address pair waits after its last failure: 0, 1, 2, 4 … 300."""
    if failures < free:
        return 0.0
    return float(min(2 ** (failures - free), MAX_DELAY_SECONDS))


def seconds_left(since: dt.datetime, wait: float, now: dt.datetime) -> int:
    """Whole seconds (at least 1) until `wait` seconds after `since`; 0 once they passed."""
    left = (since - now).total_seconds() + wait
    return max(1, math.ceil(left)) if left > 0 else 0
