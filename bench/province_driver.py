"""One open-loop load driver of the province scenario (bench.province starts several).

`python -m bench.province_driver PLAN_FILE INDEX`: builds the run's schedule from the plan
(the same in every driver), keeps the halls with `hall % drivers == INDEX`, signs in the
windows it will call from, prints READY, waits for "GO <monotonic_ns>" on stdin and then
sends every request at its scheduled time whatever the answers before it: latency is
measured from the scheduled time, so a slow server shows as latency, not as a lower rate.
A window calls its next ticket only after the outcome of its last one (a clerk cannot call
twice), so calls routed to a busy window wait for it and that wait is in their latency.
At the end it prints one JSON line: latencies, errors, and when each call was sent.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import sys
import time
from dataclasses import dataclass, field

import httpx

from bench.halls import HallShape, clerk, kiosk_token, queue_codes, served_queues
from bench.harness import PASSWORD
from bench.lean_http import LeanClient, LeanError

SETUP_CONCURRENCY = 16
# Connections to the server during the drive: past this many requests in flight, requests
# wait here, and their latency still runs from their scheduled time.
IN_FLIGHT = 300
ACCEPTED = json.dumps({"outcome": "accepted"}).encode()
CALLS_PER_WINDOW = 0.5  # calls/s a window is planned for: a hall gets rate ÷ this windows


@dataclass
class Window:
    """A signed-in window: its clerk's token and a FIFO lock (one call at a time)."""

    code: str
    queues: list[str]
    token: str = ""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: int = 0


@dataclass
class Results:
    """What one driver measured."""

    issue_ms: list[float] = field(default_factory=list)
    call_ms: list[float] = field(default_factory=list)
    outcome_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    empties: int = 0
    sent: dict[str, int] = field(default_factory=dict)  # "hall/number" → call sent (ns)

    def error(self, what: str) -> None:
        """Count one failure by kind."""
        self.errors[what] = self.errors.get(what, 0) + 1


def zipf_weights(n: int, s: float) -> list[float]:
    """Share of the load of the k-th biggest hall: 1/k^s, normalised."""
    raw = [1 / (k**s) for k in range(1, n + 1)]
    total = sum(raw)
    return [w / total for w in raw]


def schedule(plan: dict[str, object]) -> list[tuple[float, str, int, str]]:
    """(seconds after GO, "issue" | "call", hall index, queue) for the whole run, in time order.

    Tickets arrive evenly at `rate`/s, each in a hall drawn by the Zipf weights and a queue
    drawn evenly; each ticket's call comes `lag` seconds later in the same hall and queue.
    """
    rng = random.Random(int(plan["seed"]))  # type: ignore[call-overload]
    halls, rate = int(plan["halls"]), float(plan["rate"])  # type: ignore[call-overload, arg-type]
    seconds, lag = float(plan["seconds"]), float(plan["lag"])  # type: ignore[arg-type]
    weights = zipf_weights(halls, float(plan["zipf"]))  # type: ignore[arg-type]
    queues = queue_codes(HallShape(**plan["shape"]))  # type: ignore[arg-type]
    count = int(seconds * rate)
    picked = rng.choices(range(halls), weights=weights, k=count)
    events = []
    for k, hall in enumerate(picked):
        t, queue = k / rate, rng.choice(queues)
        events += [(t, "issue", hall, queue), (t + lag, "call", hall, queue)]
    events.sort(key=lambda e: e[0])
    return events


def windows_needed(shape: HallShape, calls_per_second: float) -> int:
    """Enough windows to serve every queue, and more for the busy halls."""
    cover = math.ceil(shape.queues / shape.served)
    return min(shape.windows, max(cover, math.ceil(calls_per_second / CALLS_PER_WINDOW)))


