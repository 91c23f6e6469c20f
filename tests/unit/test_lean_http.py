"""bench's lean HTTP client: what the province drivers send with, against a tiny server."""

from __future__ import annotations

import asyncio
import socket

import pytest

from bench.lean_http import LeanClient, LeanError


async def _serve(answers: list[bytes], seen: list[bytes], accepted: list[int]):
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(1)
        while answers:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:  # the client went away
                break
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            seen.append(head + await reader.readexactly(length))
            writer.write(answers.pop(0))
            await writer.drain()
            if b"Connection: close" in seen[-1] or not answers:
                break
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def _answer(status: str, body: bytes, *extra: str) -> bytes:
    head = [f"HTTP/1.1 {status}", f"content-length: {len(body)}", *extra]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def test_answers_come_back_whole_and_a_kept_alive_connection_is_used_again():
    async def scenario():
        answers = [_answer("201 Created", b'{"number":"A001"}'), _answer("404 Not Found", b"{}")]
        seen: list[bytes] = []
        accepted: list[int] = []
        server = await _serve(answers, seen, accepted)
        port = server.sockets[0].getsockname()[1]
        client = LeanClient(f"http://127.0.0.1:{port}", 4)
        first = await client.post("/t", b'{"queue":"A"}', {"Authorization": "Bearer k"})
        second = await client.post("/n")
        await client.close()
        server.close()
        return first, second, seen, accepted

    first, second, seen, accepted = asyncio.run(scenario())
    assert first == (201, b'{"number":"A001"}')
    assert second == (404, b"{}")
    assert seen[0].startswith(b"POST /t HTTP/1.1\r\n")
    assert b"Authorization: Bearer k\r\n" in seen[0] and seen[0].endswith(b'{"queue":"A"}')
    assert len(accepted) == 1  # both on one connection


def test_a_connection_the_server_closes_is_not_used_again_and_a_refused_one_is_an_error():
    async def scenario():
        answers = [_answer("200 OK", b"1", "connection: close"), _answer("200 OK", b"2")]
        accepted: list[int] = []
        server = await _serve(answers, [], accepted)
        port = server.sockets[0].getsockname()[1]
        client = LeanClient(f"http://127.0.0.1:{port}", 4)
        got = [await client.post("/a"), await client.post("/b")]
        await client.close()
        server.close()
        with socket.socket() as free:  # a port nobody listens on
            free.bind(("127.0.0.1", 0))
            closed = free.getsockname()[1]
        with pytest.raises(LeanError):
            await LeanClient(f"http://127.0.0.1:{closed}", 1).post("/c")
        return got, accepted

    got, accepted = asyncio.run(scenario())
    assert got == [(200, b"1"), (200, b"2")]
    assert len(accepted) == 2


def test_a_connection_the_server_closed_while_idle_is_replaced_not_failed():
    """uvicorn closes a kept-alive connection after 5 s idle without saying so: a small hall's
    driver then wrote its next request into a closed socket (IncompleteReadError, counted as
    the server's error in a 300-hall run). An idle connection at its end is opened anew."""

    async def scenario():
        accepted: list[int] = []

        async def one_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            accepted.append(1)
            await reader.readuntil(b"\r\n\r\n")
            writer.write(_answer("200 OK", str(len(accepted)).encode()))
            await writer.drain()
            writer.close()  # as an idle timeout does: no "connection: close" in the answer

        server = await asyncio.start_server(one_answer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = LeanClient(f"http://127.0.0.1:{port}", 1)
        first = await client.post("/a")
        await asyncio.sleep(0.1)  # the server's FIN arrives while the connection rests
        second = await client.post("/b")
        await client.close()
        server.close()
        return [first, second], accepted

    got, accepted = asyncio.run(scenario())
    assert got == [(200, b"1"), (200, b"2")]
    assert len(accepted) == 2
