"""`python -m bench.profile`: where a ticket issue and a call-next with its outcome spend CPU.

Samples the real server (uvicorn, its threads and workers) with py-spy while wrk drives one
operation, then sorts every sampled stack into the cost it belongs to. py-spy is not one of
the project's dependencies: install it apart (`python -m venv /tmp/pyspy &&
/tmp/pyspy/bin/pip install py-spy`) and give its path with --py-spy (default: `py-spy` on
PATH, else /tmp/pyspy/bin/py-spy). py-spy needs ptrace (root, or CAP_SYS_PTRACE).

Two shares per cost: *cumulative* (samples with at least one frame of the cost anywhere on
the stack: overlaps, as a profiler's "cumtime") and *own* (each sample given to the innermost
cost on its stack, so that the column adds up to 100 %).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from bench.compare import calls, city_windows, issue_one
from bench.harness import ServerProcess, write_hall

# (cost, path fragments): the first that matches a frame names it; order from specific to broad
COSTS: list[tuple[str, tuple[str, ...]]] = [
    ("SQL execution (SQLAlchemy, sqlite3, psycopg)", ("sqlalchemy/", "sqlite3/", "psycopg/")),
    ("pydantic (validation, serialisation)", ("pydantic/", "pydantic_core/")),
    ("JSON (json module)", ("json/",)),
    (
        "auth (token look-up, deps)",
        ("server/services/auth.py", "server/security.py", "server/api/deps.py"),
    ),
    ("event building (protocol views)", ("server/protocol/",)),
    (
        "fan-out (hub, LISTEN/NOTIFY relay, websockets)",
        ("server/realtime/", "websockets/", "server/api/live.py"),
    ),
    ("the writer (queue, batch, savepoints)", ("server/services/writer.py",)),
    ("services, domain and store code", ("server/services/", "server/domain/", "server/store/")),
    (
        "routing and middleware (FastAPI, Starlette, routes)",
        ("fastapi/", "starlette/", "server/api/", "server/observability.py"),
    ),
    ("HTTP server (uvicorn, httptools, h11)", ("uvicorn/", "httptools/", "h11/")),
    ("asyncio event loop", ("asyncio/",)),
    ("threads and queues (stdlib)", ("threading.py", "queue.py", "concurrent/")),
]
OTHER = "other"
ROOTS = ("(server/__main__.py)", "(server/cli.py)")  # on every stack of the loop thread: noise
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>.*?)(?::\d+)?\)$")


def cost_of(frame: str) -> str | None:
    """The cost a py-spy frame "function (file:line)" belongs to, if any."""
    m = FRAME.match(frame)
    path = m["file"] if m else frame
    for name, fragments in COSTS:
        if any(f in path for f in fragments):
            return name
    return None


def parse(raw: str) -> Counter[tuple[str, ...]]:
    """py-spy's raw (collapsed) output: {stack root → leaf: samples}."""
    stacks: Counter[tuple[str, ...]] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            stacks[tuple(stack.split(";"))] += int(count)
    return stacks


def shares(stacks: Counter[tuple[str, ...]]) -> tuple[int, dict[str, float], dict[str, float]]:
    """Total samples, cumulative share per cost, own share per cost."""
    total = sum(stacks.values()) or 1
    cumulative: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for stack, n in stacks.items():
        costs = [cost_of(f) for f in stack]
        for c in {c for c in costs if c}:
            cumulative[c] += n
        own[next((c for c in reversed(costs) if c), OTHER)] += n
    return (
        total,
        {k: v / total for k, v in cumulative.items()},
        {k: v / total for k, v in own.items()},
    )


def top_functions(stacks: Counter[tuple[str, ...]], prefix: str, k: int) -> list[tuple[str, float]]:
    """The `k` functions of files under `prefix` with the largest cumulative share."""
    total = sum(stacks.values()) or 1
    seen: Counter[str] = Counter()
    for stack, n in stacks.items():
        names = {re.sub(r":\d+\)$", ")", f) for f in stack if prefix in f}
        for name in names:  # a function counts once per sample, however many of its lines
            if not name.endswith(ROOTS):
                seen[name] += n
    return [(f, n / total) for f, n in seen.most_common(k)]