class Driver:
    """The requests of one driver's halls."""

    def __init__(self, plan: dict[str, object], index: int) -> None:
        self.plan, self.index = plan, index
        self.shape = HallShape(**plan["shape"])  # type: ignore[arg-type]
        self.codes: list[str] = plan["codes"]  # type: ignore[assignment]
        self.events = [e for e in schedule(plan) if e[2] % int(plan["drivers"]) == index]  # type: ignore[call-overload]
        self.windows: dict[int, list[Window]] = {}
        self.results = Results()
        self.lean = LeanClient(str(plan["url"]), IN_FLIGHT)  # the drive (bench/lean_http.py)
        self.http = httpx.AsyncClient(  # the setup
            base_url=str(plan["url"]),
            timeout=60,
            limits=httpx.Limits(max_connections=400, max_keepalive_connections=400),
        )

    async def setup(self) -> None:
        """Sign in the windows each of this driver's halls needs (with httpx, unmeasured)."""
        rate = float(self.plan["rate"])  # type: ignore[arg-type]
        weights = zipf_weights(len(self.codes), float(self.plan["zipf"]))  # type: ignore[arg-type]
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)
        jobs = []
        for hall in sorted({e[2] for e in self.events}):
            n = windows_needed(self.shape, rate * weights[hall])
            self.windows[hall] = [
                Window(f"S{w:02d}", served_queues(self.shape, w)) for w in range(1, n + 1)
            ]
            jobs += [self._sign_in(gate, hall, w) for w in self.windows[hall]]
        await asyncio.gather(*jobs)
        await self.http.aclose()

    async def _sign_in(self, gate: asyncio.Semaphore, hall: int, window: Window) -> None:
        code = self.codes[hall]
        user = clerk(code, int(window.code[1:]))
        async with gate:
            r = await self.http.post(
                "/api/v1/auth/login", json={"username": user, "password": PASSWORD}
            )
            r.raise_for_status()
            window.token = r.json()["token"]
            r = await self.http.post(
                f"/api/v1/halls/{code}/windows/{window.code}/sign-in",
                headers={"Authorization": f"Bearer {window.token}"},
            )
            r.raise_for_status()

    async def run(self, go_ns: int) -> None:
        """Send every event at its time; wait for the last answer."""
        tasks = []
        for t, kind, hall, queue in self.events:
            delay = (go_ns + t * 1e9 - time.monotonic_ns()) / 1e9
            if delay > 0:
                await asyncio.sleep(delay)
            due = go_ns + int(t * 1e9)
            job = self._issue(due, hall, queue) if kind == "issue" else self._call(due, hall, queue)
            tasks.append(asyncio.create_task(job))
        await asyncio.gather(*tasks)
        await self.lean.close()

    async def _issue(self, due: int, hall: int, queue: str) -> None:
        code = self.codes[hall]
        try:
            status, _ = await self.lean.post(
                f"/api/v1/halls/{code}/tickets",
                json.dumps({"queue": queue}).encode(),
                {"Authorization": f"Bearer {kiosk_token(code)}"},
            )
        except LeanError as exc:
            self.results.error(f"issue {exc}")
            return
        self.results.issue_ms.append((time.monotonic_ns() - due) / 1e6)
        if status != 201:
            self.results.error(f"issue {status}")

    async def _call(self, due: int, hall: int, queue: str) -> None:
        serving = [w for w in self.windows[hall] if queue in w.queues] or self.windows[hall]
        window = min(serving, key=lambda w: w.pending)
        window.pending += 1
        try:
            async with window.lock:
                await self._call_at(due, self.codes[hall], window)
        except LeanError as exc:
            self.results.error(f"call {exc}")
        finally:
            window.pending -= 1

    async def _call_at(self, due: int, code: str, window: Window) -> None:
        path = f"/api/v1/halls/{code}/windows/{window.code}"
        auth = {"Authorization": f"Bearer {window.token}"}
        sent = time.monotonic_ns()
        status, body = await self.lean.post(f"{path}/call-next", b"", auth)
        self.results.call_ms.append((time.monotonic_ns() - due) / 1e6)
        if status == 404:
            self.results.empties += 1
            return
        if not 200 <= status < 300:
            self.results.error(f"call {status}")
            return
        self.results.sent[f"{code}/{json.loads(body)['number']}"] = sent
        started = time.monotonic_ns()
        status, _ = await self.lean.post(f"{path}/outcome", ACCEPTED, auth)
        self.results.outcome_ms.append((time.monotonic_ns() - started) / 1e6)
        if not 200 <= status < 300:
            self.results.error(f"outcome {status}")


async def main(plan: dict[str, object], index: int) -> None:
    """Set up, wait for GO, run, report."""
    driver = Driver(plan, index)
    await driver.setup()
    print("READY", flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    await driver.run(int(line.split()[1]))
    print(json.dumps(driver.results.__dict__), flush=True)


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        asyncio.run(main(json.load(f), int(sys.argv[2])))
