"""A process holding N live-feed connections; reports when each call arrived.

Run by bench_core: prints READY once connected, then on a line "DONE" on stdin prints one
JSON object {number: [monotonic_ns, …]} and exits. CLOCK_MONOTONIC is system-wide on
Linux, so the driver can compare these times with its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time

import websockets

NUMBER = re.compile(r'"number":"(\w+)"')


async def main(url: str, count: int) -> None:
    """Connect, collect, report."""
    arrivals: dict[str, list[int]] = {}

    async def listen(ws: websockets.ClientConnection) -> None:
        async for raw in ws:
            if '"type":"ticket.called"' in raw:
                match = NUMBER.search(str(raw))
                if match:
                    arrivals.setdefault(match[1], []).append(time.monotonic_ns())

    conns = []
    for _ in range(count):
        conns.append(await websockets.connect(url, max_size=2**24, ping_interval=None))
    tasks = [asyncio.create_task(listen(c)) for c in conns]
    print("READY", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for t in tasks:
        t.cancel()
    print(json.dumps(arrivals), flush=True)
    os._exit(0)  # the server notices the dropped connections; no need to close 1000 politely


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
