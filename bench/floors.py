"""Floors measured in the same run as the server's figures, so every figure reads as a ratio.

- `db_floors`: the bare ASGI apps of bench.bare_apps under the same uvicorn and worker count
  as the measured server, on the same backend (SQLite, or PostgreSQL in a fresh schema),
  driven by wrk exactly as the server is: one INSERT per request for the ticket issue; one
  UPDATE … RETURNING of the next waiting row (picked by an index) for call-next.
- `bare_broadcast`: a bare `websockets` server (bench.bare_ws) broadcasting to the same
  client processes that measure the server, paced like the server's calls.
- `bare_rss`: the RSS of that bare server, in as many processes as the server has workers,
  holding the same number of connections.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from websockets.sync.client import connect

from bench import bare_apps
from bench.harness import (
    CALL_GAP,
    ClientFleet,
    free_port,
    latency_figures,
    rss_mb,
    spawn,
    stop,
    wait_http,
    wrk,
)

QUEUES = 8  # the call-next run has 8 windows: the take floor gives each connection a queue
ROWS_PER_SECOND = 60_000  # waiting rows per second of run, more than any floor takes

INSERT_LUA = """
request = function()
  return wrk.format("POST", "/", {["Content-Type"] = "application/json"}, '{"queue":"A"}')
end
"""

TAKE_LUA = """
local n = 0
setup = function(thread)
  thread:set("q", n)
  n = n + 1
end
request = function()
  return wrk.format("POST", "/take/" .. q, nil, "")
end
"""


def db_floors(
    work: Path, seconds: int, workers: int = 1, pg_url: str | None = None
) -> dict[str, dict[str, float]]:
    """{"insert": wrk figures, "take": wrk figures} of the bare apps on one backend."""
    rows = ROWS_PER_SECOND * seconds
    with ExitStack() as stack:
        if pg_url:
            from tests.pgschema import fresh_schema

            url = stack.enter_context(fresh_schema(pg_url))
            target = url.replace("postgresql+psycopg://", "postgresql://", 1)
            bare_apps.prepare_pg(target, QUEUES, rows)
        else:
            work.mkdir(parents=True, exist_ok=True)
            target = str(work / "floor.db")
            bare_apps.prepare_sqlite(target, QUEUES, rows)
        port = free_port()
        code = (
            "import uvicorn; uvicorn.run('bench.bare_apps:floor_app', factory=True, "
            f"host='127.0.0.1', port={port}, workers={workers}, log_level='warning')"
        )
        proc = spawn([sys.executable, "-c", code], env={"BENCH_FLOOR_DB": target})
        stack.callback(stop, proc)
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/")
        if workers > 1:
            time.sleep(2.0)  # the first worker answered; let the others finish starting
        insert = wrk(base, INSERT_LUA, seconds=seconds, threads=2, conns=16)
        take = wrk(base, TAKE_LUA, seconds=seconds, threads=QUEUES, conns=QUEUES)
        return {"insert": insert, "take": take}


@contextmanager
def bare_ws_server(processes: int = 1) -> Iterator[tuple[int, list[subprocess.Popen[str]]]]:
    """`processes` bench.bare_ws servers on one port; yields the port and the processes."""
    port = free_port()
    args = [sys.executable, "-m", "bench.bare_ws", str(port)]
    if processes > 1:
        args.append("--reuse-port")
    procs: list[subprocess.Popen[str]] = []
    try:
        for _ in range(processes):
            procs.append(spawn(args, stdout=subprocess.PIPE))
            assert procs[-1].stdout is not None
            if procs[-1].stdout.readline().strip() != "READY":
                raise RuntimeError("bench.bare_ws did not start")
        yield port, procs
    finally:
        for p in procs:
            stop(p)


def bare_broadcast(subscribers: int, calls: int = 100) -> dict[str, float]:
    """Bare broadcast to `subscribers` client-process connections: p50/p99 (ms), delivered."""
    with (
        bare_ws_server() as (port, _),
        ClientFleet(f"ws://127.0.0.1:{port}/live", subscribers) as fleet,
    ):
        sent: dict[str, int] = {}
        with connect(f"ws://127.0.0.1:{port}/ctl") as ctl:
            for i in range(calls):
                number = f"F{i:03d}"
                sent[number] = time.monotonic_ns()
                ctl.send(number)
                time.sleep(CALL_GAP)
        return latency_figures(sent, fleet.collect(), subscribers)


def bare_rss(screens: int, processes: int = 1) -> float:
    """RSS (MB, all processes) of bare websockets servers holding `screens` connections."""
    with (
        bare_ws_server(processes) as (port, procs),
        ClientFleet(f"ws://127.0.0.1:{port}/live", screens),
    ):
        return sum(rss_mb(p.pid) for p in procs)
