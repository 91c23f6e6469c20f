"""`python -m bench.outbox`: outbox delivery to a local webhook receiver.

Two figures, on SQLite (one worker) and, with --pg-url, PostgreSQL (two workers):
- **delivery rate**: 10,000 events already in the log, then a subscriber replays them all;
  events/s from the replay to zero lag (each a signed CloudEvent, one POST, 2xx);
- **lag p99** while the hall issues and calls at 100 events/s: from an event's time in the
  log to its arrival at the receiver.
The receiver is a bare ASGI app under uvicorn in this process. Figures only: nothing asserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench.harness import PASSWORD, ROOT, ServerProcess, free_port, percentile, write_hall

SECRET = "bench-outbox-secret-1"
KIOSK = {"Authorization": "Bearer kiosk-secret-1"}
ENV = {"YICHUANG_OUTBOX_POLL_SECONDS": "0.05"}


class Receiver:
    """Counts CloudEvents by id and when each first arrived (no signature check: a bench).

    Runs in a process of its own (`--serve-receiver PORT`): under uvicorn in a thread of
    the driver, the two would take turns at the GIL and the receiver would be the bottleneck.
    GET /stats answers what arrived, POST /reset forgets the lags.
    """

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.lags: list[float] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        answer = b""
        if scope["path"] == "/stats":
            answer = json.dumps({"ids": list(self.arrived), "lags": self.lags}).encode()
        elif scope["path"] == "/reset":
            self.lags.clear()
        else:
            now = time.time()
            event = json.loads(body)
            if event["id"] not in self.arrived:
                self.arrived[event["id"]] = now
                made = dt.datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
                self.lags.append(now - made.timestamp())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": answer})


@contextmanager
def receiver_process() -> Iterator[str]:
    """The receiver in a child process; yields its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "bench.outbox", "--serve-receiver", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(f"{base}/stats", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def stats(base: str) -> dict[str, Any]:
    result: dict[str, Any] = httpx.get(f"{base}/stats", timeout=30).json()
    return result


def log(text: str) -> None:
    print(f"bench.outbox: {text}", file=sys.stderr, flush=True)


def login(http: httpx.Client, user: str) -> dict[str, str]:
    r = http.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def issue_many(url: str, count: int, threads: int = 8) -> None:
    """`count` tickets (one event each), spread over the hall's 15 queues."""
    queues = itertools.cycle("ABCDEFGHIJKLMNO")
    lock = threading.Lock()
    left = [count]

    def work() -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while True:
                with lock:
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                    queue = next(queues)
                http.post("/api/v1/halls/city/tickets", json={"queue": queue}, headers=KIOSK)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def wait_zero_lag(http: httpx.Client, sup: dict[str, str], name: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        s = http.get(f"/api/v1/halls/city/subscribers/{name}/status", headers=sup).json()
        if s["lag_events"] == 0 or time.monotonic() > deadline:
            return s
        time.sleep(0.05)


def delivery_rate(url: str, base: str, events: int) -> float:
    """Events/s of a replay of `events` logged events to a fresh subscriber."""
    with httpx.Client(base_url=url, timeout=30) as http:
        sup = login(http, "lead")
        log(f"logging {events} events")
        issue_many(url, events)
        body = {"name": "rate", "url": f"{base}/hook", "secret": SECRET}
        http.post("/api/v1/halls/city/subscribers", json=body, headers=sup).raise_for_status()
        last = http.get("/api/v1/halls/city/subscribers/rate/status", headers=sup).json()
        first = last["last_seq"] - events + 1
        started = time.monotonic()
        http.post(
            "/api/v1/halls/city/subscribers/rate/replay", json={"from_seq": first}, headers=sup
        ).raise_for_status()
        status = wait_zero_lag(http, sup, "rate", timeout=600)
        took = time.monotonic() - started
        delivered = len([i for i in stats(base)["ids"] if int(i.split(":")[1]) >= first])
        log(f"delivered {delivered} in {took:.1f} s (lag left {status['lag_events']})")
        http.post("/api/v1/halls/city/subscribers/rate/pause", headers=sup)
        return delivered / took


def lag_under_load(url: str, base: str, seconds: float, rate: float) -> dict:
    """Issue, call and end tickets at `rate` events/s; the lag of each event to the receiver."""
    with httpx.Client(base_url=url, timeout=30) as http:
        sup = login(http, "lead")
        body = {"name": "lag", "url": f"{base}/hook", "secret": SECRET}
        http.post("/api/v1/halls/city/subscribers", json=body, headers=sup).raise_for_status()
        httpx.post(f"{base}/reset")
        clerks = []
        for i in range(1, 4):
            headers = login(http, f"clerk{i:02d}")
            http.post(f"/api/v1/halls/city/windows/S{i:02d}/sign-in", headers=headers)
            clerks.append((f"S{i:02d}", "ABC"[i - 1], headers))
        gap = 4 / rate  # a cycle makes 4 events: issued, called, finished, evaluation.requested
        stop = time.monotonic() + seconds

        def clerk(window: str, queue: str, headers: dict[str, str]) -> None:
            path = f"/api/v1/halls/city/windows/{window}"
            with httpx.Client(base_url=url, timeout=30) as c:
                due = time.monotonic()
                while due < stop:
                    c.post("/api/v1/halls/city/tickets", json={"queue": queue}, headers=KIOSK)
                    c.post(f"{path}/call-next", headers=headers)
                    c.post(f"{path}/outcome", json={"outcome": "consulted"}, headers=headers)
                    due += gap * len(clerks)
                    time.sleep(max(0.0, due - time.monotonic()))

        pool = [threading.Thread(target=clerk, args=c) for c in clerks]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        status = wait_zero_lag(http, sup, "lag", timeout=120)
        lags = sorted(stats(base)["lags"])
        return {
            "events": len(lags),
            "rate": len(lags) / seconds,
            "p50_ms": percentile(lags, 50) * 1000,
            "p99_ms": percentile(lags, 99) * 1000,
            "lag_left": status["lag_events"],
        }


def run(backend: str, pg_url: str | None, args: argparse.Namespace, folder: Path) -> list[str]:
    with ExitStack() as stack:
        base = stack.enter_context(receiver_process())
        env, workers = dict(ENV), 1
        if pg_url:
            env["YICHUANG_DATABASE_URL"] = pg_url
            workers = 2
        hall = write_hall(folder / f"{backend}.toml")
        server = ServerProcess(folder / backend, [hall], env=env, workers=workers).start()
        stack.callback(server.stop)
        rate = delivery_rate(server.url, base, args.events)
        lag = lag_under_load(server.url, base, args.seconds, args.rate)
    label = f"{backend}, {workers} worker{'s' if workers > 1 else ''}"
    return [
        f"| {label} | delivery of {args.events:,} logged events | {rate:,.0f} events/s |",
        f"| {label} | lag p50 / p99 at {lag['rate']:.0f} events/s ({lag['events']} events)"
        f" | {lag['p50_ms']:.0f} / {lag['p99_ms']:.0f} ms |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox")
    parser.add_argument("--quick", action="store_true", help="a smoke run (2,000 events, 5 s)")
    parser.add_argument("--events", type=int, help="events to deliver (10000)")
    parser.add_argument("--seconds", type=float, help="length of the load run (20)")
    parser.add_argument("--rate", type=float, default=100.0, help="events/s of the load (100)")
    parser.add_argument("--pg-url", help="also run on this PostgreSQL database (two workers)")
    parser.add_argument("--serve-receiver", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_receiver:
        import uvicorn

        uvicorn.run(Receiver(), host="127.0.0.1", port=args.serve_receiver, log_level="warning")
        return
    args.events = args.events or (2000 if args.quick else 10_000)
    args.seconds = args.seconds or (5.0 if args.quick else 20.0)
    rows = ["| store | scenario | figure |", "|---|---|---|"]
    with tempfile.TemporaryDirectory(prefix="bench-outbox-") as tmp:
        rows += run("sqlite", None, args, Path(tmp))
        if args.pg_url:
            rows += run("postgresql", args.pg_url, args, Path(tmp))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
