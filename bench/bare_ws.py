"""A bare `websockets` broadcast server: the floor for call -> screen latency and for RSS.

    python -m bench.bare_ws PORT [--reuse-port]

Prints READY once listening. Every connection is a screen, except one on /ctl: each text
message received there is broadcast to every screen as a minimal ticket.called frame, so the
same client processes (bench.ws_clients) measure this floor and the server alike. With
--reuse-port several of these processes share one port (the floor for several workers).
Imports nothing but websockets, so its RSS is what holding the connections costs.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve


async def main(port: int, reuse_port: bool) -> None:
    """Serve until killed."""
    screens: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        if ws.request is not None and ws.request.path == "/ctl":
            async for number in ws:
                broadcast(screens, f'{{"type":"ticket.called","number":"{number!s}"}}')
            return
        screens.add(ws)
        try:
            await ws.wait_closed()
        finally:
            screens.discard(ws)

    options: dict[str, Any] = {"reuse_port": True} if reuse_port else {}
    async with serve(handler, "127.0.0.1", port, max_size=65536, **options):
        print("READY", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), "--reuse-port" in sys.argv[2:]))