def report(title: str, stacks: Counter[tuple[str, ...]], rate: int, requests: float) -> str:
    """One Markdown section: the costs, then the project's own top functions."""
    total, cumulative, own = shares(stacks)
    cpu_ms = total / rate * 1000 / max(requests, 1)
    lines = [
        f"#### {title}",
        "",
        f"{total} samples at {rate} Hz over {requests:.0f} requests: "
        f"{cpu_ms:.2f} ms of thread time per request.",
        "",
        "| cost | cumulative | own | own ms per request |",
        "|---|---|---|---|",
    ]
    for name, _ in [*COSTS, (OTHER, ())]:
        if cumulative.get(name) or own.get(name):
            mine = own.get(name, 0)
            lines.append(
                f"| {name} | {cumulative.get(name, 0):.0%} | {mine:.0%} | {mine * cpu_ms:.2f} |"
            )
    lines += ["", "| server/ function | cumulative |", "|---|---|"]
    for f, share in top_functions(stacks, "server/", 12):
        lines.append(f"| `{f.replace('|', '/')}` | {share:.0%} |")
    return "\n".join(lines)


def find_py_spy(given: str | None) -> str:
    """The py-spy binary, or exit with how to get it."""
    for candidate in (given, shutil.which("py-spy"), "/tmp/pyspy/bin/py-spy"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    sys.exit(
        "bench.profile: py-spy is missing: python -m venv /tmp/pyspy && "
        "/tmp/pyspy/bin/pip install py-spy (not into the project's venv)"
    )


def record(py_spy: str, pid: int, out: Path, seconds: int, rate: int) -> subprocess.Popen[bytes]:
    """Start py-spy on the server and its workers; it stops by itself after `seconds`."""
    argv = [py_spy, "record", "--pid", str(pid), "--subprocesses", "--format", "raw"]
    argv += [
        "--rate",
        str(rate),
        "--duration",
        str(seconds),
        "--output",
        str(out),
        "--gil",
        "--nonblocking",
    ]
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)  # attached before the load starts
    return proc


def main() -> None:
    """Profile issue, then call-next with its outcome, and print both reports."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--seconds", type=int, default=10, help="wrk run per operation (10)")
    parser.add_argument("--rate", type=int, default=200, help="py-spy samples per second")
    parser.add_argument("--pg-url", help="PostgreSQL with 4 workers instead of SQLite with 1")
    parser.add_argument("--py-spy", help="path of the py-spy binary")
    parser.add_argument("--keep", type=Path, help="copy py-spy's raw stacks into this folder")
    args = parser.parse_args()
    py_spy = find_py_spy(args.py_spy)
    sections = []
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-profile-")))
        env, workers = {}, 1
        if args.pg_url:
            from tests.pgschema import fresh_schema

            env["YICHUANG_DATABASE_URL"] = stack.enter_context(fresh_schema(args.pg_url))
            workers = 4
        server = ServerProcess(
            tmp / "data", [write_hall(tmp / "city.toml")], env=env, workers=workers
        )
        server.start()
        stack.callback(server.stop)
        assert server.proc is not None
        backend = "PostgreSQL, 4 workers" if args.pg_url else "SQLite, 1 worker"
        targets = city_windows(server.url)  # signed in before the sampling starts
        runs: list[tuple[str, Callable[[], dict[str, float]], int]] = [
            ("ticket issue", lambda: issue_one(server.url, args.seconds), 1),
            ("call-next with its outcome", lambda: calls(server.url, targets, args.seconds), 2),
        ]
        for title, run, requests_per_op in runs:
            out = tmp / f"{title.split()[0]}.txt"
            spy = record(py_spy, server.proc.pid, out, args.seconds + 2, args.rate)
            figures = run()
            spy.wait(timeout=120)
            if args.keep:
                shutil.copy(out, args.keep)
            ops = figures["rps"] * args.seconds
            heading = f"{title}, {backend}: {figures['rps']:.0f}/s in the profiled run"
            sections.append(
                report(heading, parse(out.read_text()), args.rate, ops * requests_per_op)
            )
    print("\n\n".join(sections))
    print(f"\n`python -m bench.profile --seconds {args.seconds}` (wrk as in bench.bench_core)")


if __name__ == "__main__":
    main()
