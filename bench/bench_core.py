"""Ticket issue and call-next rates, and call -> WS delivery latency, on a real server."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx

from bench.harness import ROOT, ServerProcess, login, percentile, rss_mb, wrk

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
    """Call -> delivery to every one of `subscribers` live connections: p50/p99 in ms.

    The connections are held by separate client processes (at most 250 each) so that the
    clients' own work does not sit in the measured latency more than it must.
    """
    url = server.url.replace("http", "ws") + f"/api/v1/halls/{HALL}/live?token={DISPLAY}"
    sizes = [min(250, subscribers - i) for i in range(0, subscribers, 250)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.ws_clients", url, str(n)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in sizes
    ]
    try:
        for p in procs:
            assert p.stdout is not None and p.stdout.readline().strip() == "READY"
        time.sleep(1.0)  # every client has its snapshot: measure the settled server
        rss = rss_mb(server.proc.pid) if server.proc else float("nan")
        sent = _drive_calls(server.url, calls)
        arrivals: dict[str, list[int]] = {}
        for p in procs:
            out, _ = p.communicate("DONE\n", timeout=60)
            for number, times in json.loads(out.strip().splitlines()[-1]).items():
                arrivals.setdefault(number, []).extend(times)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    latencies = [(t - sent[n]) / 1e6 for n, times in arrivals.items() if n in sent for t in times]
    delivered = sum(len(arrivals.get(n, [])) for n in sent)
    return {
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "delivered": delivered / max(1, len(sent) * subscribers),
        "rss_mb": rss,
    }


def _drive_calls(url: str, calls: int) -> dict[str, int]:
    """Call `calls` tickets at window S09, one at a time; returns when each call was sent."""
    kiosk = {"Authorization": f"Bearer {KIOSK}"}
    token = login(url, HALL, "clerk09")
    staff = {"Authorization": f"Bearer {token}"}
    sent: dict[str, int] = {}
    with httpx.Client(base_url=url) as http:
        for _ in range(calls):  # S09 serves queue I; make sure it has tickets to call
            http.post(
                f"/api/v1/halls/{HALL}/tickets", json={"queue": "I"}, headers=kiosk
            ).raise_for_status()
        http.post(f"/api/v1/halls/{HALL}/windows/S09/sign-in", headers=staff)
        for _ in range(calls):
            t0 = time.monotonic_ns()
            r = http.post(f"/api/v1/halls/{HALL}/windows/S09/call-next", headers=staff)
            r.raise_for_status()
            sent[r.json()["number"]] = t0
            time.sleep(0.03)  # let every screen get it before the next call
            http.post(
                f"/api/v1/halls/{HALL}/windows/S09/outcome",
                json={"outcome": "accepted"},
                headers=staff,
            )
    return sent
