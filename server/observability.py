"""Operations: structured (JSON) logs, request metrics and the Prometheus /metrics text."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import time
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from server.domain.numbering import business_date
from server.store.tables import devices, halls, waiting_counts


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (+ exception, extras)."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record."""
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("method", "path", "status", "ms", "hall"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class MaskSecrets(logging.Filter):
    """Mask the ticket secret (`s=`) and the live feed's `token=` in logged request lines.

    uvicorn logs the path with its query string: the secret there opens a citizen's ticket.
    """

    PATTERN = re.compile(r"(?<![\w-])(s|token)=[^&\s\"']*")

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the message and its arguments; never drops a record."""
        if isinstance(record.msg, str):
            record.msg = self.mask(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self.mask(a) if isinstance(a, str) else a for a in record.args)
        return True

    @classmethod
    def mask(cls, text: str) -> str:
        """The text with every secret value replaced by ***."""
        return cls.PATTERN.sub(r"\1=***", text)


ACCESS_LOGGERS = ("uvicorn.access", "uvicorn.error")  # WebSocket lines go to uvicorn.error


def mask_secrets_in_access_logs() -> None:
    """Put MaskSecrets on uvicorn's loggers (once)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskSecrets) for f in logger.filters):
            logger.addFilter(MaskSecrets())


def configure_logging(fmt: str, level: str = "INFO") -> None:
    """Set up the root logger: `json` for machines, `text` for people."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("alembic", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    mask_secrets_in_access_logs()


class Metrics:
    """Request counters of this process (each worker keeps its own, as Prometheus expects)."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.seconds: dict[tuple[str, str], float] = defaultdict(float)
        self.started = time.time()
        self._lock = threading.Lock()

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one finished request."""
        with self._lock:
            self.requests[(method, route, status)] += 1
            self.seconds[(method, route)] += seconds


def prometheus_text(
    metrics: Metrics, db: Any, subscribers: dict[str, int], now: dt.datetime | None = None
) -> str:
    """The Prometheus text exposition of this process and of the store (`now`: the clock)."""
    lines = [
        "# HELP yichuang_http_requests_total HTTP requests handled by this process.",
        "# TYPE yichuang_http_requests_total counter",
    ]
    for (method, route, status), n in sorted(metrics.requests.items()):
        lines.append(
            f'yichuang_http_requests_total{{method="{method}",route="{route}",'
            f'status="{status}"}} {n}'
        )
    lines += [
        "# HELP yichuang_http_request_seconds Time spent in requests by this process.",
        "# TYPE yichuang_http_request_seconds summary",
    ]
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for (method, route, _), n in metrics.requests.items():
        counts[(method, route)] += n
    for (method, route), seconds in sorted(metrics.seconds.items()):
        labels = f'method="{method}",route="{route}"'
        lines.append(f"yichuang_http_request_seconds_sum{{{labels}}} {seconds:.6f}")
        lines.append(f"yichuang_http_request_seconds_count{{{labels}}} {counts[(method, route)]}")
    lines += [
        "# HELP yichuang_live_subscribers Open live-feed connections of this process.",
        "# TYPE yichuang_live_subscribers gauge",
    ]
    lines += [
        f'yichuang_live_subscribers{{hall="{h}"}} {n}' for h, n in sorted(subscribers.items())
    ]
    lines += _store_lines(db, now or dt.datetime.now(dt.UTC))
    lines += [
        "# HELP yichuang_process_start_time_seconds When this process started (Unix time).",
        "# TYPE yichuang_process_start_time_seconds gauge",
        f"yichuang_process_start_time_seconds {metrics.started:.0f}",
    ]
    return "\n".join(lines) + "\n"


def _store_lines(db: Any, now: dt.datetime) -> list[str]:
    with db.read() as conn:
        known = conn.execute(select(halls.c.code, halls.c.last_seq, halls.c.timezone)).all()
        seqs = [(code, seq) for code, seq, _ in known]
        # Each hall's own business date: halls in other time zones turn the day at their
        # own midnight, and a hall with nothing issued today shows no waiting tickets.
        today = {code: business_date(now, timezone) for code, _, timezone in known}
        rows = conn.execute(
            select(
                waiting_counts.c.hall,
                waiting_counts.c.business_date,
                waiting_counts.c.queue,
                waiting_counts.c.waiting,
            )
            .where(waiting_counts.c.business_date.in_(set(today.values()) or {now.date()}))
            .order_by(waiting_counts.c.hall, waiting_counts.c.queue)
        ).all()
        waiting = [(h, q, n) for h, day, q, n in rows if today.get(h) == day]
        states = conn.execute(
            select(devices.c.hall, devices.c.status, func.count())
            .where(devices.c.active.is_(True))
            .group_by(devices.c.hall, devices.c.status)
        ).all()
    lines = [
        "# HELP yichuang_event_seq Newest event seq per hall.",
        "# TYPE yichuang_event_seq counter",
    ]
    lines += [f'yichuang_event_seq{{hall="{h}"}} {s}' for h, s in seqs]
    lines += [
        "# HELP yichuang_waiting_tickets Tickets waiting per queue (current day).",
        "# TYPE yichuang_waiting_tickets gauge",
    ]
    lines += [f'yichuang_waiting_tickets{{hall="{h}",queue="{q}"}} {n}' for h, q, n in waiting]
    lines += [
        "# HELP yichuang_devices Devices per reported status.",
        "# TYPE yichuang_devices gauge",
    ]
    lines += [f'yichuang_devices{{hall="{h}",status="{s}"}} {n}' for h, s, n in states]
    return lines
