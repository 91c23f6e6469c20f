"""A month of the 26-window demo hall: how long statistics and downloads take, end to end.

`python -m bench.bench_export` starts the real demo server on a fresh SQLite store, inserts a
simulated month (every working day, peaks at 9–11 and 14–16) and times the supervisor's
requests over HTTP, bodies read in full. Figures only; the goal (DESIGN, issue 7) is a
month's xlsx in under 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from server.config import Settings  # noqa: E402
from server.demo.history import HistoryPlan, generate  # noqa: E402
from server.store.db import Database  # noqa: E402
from server.store.layout import load_layout  # noqa: E402
from tests.live_server import ServerProcess  # noqa: E402

GOAL_SECONDS = 10.0


def seed(data_dir: Path, plan: HistoryPlan) -> dict[str, int]:
    """Insert the plan's history into the server's store; returns rows per table."""
    db = Database(Settings(data_dir=data_dir).resolved_database_url())
    with db.write() as conn:
        layout = load_layout(conn, "demo")
        assert layout is not None
        made = dict(generate(conn, layout, plan))
    db.dispose()
    return made


def timed(client: httpx.Client, path: str, **params: str) -> tuple[float, int]:
    """Seconds and bytes of one GET, read to the end."""
    start = time.perf_counter()
    r = client.get(path, params=params)
    r.raise_for_status()
    return time.perf_counter() - start, len(r.content)


def main() -> None:
    """Seed a month, then time each request `--repeat` times and print the best and worst."""
    parser = argparse.ArgumentParser(prog="python -m bench.bench_export")
    parser.add_argument("--month", default=None, help="YYYY-MM (default: last month)")
    parser.add_argument("--scale", type=float, default=1.0, help="arrival volume factor")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    today = dt.date.today()
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if args.month:
        first = dt.date.fromisoformat(f"{args.month}-01")
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp)).start()
        try:
            started = time.perf_counter()
            made = seed(Path(tmp), HistoryPlan(first, last, scale=args.scale))
            print(f"month {first:%Y-%m}: {made} (seeded in {time.perf_counter() - started:.1f} s)")
            report(server.url, first, last, f"{first:%Y-%m}", args.repeat)
        finally:
            server.stop()
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"server peak RSS: {peak:.0f} MB")


def report(url: str, first: dt.date, last: dt.date, month: str, repeat: int) -> None:
    """Print one line per request: best and worst of `repeat` runs, and the size."""
    token = httpx.post(
        f"{url}/api/v1/auth/login", json={"username": "supervisor", "password": "demo1234"}
    ).json()["token"]
    span = {"from": first.isoformat(), "to": last.isoformat()}
    requests = [
        ("stats by window (JSON)", "/stats", {**span, "by": "window"}),
        ("stats by hour (JSON)", "/stats", {**span, "by": "hour"}),
        ("xlsx, six groupings + chart", "/stats/export.xlsx", span),
        ("xlsx with the call detail", "/stats/export.xlsx", {**span, "detail": "true"}),
        ("csv by queue", "/stats/export.csv", {**span, "by": "queue"}),
        ("csv of every call", "/stats/export.csv", {**span, "rows": "calls"}),
        ("anomaly report (JSON)", "/anomalies", {"month": month}),
        ("anomaly report (xlsx)", "/anomalies.xlsx", {"month": month}),
        ("staffing advice (8 weeks)", "/staffing", {}),
    ]
    headers = {"Authorization": f"Bearer {token}"}
    print(f"{'request':32} {'best s':>8} {'worst s':>8} {'size':>10}")
    with httpx.Client(base_url=f"{url}/api/v1/halls/demo", headers=headers, timeout=120) as c:
        for label, path, params in requests:
            runs = [timed(c, path, **params) for _ in range(repeat)]
            best, worst = min(s for s, _ in runs), max(s for s, _ in runs)
            size = runs[0][1]
            flag = ""
            if path == "/stats/export.xlsx" and "detail" not in params:
                flag = "  ok (< 10 s)" if worst < GOAL_SECONDS else "  SLOWER THAN 10 s"
            print(f"{label:32} {best:8.2f} {worst:8.2f} {size / 1024:9.0f}K{flag}")


if __name__ == "__main__":
    main()
