"""A process holding live-feed connections of many halls; reports when each call arrived.

`python -m bench.province_screens URLS_FILE START COUNT`: connects to lines START … of the
file (one ws:// URL each), prints READY, and on a line "DONE" on stdin prints one JSON object
{"arrivals": {"hall/number": [monotonic_ns, …]}, "dropped": n, "failed": n} and exits.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path

import websockets

CONNECTING = 16  # connections opened at once: each gets a snapshot the server must build


async def main(urls: list[str]) -> None:
    """Connect, collect, report."""
    arrivals: dict[str, list[int]] = {}
    dropped = 0
    gate = asyncio.Semaphore(CONNECTING)

    async def connect(url: str) -> websockets.ClientConnection | None:
        async with gate:
            try:
                return await websockets.connect(url, max_size=2**24, ping_interval=None)
            except (OSError, websockets.WebSocketException):
                return None

    async def listen(ws: websockets.ClientConnection) -> None:
        nonlocal dropped
        try:
            async for raw in ws:
                if '"ticket.called"' in raw:
                    now = time.monotonic_ns()
                    msg = json.loads(raw)
                    if msg.get("type") == "ticket.called":
                        key = f"{msg['hall']}/{msg['ticket']['number']}"
                        arrivals.setdefault(key, []).append(now)
        except websockets.ConnectionClosed:
            dropped += 1

    conns = await asyncio.gather(*(connect(u) for u in urls))
    live = [c for c in conns if c is not None]
    tasks = [asyncio.create_task(listen(c)) for c in live]
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for t in tasks:
        t.cancel()
    report = {"arrivals": arrivals, "dropped": dropped, "failed": len(urls) - len(live)}
    print(json.dumps(report), flush=True)
    os._exit(0)  # the server notices the dropped connections; no need to close them politely


if __name__ == "__main__":
    lines = Path(sys.argv[1]).read_text(encoding="utf-8").split()
    start, count = int(sys.argv[2]), int(sys.argv[3])
    asyncio.run(main(lines[start : start + count]))
