"""Ticket issue and call-next rates, and call -> WS delivery latency, on a real server."""

from __future__ import annotations

import asyncio
import re
import time

import httpx
import websockets

from bench.harness import ServerProcess, login, percentile, wrk

HALL = "city"
KIOSK = "kiosk-secret-1"
DISPLAY = "display-secret-1"

ISSUE_LUA = """
math.randomseed(os.time())
local letters = "ABCDEFGHIJKLMNO"
request = function()
  local q = math.random(1, #letters)
  local body = '{"queue":"' .. letters:sub(q, q) .. '"}'
  return wrk.format("POST", "/api/v1/halls/city/tickets",
    {["Authorization"] = "Bearer kiosk-secret-1", ["Content-Type"] = "application/json"}, body)
end
"""

CALL_LUA = """
local n = 0
local tokens = {}
for t in string.gmatch(os.getenv("TOKENS"), "[^,]+") do table.insert(tokens, t) end
setup = function(thread)
  n = n + 1
  thread:set("win", string.format("S%02d", n))
  thread:set("token", tokens[n])
end
init = function(args) step = 0 end
request = function()
  step = step + 1
  local h = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  local path = "/api/v1/halls/city/windows/" .. win
  if step % 2 == 1 then
    return wrk.format("POST", path .. "/call-next", h, "")
  end
  return wrk.format("POST", path .. "/outcome", h, '{"outcome":"accepted"}')
end
"""


def issue_rate(server: ServerProcess, seconds: int = 5) -> dict[str, float]:
    """POST …/tickets as fast as 16 connections can: tickets per second."""
    return wrk(server.url, ISSUE_LUA, seconds=seconds, threads=2, conns=16)


def call_rate(server: ServerProcess, windows: int = 8, seconds: int = 5) -> dict[str, float]:
    """Eight clerks alternating call-next and outcome: call-next requests per second."""
    tokens = []
    for i in range(1, windows + 1):
        token = login(server.url, HALL, f"clerk{i:02d}")
        httpx.post(
            f"{server.url}/api/v1/halls/{HALL}/windows/S{i:02d}/sign-in",
            headers={"Authorization": f"Bearer {token}"},
        ).raise_for_status()
        tokens.append(token)
    result = wrk(
        server.url,
        CALL_LUA,
        seconds=seconds,
        threads=windows,
        conns=windows,
        env={"TOKENS": ",".join(tokens)},
    )
    result["rps"] /= 2  # every second request is the outcome
    return result


def ws_latency(server: ServerProcess, subscribers: int, calls: int = 100) -> dict[str, float]:
    """Call -> delivery to every one of `subscribers` live connections: p50/p99 in ms."""
    return asyncio.run(_ws_latency(server.url, subscribers, calls))


async def _ws_latency(url: str, subscribers: int, calls: int) -> dict[str, float]:
    ws_url = url.replace("http", "ws") + f"/api/v1/halls/{HALL}/live?token={DISPLAY}"
    arrivals: dict[str, list[float]] = {}
    number = re.compile(r'"number":"(\w+)"')

    async def subscriber() -> None:
        async with websockets.connect(ws_url, max_size=2**24) as ws:
            ready.set()
            async for raw in ws:
                if '"type":"ticket.called"' in raw:
                    arrivals.setdefault(number.search(raw)[1], []).append(time.perf_counter())  # type: ignore[index]

    ready = asyncio.Event()
    tasks = []
    for _ in range(subscribers):
        ready.clear()
        tasks.append(asyncio.create_task(subscriber()))
        await ready.wait()
    async with httpx.AsyncClient(base_url=url) as kiosk:
        for _ in range(calls):  # S09 serves queue I; make sure it has tickets to call
            r = await kiosk.post(
                f"/api/v1/halls/{HALL}/tickets",
                json={"queue": "I"},
                headers={"Authorization": f"Bearer {KIOSK}"},
            )
            r.raise_for_status()
    token = await asyncio.to_thread(login, url, HALL, "clerk09")
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, headers=headers) as http:
        await http.post(f"/api/v1/halls/{HALL}/windows/S09/sign-in")
        for _ in range(calls):
            t0 = time.perf_counter()
            r = await http.post(f"/api/v1/halls/{HALL}/windows/S09/call-next")
            r.raise_for_status()
            called = r.json()["number"]
            while len(arrivals.get(called, [])) < subscribers:
                await asyncio.sleep(0.0005)
            latencies += [(t - t0) * 1000 for t in arrivals.pop(called)]
            await http.post(
                f"/api/v1/halls/{HALL}/windows/S09/outcome", json={"outcome": "accepted"}
            )
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "samples": float(len(latencies)),
    }
