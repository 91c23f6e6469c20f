"""Floors measured in the same run: a bare ASGI endpoint doing one INSERT, a bare broadcast."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.harness import ROOT, free_port, percentile, wait_http, wrk

FLOOR_LUA = """
request = function()
  return wrk.format("POST", "/", {["Content-Type"] = "application/json"}, '{"queue":"A"}')
end
"""


class BareInsert:
    """A raw ASGI app: one INSERT + commit into SQLite (WAL) per POST, as our issue path."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        self.db.execute("INSERT INTO t (body) VALUES (?)", (body.decode(),))
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"ok":true}'})


def bare_insert_rate(tmp: Path, seconds: int = 5) -> dict[str, float]:
    """wrk against the bare ASGI app under uvicorn with the same settings as the server."""
    port = free_port()
    code = (
        f"import uvicorn; from bench.floors import BareInsert; "
        f"uvicorn.run(BareInsert({str(tmp / 'floor.db')!r}), host='127.0.0.1', port={port}, "
        f"log_level='warning', access_log=False)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        wait_http(f"http://127.0.0.1:{port}/")
        return wrk(f"http://127.0.0.1:{port}", FLOOR_LUA, seconds=seconds, threads=2, conns=16)
    finally:
        proc.terminate()
        proc.wait(10)


def bare_broadcast(subscribers: int, messages: int = 100) -> dict[str, float]:
    """A bare `websockets` server broadcasting to N local clients: p50/p99 in ms."""
    return asyncio.run(_broadcast(subscribers, messages))


async def _broadcast(subscribers: int, messages: int) -> dict[str, float]:
    import websockets

    clients: set[Any] = set()

    async def handler(ws: Any) -> None:
        clients.add(ws)
        await ws.wait_closed()

    port = free_port()
    latencies: list[float] = []
    async with websockets.serve(handler, "127.0.0.1", port):
        got: list[float] = []
        conns = [await websockets.connect(f"ws://127.0.0.1:{port}") for _ in range(subscribers)]

        async def read(c: Any) -> None:
            async for _ in c:
                got.append(time.perf_counter())

        readers = [asyncio.create_task(read(c)) for c in conns]
        while len(clients) < subscribers:
            await asyncio.sleep(0.01)
        for i in range(messages):
            got.clear()
            t0 = time.perf_counter()
            websockets.broadcast(clients, f'{{"seq":{i},"type":"ticket.called"}}')
            while len(got) < subscribers:
                await asyncio.sleep(0.0005)
            latencies += [(t - t0) * 1000 for t in got]
        for r in readers:
            r.cancel()
        for c in conns:
            await c.close()
    return {"p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99)}
