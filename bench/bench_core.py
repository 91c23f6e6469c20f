"""Ticket issue and call-next rates, and call -> WS delivery latency, on a real server."""

from __future__ import annotations

import time

import httpx

from bench.harness import (
    CALL_GAP,
    ClientFleet,
    ServerProcess,
    latency_figures,
    login,
    rss_mb,
    wrk,
)

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
-- The next request follows the last answer, not a count of requests: wrk calls request()
-- once more on its first thread to check the script. After a call (or a 409: the window
-- still has a ticket) comes an outcome; after a 404 (nothing waiting) another call.
init = function(args) called = false end
request = function()
  local h = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  local path = "/api/v1/halls/city/windows/" .. win
  if called then
    kind = "outcome"
    return wrk.format("POST", path .. "/outcome", h, '{"outcome":"accepted"}')
  end
  kind = "call"
  return wrk.format("POST", path .. "/call-next", h, "")
end
response = function(status, headers, body)
  called = kind == "call" and status ~= 404
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
    with ClientFleet(_live_url(server), subscribers) as fleet:
        sent = _drive_calls(server.url, calls)
        return latency_figures(sent, fleet.collect(), subscribers)


def rss_with_screens(server: ServerProcess, screens: int) -> float:
    """The server's RSS (MB, every process) with `screens` live connections open."""
    assert server.proc is not None
    with ClientFleet(_live_url(server), screens):
        return rss_mb(server.proc.pid)


def _live_url(server: ServerProcess) -> str:
    return server.url.replace("http", "ws") + f"/api/v1/halls/{HALL}/live?token={DISPLAY}"


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
            time.sleep(CALL_GAP)  # let every screen get it before the next call
            http.post(
                f"/api/v1/halls/{HALL}/windows/S09/outcome",
                json={"outcome": "accepted"},
                headers=staff,
            )
    return sent
