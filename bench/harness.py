"""Benchmark plumbing: servers on free ports, wrk runs, RSS readings, percentiles."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import PASSWORD, ServerProcess, free_port, write_hall  # noqa: E402

__all__ = ["PASSWORD", "ServerProcess", "free_port", "write_hall"]

CALL_GAP = 0.03  # seconds between two measured calls: every screen has the first one
SETTLE = 1.0  # seconds after the last call before the clients report what arrived


def require_wrk() -> str:
    """The wrk binary, or exit with how to install it."""
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("bench: wrk is missing; install it with `apt-get install wrk` (make bench does)")
    return wrk


def wrk(
    url: str,
    script: str,
    *,
    seconds: int = 5,
    threads: int = 2,
    conns: int = 16,
    env: dict[str, str] | None = None,
    done_lua: str | None = None,
) -> dict[str, float]:
    """Run wrk with a Lua script; returns requests/s, latency p50/p99 (ms) and errors.

    `done_lua` replaces REPORT_LUA (a `done` that prints one line `JSON{…}`) when a script
    counts more than wrk does.
    """
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script + (REPORT_LUA if done_lua is None else done_lua))
    out = subprocess.run(
        [
            require_wrk(),
            f"-t{threads}",
            f"-c{conns}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            f.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    ).stdout
    os.unlink(f.name)
    report = json.loads(out[out.index("JSON") + 4 :].strip().splitlines()[0])
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    return {"rps": rps, **report}


REPORT_LUA = """
done = function(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format('JSON{"p50_ms": %.2f, "p99_ms": %.2f, "errors": %d, "non2xx": %d}\\n',
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, non2xx))
end
"""


def analyze(url: str) -> None:
    """ANALYZE the tables of a fresh PostgreSQL schema, as autovacuum does in a live store.

    A schema made a second ago has no statistics: the planner takes every table for empty
    and may walk the wrong index of `tickets` (a call-next then reads the whole day's
    tickets). A store in service has them, so a bench measures with them too.
    """
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            names = conn.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            ).scalars()
            for name in list(names):
                conn.exec_driver_sql(f'ANALYZE "{name}"')
    finally:
        engine.dispose()


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            text = Path(f"/proc/{p}/status").read_text()
        except FileNotFoundError:
            continue
        found = re.search(r"VmRSS:\s+(\d+)", text)
        total += int(found[1]) if found else 0  # a process that is exiting has no VmRSS
    return total / 1024


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    kids = [int(x) for x in out.split()]
    return kids + [g for k in kids for g in _children(k)]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def login(url: str, hall: str, user: str) -> str:
    """A staff token."""
    r = httpx.post(f"{url}/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    r.raise_for_status()
    return str(r.json()["token"])


def wait_http(url: str, seconds: float = 20) -> None:
    """Wait until a URL answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def spawn(
    args: list[str], env: dict[str, str] | None = None, **kw: object
) -> subprocess.Popen[str]:
    """A child process in its own session (so `stop` can end it and its workers)."""
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        args, cwd=ROOT, env={**os.environ, **(env or {})}, text=True, start_new_session=True, **kw
    )


def stop(proc: subprocess.Popen[str]) -> None:
    """SIGTERM the process group of a `spawn`ed child, SIGKILL after 10 s."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


class ClientFleet:
    """`count` live connections to `url`, held by bench.ws_clients processes (≤ 250 each).

    The same fleet measures the server and the bare broadcast floor, so the clients' own
    work weighs the same on both sides of a ratio.
    """

    def __init__(self, url: str, count: int, per_process: int = 250) -> None:
        self.url, self.count = url, count
        self.sizes = [min(per_process, count - i) for i in range(0, count, per_process)]
        self.procs: list[subprocess.Popen[str]] = []

    def __enter__(self) -> ClientFleet:
        try:
            for n in self.sizes:
                self.procs.append(
                    spawn(
                        [sys.executable, "-m", "bench.ws_clients", self.url, str(n)],
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                    )
                )
            for p in self.procs:
                assert p.stdout is not None
                if p.stdout.readline().strip() != "READY":
                    raise RuntimeError(f"bench.ws_clients could not connect to {self.url}")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        time.sleep(1.0)  # every client has its first frames: measure a settled server
        return self

    def collect(self) -> dict[str, list[int]]:
        """Stop the clients; {ticket number: [arrival monotonic_ns, …]} over all of them."""
        time.sleep(SETTLE)  # the last call's frames are still on their way to some screens
        arrivals: dict[str, list[int]] = {}
        for p in self.procs:
            out, _ = p.communicate("DONE\n", timeout=60)
            for number, times in json.loads(out.strip().splitlines()[-1]).items():
                arrivals.setdefault(number, []).extend(times)
        return arrivals

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)


def latency_figures(
    sent: dict[str, int], arrivals: dict[str, list[int]], subscribers: int
) -> dict[str, float]:
    """p50/p99 (ms) from send to each arrival, and the share of frames delivered."""
    latencies = [(t - sent[n]) / 1e6 for n, times in arrivals.items() if n in sent for t in times]
    delivered = sum(len(arrivals.get(n, [])) for n in sent)
    return {
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "delivered": delivered / max(1, len(sent) * subscribers),
    }
