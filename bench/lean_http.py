"""A load driver's HTTP/1.1 client: keep-alive connections on asyncio streams, and no more.

httpx spends about a millisecond of Python on a request (its models, httpcore's pool and
state machine, h11); at the province scenario's 450 requests a second two driver processes
then used more of the two cores than the server, and the run measured the drivers (py-spy).
Here a request is one write of prepared bytes and a read of the status line, the headers and
a Content-Length body: what the server's JSON answers are.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

TIMEOUT = 60.0


class LeanError(Exception):
    """The connection failed or answered something this client does not read."""


class LeanClient:
    """POST JSON over at most `size` keep-alive connections; answers are (status, body)."""

    def __init__(self, url: str, size: int) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.slots = asyncio.Semaphore(size)
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(
        self, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """One request on a free connection (a new one if none is idle)."""
        head = [f"POST {path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(body)}"]
        if body:
            head.append("Content-Type: application/json")
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        async with self.slots:
            conn = self._reusable() or await self._open()
            try:
                async with asyncio.timeout(TIMEOUT):
                    status, data, keep = await _exchange(conn, request)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                conn[1].close()
                raise LeanError(type(exc).__name__) from exc
            if keep:
                self.idle.append(conn)
            else:
                conn[1].close()
            return status, data

    def _reusable(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        """An idle connection the server has not closed meanwhile (uvicorn does after 5 s)."""
        while self.idle:
            reader, writer = self.idle.pop()
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()
        return None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.open_connection(self.host, self.port)
        except OSError as exc:
            raise LeanError(type(exc).__name__) from exc

    async def close(self) -> None:
        """Close the idle connections."""
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def _exchange(
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes
) -> tuple[int, bytes, bool]:
    reader, writer = conn
    writer.write(request)
    status = int((await reader.readuntil(b"\r\n")).split(b" ", 2)[1])
    length, keep = 0, True
    while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection":
            keep = value.strip().lower() != b"close"
        elif name == b"transfer-encoding":
            raise ValueError("chunked answers are not read here")
    return status, await reader.readexactly(length), keep
