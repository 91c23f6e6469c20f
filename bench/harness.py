"""Benchmark plumbing: servers on free ports, wrk runs, RSS readings, percentiles."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import PASSWORD, ServerProcess, free_port, write_hall  # noqa: E402

__all__ = ["PASSWORD", "ServerProcess", "free_port", "write_hall"]


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
) -> dict[str, float]:
    """Run wrk with a Lua script; returns requests/s, latency p50/p99 (ms) and errors."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script + REPORT_LUA)
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


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            text = Path(f"/proc/{p}/status").read_text()
        except FileNotFoundError:
            continue
        total += int(re.search(r"VmRSS:\s+(\d+)", text)[1])  # type: ignore[index]
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
