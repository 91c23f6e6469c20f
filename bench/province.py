"""`python -m bench --province`: a province's halls on one box (DESIGN §7, issue 14).

PostgreSQL with 4 workers serves `--halls` halls (20 windows, 15 queues, 3 screens each),
every screen a live websocket held by bench.province_screens processes, while
bench.province_driver processes send `--rate` tickets/s and as many calls/s with their
outcomes for `--seconds`, open-loop, spread over the halls by a Zipf law (`--zipf`). Prints
p50/p99 of issue and call, call → screen p99, errors and the RSS of the server's processes
and of the clients' apart.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from bench import halls, profile
from bench.harness import percentile, rss_mb, spawn, stop
from bench.province_driver import zipf_weights
from bench.trees import ROOT, TreeServer, head_label

SHAPE = halls.HallShape(windows=20, queues=15, screens=3, served=3)
SCREENS_PER_PROCESS = 250
LAG = 2.0  # seconds from a ticket's issue to its call
SETTLE = 2.0  # seconds after the last answer before the screens report
TARGETS = {"p99_ms": 300.0, "screen_p99_ms": 1000.0, "rss_mb": 1536.0}


def run(args: argparse.Namespace, log: Callable[[str], None]) -> str:
    """Start everything, drive the load, return the report."""
    if not args.pg_url or args.no_pg:
        return "province: not run: it needs PostgreSQL (--pg-url or YICHUANG_BENCH_PG_URL)"
    from tests.pgschema import fresh_schema

    codes = [halls.hall_code(i) for i in range(1, args.halls + 1)]
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-province-")))
        log(f"province: {len(codes)} hall files")
        files = halls.write_halls(tmp / "halls", codes, SHAPE)
        db = stack.enter_context(fresh_schema(args.pg_url))
        log("province: starting the server (PostgreSQL, 4 workers)")
        started = time.monotonic()
        server = TreeServer(
            ROOT, tmp / "data", files, workers=4, env={"YICHUANG_DATABASE_URL": db}
        ).start(timeout=1800)
        stack.callback(server.stop)
        startup = time.monotonic() - started
        screens = _screens(stack, server.url, codes, tmp, log)
        plan = {
            "url": server.url,
            "codes": codes,
            "halls": len(codes),
            "rate": args.rate,
            "seconds": args.seconds,
            "lag": LAG,
            "zipf": args.zipf,
            "seed": 14,
            "drivers": args.drivers,
            "shape": SHAPE.__dict__,
        }
        (tmp / "plan.json").write_text(json.dumps(plan))
        log(f"province: {args.drivers} drivers sign in their windows")
        drivers = [
            _ready(
                stack,
                [sys.executable, "-m", "bench.province_driver", str(tmp / "plan.json"), str(i)],
            )
            for i in range(args.drivers)
        ]
        assert server.proc is not None
        sampler = RssSampler(server.proc.pid, [p.pid for p in screens + drivers])
        sampler.start()
        spy = None
        if args.profile:  # the server's GIL samples over the drive (bench.profile's costs)
            spy = profile.record(
                profile.find_py_spy(None), server.proc.pid, tmp / "stacks.txt", args.seconds, 100
            )
        go = time.monotonic_ns() + 500_000_000
        log(f"province: GO: {args.rate:g} tickets/s and calls/s for {args.seconds} s")
        for d in drivers:
            assert d.stdin is not None
            d.stdin.write(f"GO {go}\n")
            d.stdin.flush()
        results = [json.loads(_last_line(d)) for d in drivers]
        elapsed = (time.monotonic_ns() - go) / 1e9
        time.sleep(SETTLE)
        sampler.stop()
        reports = [json.loads(_last_line(s, "DONE\n")) for s in screens]
        text = render(args, results, reports, sampler, startup, elapsed)
        if spy is not None:
            spy.wait(timeout=300)
            answered = sum(
                len(r["issue_ms"]) + len(r["call_ms"]) + len(r["outcome_ms"]) for r in results
            )
            if args.keep:
                shutil.copy(tmp / "stacks.txt", args.keep)
            stacks = profile.parse((tmp / "stacks.txt").read_text())
            text += "\n\n" + profile.report("where the server's time went", stacks, 100, answered)
    return text


def _ready(stack: ExitStack, argv: list[str]) -> subprocess.Popen[str]:
    """A child that prints READY when it is set up."""
    proc = spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    stack.callback(stop, proc)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != "READY":
        raise RuntimeError(f"{argv[2]} did not start: {line!r}")
    return proc


def _last_line(proc: subprocess.Popen[str], say: str = "") -> str:
    out, _ = proc.communicate(say or None, timeout=900)
    return out.strip().splitlines()[-1]


def _screens(
    stack: ExitStack, url: str, codes: list[str], tmp: Path, log: Callable[[str], None]
) -> list[subprocess.Popen[str]]:
    """Three live connections per hall, as the hall's three display devices."""
    base = url.replace("http", "ws")
    urls = [
        f"{base}/api/v1/halls/{c}/live?token={halls.screen_token(c, n)}"
        for c in codes
        for n in range(1, SHAPE.screens + 1)
    ]
    (tmp / "screens.txt").write_text("\n".join(urls))
    log(f"province: {len(urls)} screens connect")
    module = [sys.executable, "-m", "bench.province_screens", str(tmp / "screens.txt")]
    return [
        _ready(stack, [*module, str(i), str(SCREENS_PER_PROCESS)])
        for i in range(0, len(urls), SCREENS_PER_PROCESS)
    ]


