"""Call → the citizen's own progress page, with 1,000 progress pages open (server-sent events).

`python -m bench.progress [--pages 1000] [--calls 40]`: starts the demo server, issues one
ticket per page, opens every page's stream (/api/v1/tickets/{id}/stream), then a clerk calls
tickets one by one; each call is timed from the request until that ticket's page received
`"status":"called"`. Prints p50/p99/max in ms and the server's RSS. About a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import httpx

from bench.harness import ServerProcess, percentile, rss_mb

KIOSK = {"Authorization": "Bearer demo-kiosk"}
OPENING = 50  # streams opened at once
CALL_GAP = 0.1  # seconds between two measured calls
QUEUES = (("A",), ("B",))  # the demo hall's 无差别 (S01–S08) and 不动产 (S13–S15) queues
WINDOWS = [(f"S{n:02d}", f"clerk{n:02d}") for n in (*range(1, 9), 13, 14, 15)]
SERVES = {w: "A" if int(w[1:]) <= 8 else "B" for w, _ in WINDOWS}


async def open_page(host: str, port: int, ticket: dict, arrivals: dict[str, int]) -> object:
    """One page's stream on a raw socket; records when the page first reads its call."""
    url = urlparse(ticket["progress_url"])
    secret = url.query.split("s=", 1)[1]
    reader, writer = await asyncio.open_connection(host, port)
    path = f"/api/v1/tickets/{ticket['id']}/stream?s={secret}"
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    first = asyncio.get_running_loop().create_future()

    async def read() -> None:
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"data: ") and not first.done():
                first.set_result(True)
            if b'"status":"called"' in line and ticket["id"] not in arrivals:
                arrivals[ticket["id"]] = time.monotonic_ns()

    task = asyncio.create_task(read())
    await asyncio.wait_for(first, 30)
    return (writer, task)


async def run(url: str, pages: int, calls: int) -> dict[str, float]:
    """Issue, open the pages, call, measure."""
    host, port = urlparse(url).hostname or "127.0.0.1", urlparse(url).port or 80
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        tickets = []
        for n in range(pages):  # two queues: the demo hall caps each at 800 a day
            queue = QUEUES[n % 2][0]
            r = await http.post("/api/v1/halls/demo/tickets", json={"queue": queue}, headers=KIOSK)
            r.raise_for_status()
            tickets.append(r.json())
        arrivals: dict[str, int] = {}
        gate = asyncio.Semaphore(OPENING)

        async def opened(t: dict) -> object:
            async with gate:
                return await open_page(host, port, t, arrivals)

        started = time.monotonic()
        held = await asyncio.gather(*(opened(t) for t in tickets))
        open_s = time.monotonic() - started
        # Each call stays open until its window calls again, as at a real window; the
        # windows take turns so that a page sees its call before the outcome.
        staff = {}
        for window, clerk in WINDOWS:
            login = await http.post(
                "/api/v1/auth/login", json={"username": clerk, "password": "demo1234"}
            )
            staff[window] = {"Authorization": f"Bearer {login.json()['token']}"}
            await http.post(f"/api/v1/halls/demo/windows/{window}/sign-in", headers=staff[window])
        turns = {q: [w for w, _ in WINDOWS if SERVES[w] == q] for q in ("A", "B")}
        busy: set[str] = set()
        sent: dict[str, int] = {}
        step = max(1, pages // calls)
        for n, t in enumerate(tickets[::step][:calls]):
            own = turns[t["queue"]]
            window = own[n // 2 % len(own)]
            base = f"/api/v1/halls/demo/windows/{window}"
            if window in busy:
                outcome = {"outcome": "accepted"}
                await http.post(f"{base}/outcome", json=outcome, headers=staff[window])
            sent[t["id"]] = time.monotonic_ns()
            r = await http.post(f"{base}/call", json={"ticket": t["id"]}, headers=staff[window])
            r.raise_for_status()
            busy.add(window)
            await asyncio.sleep(CALL_GAP)
        await asyncio.sleep(2)
        for writer, task in held:  # type: ignore[misc]
            task.cancel()
            writer.close()
    latencies = [(arrivals[i] - t0) / 1e6 for i, t0 in sent.items() if i in arrivals]
    queue_of = {t["id"]: t["queue"] for t in tickets}
    missed = sorted(queue_of[i] for i in sent if i not in arrivals)
    if missed:
        print("missed calls in queues:", " ".join(missed))
    return {
        "pages": len(held),
        "open_s": round(open_s, 1),
        "calls": len(sent),
        "missed": len(sent) - len(latencies),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "max_ms": round(max(latencies, default=float("nan")), 1),
    }


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp)).start()
        try:
            figures = asyncio.run(run(server.url, args.pages, args.calls))
            assert server.proc is not None
            figures["server_rss_mb"] = round(rss_mb(server.proc.pid), 1)
        finally:
            server.stop()
    print("call → progress page (SSE), demo hall, one worker, SQLite")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
