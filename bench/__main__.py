"""`python -m bench` (or `make bench`): the benchmark table of DESIGN §7, with floors."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench import bench_core, floors
from bench.harness import ServerProcess, rss_mb, write_hall


def main() -> None:
    """Run the server benchmarks and print one table."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--subscribers", type=int, nargs="*", default=[200])
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = ServerProcess(work / "data", [write_hall(work / "city.toml")]).start()
        try:
            issue = bench_core.issue_rate(server, args.seconds)
            floor = floors.bare_insert_rate(work, args.seconds)
            print("issue", issue, "floor", floor, flush=True)
            rows.append(
                (
                    "ticket issue (SQLite, 1 worker)",
                    f"{issue['rps']:.0f}/s "
                    f"p99 {issue['p99_ms']:.1f} ms, {issue['non2xx']:.0f} non-2xx",
                    f"bare INSERT {floor['rps']:.0f}/s → {issue['rps'] / floor['rps']:.2f}×",
                )
            )
            call = bench_core.call_rate(server, seconds=args.seconds)
            rows.append(
                (
                    "call-next (+ outcome), 8 windows",
                    f"{call['rps']:.0f}/s "
                    f"p99 {call['p99_ms']:.1f} ms, {call['non2xx']:.0f} non-2xx",
                    "—",
                )
            )
            for n in args.subscribers:
                lat = bench_core.ws_latency(server, n)
                bare = floors.bare_broadcast(n)
                rows.append(
                    (
                        f"call → WS delivery, {n} screens",
                        f"p50 {lat['p50_ms']:.1f} ms, p99 {lat['p99_ms']:.1f} ms",
                        f"bare broadcast p99 {bare['p99_ms']:.1f} ms",
                    )
                )
            assert server.proc is not None
            rows.append(("server RSS after the run", f"{rss_mb(server.proc.pid):.0f} MB", ""))
        finally:
            server.stop()
    width = max(len(r[0]) for r in rows)
    print(f"{'benchmark'.ljust(width)}  {'result':<44} floor (same run)")
    for name, result, floor_text in rows:
        print(f"{name.ljust(width)}  {result:<44} {floor_text}")


if __name__ == "__main__":
    main()
