"""`python -m bench` (or `make bench`): the benchmark table of DESIGN §7, with floors.

Runs SQLite with one worker and, when a PostgreSQL URL is given (YICHUANG_BENCH_PG_URL or
YICHUANG_TEST_PG_URL), PostgreSQL with four workers. Figures only: nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench import bench_core, floors
from bench.harness import ServerProcess, write_hall

Row = tuple[str, str, str]


def main() -> None:
    """Run every configuration and print one table."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--subscribers", type=int, nargs="*", default=[200, 1000])
    parser.add_argument("--rss-clients", type=int, default=500)
    args = parser.parse_args()
    pg_url = os.environ.get("YICHUANG_BENCH_PG_URL") or os.environ.get("YICHUANG_TEST_PG_URL")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        floor = floors.bare_insert_rate(work, args.seconds)
        broadcast = {n: floors.bare_broadcast(n) for n in args.subscribers}
        configs = [("SQLite, 1 worker", None, 1)]
        if pg_url:
            configs.append(("PostgreSQL, 4 workers", pg_url, 4))
        for label, url, workers in configs:
            rows += run_config(
                work / label.split(",")[0], label, url, workers, args, floor, broadcast
            )
    print_table(rows)


def run_config(
    work: Path,
    label: str,
    pg_url: str | None,
    workers: int,
    args: argparse.Namespace,
    floor: dict[str, float],
    broadcast: dict[int, dict[str, float]],
) -> list[Row]:
    """The rows of one configuration."""
    rows: list[Row] = []
    with ExitStack() as stack:
        env = {}
        if pg_url:
            from tests.pgschema import fresh_schema

            env["YICHUANG_DATABASE_URL"] = stack.enter_context(fresh_schema(pg_url))
        work.mkdir(parents=True, exist_ok=True)
        server = ServerProcess(
            work / "data", [write_hall(work / "city.toml")], env=env, workers=workers
        ).start()
        stack.callback(server.stop)
        # Memory first, on a hall with a realistic line (the rate runs below leave thousands).
        rss = bench_core.ws_latency(server, args.rss_clients, calls=5)["rss_mb"]
        issue = bench_core.issue_rate(server, args.seconds)
        rows.append(
            (
                f"ticket issue — {label}",
                f"{issue['rps']:.0f}/s, p99 {issue['p99_ms']:.0f} ms",
                f"bare INSERT {floor['rps']:.0f}/s: ratio {issue['rps'] / floor['rps']:.3f}",
            )
        )
        call = bench_core.call_rate(server, seconds=args.seconds)
        rows.append(
            (
                f"call-next (+ outcome) — {label}",
                f"{call['rps']:.0f}/s, p99 {call['p99_ms']:.0f} ms",
                "—",
            )
        )
        for n in args.subscribers:
            lat = bench_core.ws_latency(server, n)
            bare = broadcast[n]
            rows.append(
                (
                    f"call → WS, {n} screens — {label}",
                    f"p50 {lat['p50_ms']:.1f} ms, p99 {lat['p99_ms']:.1f} ms "
                    f"({lat['delivered']:.0%} delivered)",
                    f"bare broadcast p99 {bare['p99_ms']:.1f} ms: ratio "
                    f"{lat['p99_ms'] / bare['p99_ms']:.1f}",
                )
            )
        rss = bench_core.ws_latency(server, args.rss_clients, calls=5)["rss_mb"]
        rows.append(
            (
                f"server RSS, {args.rss_clients} WS clients — {label}",
                f"{rss:.0f} MB",
                "target ≤ 200 MB",
            )
        )
    return rows


def print_table(rows: list[Row]) -> None:
    """Print aligned columns."""
    w1 = max(len(r[0]) for r in rows)
    w2 = max(len(r[1]) for r in rows)
    print(f"{'benchmark'.ljust(w1)}  {'result'.ljust(w2)}  floor (same run)")
    for name, result, floor_text in rows:
        print(f"{name.ljust(w1)}  {result.ljust(w2)}  {floor_text}")


if __name__ == "__main__":
    main()