class RssSampler(threading.Thread):
    """The peak RSS (MB) of the server's processes and of the clients', sampled every second."""

    def __init__(self, server: int, clients: list[int]) -> None:
        super().__init__(daemon=True)
        self.server, self.clients = server, clients
        self.server_peak = self.clients_peak = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        """Sample until stopped."""
        while not self.done.wait(1.0):
            self.server_peak = max(self.server_peak, rss_mb(self.server))
            self.clients_peak = max(self.clients_peak, sum(rss_mb(p) for p in self.clients))

    def stop(self) -> None:
        """Stop sampling."""
        self.done.set()
        self.join()


def render(
    args: argparse.Namespace,
    results: list[dict[str, object]],
    reports: list[dict[str, object]],
    rss: RssSampler,
    startup: float,
    elapsed: float,
) -> str:
    """The report: one Markdown table of figures against the §7 targets."""
    issue = [x for r in results for x in r["issue_ms"]]  # type: ignore[attr-defined]
    call = [x for r in results for x in r["call_ms"]]  # type: ignore[attr-defined]
    outcome = [x for r in results for x in r["outcome_ms"]]  # type: ignore[attr-defined]
    sent: dict[str, int] = {k: v for r in results for k, v in r["sent"].items()}  # type: ignore[attr-defined]
    errors: dict[str, int] = {}
    for r in results:
        for k, v in r["errors"].items():  # type: ignore[attr-defined]
            errors[k] = errors.get(k, 0) + v
    empties = sum(int(r["empties"]) for r in results)  # type: ignore[call-overload]
    screen = [
        (t - sent[key]) / 1e6
        for rep in reports
        for key, times in rep["arrivals"].items()  # type: ignore[attr-defined]
        if key in sent
        for t in times
    ]
    expected = len(sent) * SHAPE.screens
    dropped = sum(int(rep["dropped"]) + int(rep["failed"]) for rep in reports)  # type: ignore[call-overload]
    top = zipf_weights(args.halls, args.zipf)
    total_rss = rss.server_peak
    rows = [
        [
            "ticket issue",
            f"{len(issue)} answered in {elapsed:.0f} s ({len(issue) / elapsed:.0f}/s)",
            _p(issue),
            "p99 ≤ 300 ms",
            _ok(percentile(issue, 99) <= TARGETS["p99_ms"]),
        ],
        [
            "call-next (from its scheduled time)",
            f"{len(call)} ({empties} found nothing waiting)",
            _p(call),
            "p99 ≤ 300 ms",
            _ok(percentile(call, 99) <= TARGETS["p99_ms"]),
        ],
        ["outcome (from its send)", f"{len(outcome)}", _p(outcome), "—", "—"],
        [
            "call → screen (from the call's send)",
            f"{len(screen)} of {expected} frames",
            _p(screen),
            "p99 ≤ 1 s",
            _ok(percentile(screen, 99) <= TARGETS["screen_p99_ms"] and len(screen) >= expected),
        ],
        [
            "errors",
            ", ".join(f"{k}: {v}" for k, v in sorted(errors.items())) or "none",
            f"{dropped} screens dropped or refused",
            "none",
            _ok(not errors and not dropped),
        ],
        [
            "RSS, server (all processes, peak)",
            f"{total_rss:.0f} MB",
            "",
            "≤ 1.5 GB",
            _ok(total_rss <= TARGETS["rss_mb"]),
        ],
        ["RSS, clients (screens + drivers, peak)", f"{rss.clients_peak:.0f} MB", "", "—", "—"],
    ]
    table = [["measure", "count", "p50 / p99", "§7 target", "§7"], *rows]
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    lines = [
        "| " + " | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) + " |" for r in table
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(
        [
            f"Province on one box, code {head_label(ROOT)}: {args.halls} halls × "
            f"({SHAPE.windows} windows, {SHAPE.queues} queues, {SHAPE.screens} screens), "
            f"PostgreSQL with 4 workers; {args.rate:g} tickets/s and {args.rate:g} calls/s with "
            f"outcomes for {args.seconds} s, open-loop, Zipf s = {args.zipf:g} (biggest hall "
            f"{top[0]:.1%} of the load, the 10 biggest {sum(top[:10]):.0%}); server start "
            f"{startup:.0f} s; drive {elapsed:.0f} s (calls end {LAG:g} s after the tickets).",
            "",
            *lines,
        ]
    )


def _p(values: list[float]) -> str:
    if not values:
        return "—"
    return f"{percentile(values, 50):.0f} / {percentile(values, 99):.0f} ms"


def _ok(ok: bool) -> str:
    return "PASS" if ok else "MISS"
