"""`python -m bench` (or `make bench`): the benchmark table of DESIGN §7, with floors.

Runs SQLite with one worker and, when a PostgreSQL URL is given (--pg-url,
YICHUANG_BENCH_PG_URL or YICHUANG_TEST_PG_URL), PostgreSQL with four workers; every figure
beside a floor measured in the same run under the same uvicorn and worker count. Prints one
Markdown table. Figures only: nothing here asserts. `--quick` is a smoke run (seconds, not
minutes) whose figures are not the ones to quote.

Two other modes print their own table instead:
- `--baseline REV` (bench.compare): the code of REV built in a temporary git worktree and the
  current tree, side by side in the same run, with the ratio current ÷ baseline;
- `--province` (bench.province): many halls and thousands of screens under an open-loop load.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from bench import bench_core, bench_printer, compare, floors, province
from bench.harness import ServerProcess, analyze, write_hall
from bench.table import Measured, Stub, render

FULL = {
    "seconds": 5,
    "subscribers": [200, 1000],
    "rss_clients": 500,
    "calls": 100,
    "runs": 500,
    "rounds": 3,
}
QUICK = {
    "seconds": 1,
    "subscribers": [200],
    "rss_clients": 100,
    "calls": 20,
    "runs": 50,
    "rounds": 1,
}
STARTED = time.monotonic()


def log(text: str) -> None:
    """Progress on stderr, so that stdout is the table alone."""
    print(f"bench [{time.monotonic() - STARTED:5.0f} s] {text}", file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    """Options; --quick changes the defaults of the others."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--quick", action="store_true", help="a smoke run of about a minute")
    parser.add_argument(
        "--seconds", type=int, help="length of each wrk run (5); --province: of the run (60)"
    )
    parser.add_argument("--subscribers", type=int, nargs="+", help="screens (200 1000)")
    parser.add_argument("--rss-clients", type=int, help="screens for the RSS rows (500)")
    parser.add_argument("--calls", type=int, help="measured calls per latency row (100)")
    parser.add_argument("--runs", type=int, help="stub renders (500)")
    parser.add_argument("--pg-url", help="postgresql+psycopg://… (default: the environment)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--baseline", metavar="REV", help="compare with the code of REV")
    parser.add_argument("--rounds", type=int, help="--baseline: runs per tree (3)")
    parser.add_argument("--province", action="store_true", help="the 1,000-hall scenario")
    parser.add_argument("--halls", type=int, default=1000, help="--province: halls (1000)")
    parser.add_argument("--rate", type=float, default=150.0, help="--province: tickets/s (150)")
    parser.add_argument("--zipf", type=float, default=0.8, help="--province: hall skew (0.8)")
    parser.add_argument("--drivers", type=int, default=2, help="--province: driver processes")
    parser.add_argument("--profile", action="store_true", help="--province: py-spy the server")
    parser.add_argument("--keep", type=Path, help="--province --profile: keep the raw stacks here")
    args = parser.parse_args()
    if args.province and args.seconds is None:
        args.seconds = 60
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if not args.no_pg and not args.pg_url:
        args.pg_url = os.environ.get("YICHUANG_BENCH_PG_URL") or os.environ.get(
            "YICHUANG_TEST_PG_URL"
        )
    return args


def main() -> None:
    """Run every configuration and print one table."""
    args = parse_args()
    if args.baseline:
        print(compare.run(args, log))
        return
    if args.province:
        print(province.run(args, log))
        return
    log(f"printed stub, {args.runs} renders")
    stub = Stub(
        bench_printer.STANDARD_80MM, *bench_printer.measure(bench_printer.STANDARD_80MM, args.runs)
    )
    broadcast = {}
    for n in args.subscribers:
        log(f"floor: bare broadcast to {n} screens")
        broadcast[n] = floors.bare_broadcast(n, args.calls)
    configs: list[Measured | str] = []
    with tempfile.TemporaryDirectory() as tmp:
        configs.append(run_config(Path(tmp) / "sqlite", Measured("SQLite, 1 worker", 1), args))
        if args.pg_url and not args.no_pg:
            pg = Measured("PostgreSQL, 4 workers", 4)
            configs.append(run_config(Path(tmp) / "pg", pg, args, args.pg_url))
        else:
            configs.append("not run: no --pg-url / YICHUANG_BENCH_PG_URL")
    print(render(configs, args.subscribers, broadcast, args.rss_clients, stub))
    print()
    print(
        f"ratio = result ÷ floor (rates: higher is better; latency and memory: lower). "
        f"wrk runs of {args.seconds} s; {args.calls} calls per latency row; "
        f"{time.monotonic() - STARTED:.0f} s in all{'; QUICK smoke run' if args.quick else ''}."
    )


def run_config(
    work: Path, m: Measured, args: argparse.Namespace, pg_url: str | None = None
) -> Measured:
    """Floors, then the server: RSS on a fresh server, rates, latencies, RSS after."""
    log(f"{m.label}: floors (bare INSERT, bare UPDATE … RETURNING, bare websockets RSS)")
    db = floors.db_floors(work / "floor", args.seconds, m.workers, pg_url)
    m.insert_floor, m.take_floor = db["insert"], db["take"]
    m.rss_floor = floors.bare_rss(args.rss_clients, m.workers)
    with ExitStack() as stack:
        env = {}
        if pg_url:
            from tests.pgschema import fresh_schema

            env["YICHUANG_DATABASE_URL"] = stack.enter_context(fresh_schema(pg_url))
        work.mkdir(parents=True, exist_ok=True)
        server = ServerProcess(
            work / "data", [write_hall(work / "city.toml")], env=env, workers=m.workers
        ).start()
        stack.callback(server.stop)
        log(f"{m.label}: RSS with {args.rss_clients} screens on the fresh server")
        m.rss_fresh = bench_core.rss_with_screens(server, args.rss_clients)
        log(f"{m.label}: ticket issue rate")
        m.issue = bench_core.issue_rate(server, args.seconds)
        if pg_url:  # statistics, as autovacuum keeps them in a store in service
            analyze(env["YICHUANG_DATABASE_URL"])
        log(f"{m.label}: call-next rate")
        m.call = bench_core.call_rate(server, seconds=args.seconds)
        for n in args.subscribers:
            log(f"{m.label}: call → WS, {n} screens")
            m.latency[n] = bench_core.ws_latency(server, n, args.calls)
        log(f"{m.label}: RSS with {args.rss_clients} screens after the runs")
        m.rss_after = bench_core.rss_with_screens(server, args.rss_clients)
    return m


if __name__ == "__main__":
    main()
