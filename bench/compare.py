"""`python -m bench --baseline REV`: the same scenarios on the current tree and on REV, one run.

For each configuration (SQLite with one worker; PostgreSQL with four) one server per tree is
started on the same nine halls (bench's usual `city` hall and eight halls h01…h08), and the
same wrk runs go to both, current first, then the baseline, scenario by scenario, so a drift
of the machine's load weighs on both columns alike.
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import halls
from bench.bench_core import ISSUE_LUA
from bench.harness import analyze, login, write_hall, wrk
from bench.trees import ROOT, TreeServer, baseline_tree, head_label

EIGHT = [halls.hall_code(i, 2) for i in range(1, 9)]
# five queues per window: the two windows of a hall that the call run uses serve 10 of its 15
# queues, so the tickets of the issue run before it keep them busy
SHAPE = halls.HallShape(windows=9, queues=15, screens=1, served=5)
WINDOWS_PER_HALL = 2  # the 8-hall call run: 16 windows, two per hall

MULTI_ISSUE_LUA = """
math.randomseed(os.time())
local letters = "ABCDEFGHIJKLMNO"
local halls = {}
for h in string.gmatch(os.getenv("HALLS"), "[^,]+") do table.insert(halls, h) end
request = function()
  local h = halls[math.random(1, #halls)]
  local q = math.random(1, #letters)
  local body = '{"queue":"' .. letters:sub(q, q) .. '"}'
  return wrk.format("POST", "/api/v1/halls/" .. h .. "/tickets",
    {["Authorization"] = "Bearer kiosk-" .. h .. "-secret",
     ["Content-Type"] = "application/json"}, body)
end
"""

# As bench_core.CALL_LUA, with the hall of each window (thread) from TARGETS=hall/win/token,…
# and the calls that took a ticket counted apart from the 404s (nothing waiting), so that a
# faster tree that empties its queues is not credited with cheap 404s.
MULTI_CALL_LUA = """
local n = 0
local threads = {}
local targets = {}
for t in string.gmatch(os.getenv("TARGETS"), "[^,]+") do table.insert(targets, t) end
setup = function(thread)
  n = n + 1
  local hall, win, token = string.match(targets[n], "([^/]+)/([^/]+)/([^/]+)")
  thread:set("path", "/api/v1/halls/" .. hall .. "/windows/" .. win)
  thread:set("token", token)
  table.insert(threads, thread)
end
init = function(args)
  called, calls, empties, owed = false, 0, 0, 0
end
request = function()
  local h = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  if called then
    kind = "outcome"
    return wrk.format("POST", path .. "/outcome", h, '{"outcome":"accepted"}')
  end
  kind = "call"
  return wrk.format("POST", path .. "/call-next", h, "")
end
response = function(status, headers, body)
  if kind == "call" and status == 404 then empties = empties + 1 end
  if kind == "call" and status < 300 then calls = calls + 1 end
  -- 409 on a call: the window still serves the ticket an earlier run called (that run ended
  -- before its outcome), so the outcome comes next; it is not counted as a failure
  if kind == "call" and status == 409 then owed = owed + 1 end
  called = kind == "call" and status ~= 404
end
"""

CALL_REPORT_LUA = """
done = function(summary, latency, requests)
  local c, e, o = 0, 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("calls"); e = e + t:get("empties"); o = o + t:get("owed")
  end
  io.write(string.format('JSON{"p50_ms": %.2f, "p99_ms": %.2f, "errors": %d, "non2xx": %d, '
    .. '"calls": %d, "empties": %d, "seconds": %.3f}\\n',
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.errors.status - e - o, c, e, summary.duration / 1e6))
end
"""

Figures = dict[str, float]


@dataclass
class Row:
    """One scenario in one configuration: the figures of both trees."""

    config: str
    scenario: str
    unit: str
    target: float  # the ratio current ÷ baseline the issue asks for (0: none)
    current: Figures = field(default_factory=dict)
    baseline: Figures = field(default_factory=dict)


def issue_one(url: str, seconds: int) -> Figures:
    """16 kiosks of the `city` hall issue as fast as they can."""
    return wrk(url, ISSUE_LUA, seconds=seconds, threads=2, conns=16)


def _issue_eight(url: str, seconds: int) -> Figures:
    return wrk(
        url, MULTI_ISSUE_LUA, seconds=seconds, threads=2, conns=16, env={"HALLS": ",".join(EIGHT)}
    )


def _sign_in(url: str, hall: str, window: int, user: str) -> str:
    token = login(url, hall, user)
    httpx.post(
        f"{url}/api/v1/halls/{hall}/windows/S{window:02d}/sign-in",
        headers={"Authorization": f"Bearer {token}"},
    ).raise_for_status()
    return token


def city_windows(url: str) -> list[str]:
    """Sign in the clerks of S01…S08 of bench's `city` hall: wrk TARGETS."""
    return [f"city/S{w:02d}/{_sign_in(url, 'city', w, f'clerk{w:02d}')}" for w in range(1, 9)]


def _call_one(url: str, seconds: int) -> Figures:
    return calls(url, city_windows(url), seconds)


def _call_eight(url: str, seconds: int) -> Figures:
    targets = [
        f"{h}/S{w:02d}/{_sign_in(url, h, w, halls.clerk(h, w))}"
        for h in EIGHT
        for w in range(1, WINDOWS_PER_HALL + 1)
    ]
    return calls(url, targets, seconds)


def calls(url: str, targets: list[str], seconds: int) -> Figures:
    """Each target window alternates call-next and its outcome: calls that took a ticket/s."""
    n = len(targets)
    result = wrk(
        url,
        MULTI_CALL_LUA,
        seconds=seconds,
        threads=n,
        conns=n,
        env={"TARGETS": ",".join(targets)},
        done_lua=CALL_REPORT_LUA,
    )
    result["rps"] = result["calls"] / result["seconds"]  # calls that took a ticket
    return result


SCENARIOS: list[tuple[str, str, Callable[[str, int], Figures]]] = [
    ("ticket issue, 1 hall, 16 kiosks", "tickets/s", issue_one),
    ("call-next with its outcome, 1 hall, 8 windows", "calls/s", _call_one),
    ("ticket issue, 8 halls, 16 kiosks", "tickets/s", _issue_eight),
    ("call-next with its outcome, 8 halls, 16 windows", "calls/s", _call_eight),
]


def run(args: argparse.Namespace, log: Callable[[str], None]) -> str:
    """Both trees, every configuration; returns the printed report."""
    configs = [("SQLite, 1 worker", 1, None, 2.0)]
    if args.pg_url and not args.no_pg:
        configs.append(("PostgreSQL, 4 workers", 4, args.pg_url, 3.0))
    rows: list[Row] = []
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
        log(f"baseline: git worktree of {args.baseline}")
        base = stack.enter_context(baseline_tree(args.baseline))
        labels = head_label(), head_label(base)
        files = [write_hall(tmp / "city.toml"), *halls.write_halls(tmp / "halls", EIGHT, SHAPE)]
        for label, workers, pg_url, target in configs:
            rows += _config(tmp / label[:6], label, workers, pg_url, target, base, files, args, log)
    return render(rows, args, *labels)


def _config(
    work: Path,
    label: str,
    workers: int,
    pg_url: str | None,
    target: float,
    base: Path,
    files: list[Path],
    args: argparse.Namespace,
    log: Callable[[str], None],
) -> list[Row]:
    """One configuration: a server per tree, the scenarios alternating between them."""
    rows = [
        Row(label, name, unit, target if "1 hall" in name else 0.0) for name, unit, _ in SCENARIOS
    ]
    with ExitStack() as stack:
        servers = {}
        for side, root in (("current", ROOT), ("baseline", base)):
            env = {}
            if pg_url:
                from tests.pgschema import fresh_schema

                env["YICHUANG_DATABASE_URL"] = stack.enter_context(fresh_schema(pg_url))
            log(f"{label}: starting the {side} server ({root})")
            server = TreeServer(root, work / side, files, workers=workers, env=env).start()
            stack.callback(server.stop)
            servers[side] = server
            # one unmeasured second: the workers open their connections and warm their caches
            wrk(server.url, ISSUE_LUA, seconds=1, threads=2, conns=16)
            if pg_url:
                analyze(env["YICHUANG_DATABASE_URL"])
        for i, (row, (name, _, scenario)) in enumerate(zip(rows, SCENARIOS, strict=True)):
            runs: dict[str, list[Figures]] = {"current": [], "baseline": []}
            for r in range(args.rounds):
                # alternate which tree goes first, so neither always meets the busier moment
                order = list(servers.items())[:: 1 if (i + r) % 2 == 0 else -1]
                for side, server in order:
                    log(f"{label}: {name}, {side}, round {r + 1} of {args.rounds}")
                    runs[side].append(scenario(server.url, args.seconds))
            row.current, row.baseline = _median(runs["current"]), _median(runs["baseline"])
    return rows


def _median(runs: list[Figures]) -> Figures:
    """The run with the median rate (the lower middle one of an even count)."""
    return sorted(runs, key=lambda f: f["rps"])[(len(runs) - 1) // 2]


def render(rows: list[Row], args: argparse.Namespace, current: str, baseline: str) -> str:
    """One Markdown table, then the scale-out check (PostgreSQL ÷ SQLite over 8 halls)."""
    header = [
        "configuration",
        "scenario",
        f"current {current}",
        f"baseline {baseline}",
        "current ÷ baseline",
        "target",
    ]
    table = [header]
    for r in rows:
        ratio = r.current["rps"] / r.baseline["rps"] if r.baseline.get("rps") else float("nan")
        verdict = (
            (f"≥ {r.target:.0f}× {'PASS' if ratio >= r.target else 'MISS'}") if r.target else "—"
        )
        table.append(
            [
                r.config,
                r.scenario,
                _cell(r.current, r.unit),
                _cell(r.baseline, r.unit),
                f"{ratio:.2f}×",
                verdict,
            ]
        )
    out = _markdown(table)
    scale = _scale_out(rows)
    footer = (
        f"\nwrk runs of {args.seconds} s, median of {args.rounds} per tree (order alternating); "
        f"the same machine, the same run; "
        f"rates higher is better.{' QUICK smoke run: figures not to quote.' if args.quick else ''}"
    )
    return out + ("\n\n" + scale if scale else "") + footer


def _scale_out(rows: list[Row]) -> str:
    """PostgreSQL/4 ÷ SQLite/1 over the same 8 halls, per tree (target ≥ 1×)."""
    lines = []
    for name, _, _ in SCENARIOS:
        if "8 halls" not in name:
            continue
        pair = [r for r in rows if r.scenario == name]
        if len(pair) != 2:
            continue
        sqlite, pg = pair
        cells = []
        for side in ("current", "baseline"):
            a, b = getattr(pg, side)["rps"], getattr(sqlite, side)["rps"]
            cells.append(f"{side} {a:.0f} ÷ {b:.0f} = {a / b:.2f}×")
        ok = pg.current["rps"] >= sqlite.current["rps"]
        verdict = "PASS" if ok else "MISS"
        lines.append(f"- {name}: PostgreSQL/4 ÷ SQLite/1: {'; '.join(cells)} (≥ 1×: {verdict})")
    return "Scale-out over the same 8 halls:\n" + "\n".join(lines) if lines else ""


def _cell(f: Figures, unit: str) -> str:
    bad = int(f.get("errors", 0) + f.get("non2xx", 0))
    empty = f" ({int(f['empties'])} found nothing waiting)" if f.get("empties") else ""
    text = f"{f['rps']:.0f} {unit}, p99 {f['p99_ms']:.0f} ms{empty}"
    return text + (f" ⚠ {bad} failed" if bad else "")


def _markdown(table: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    out = [
        "| " + " | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) + " |" for r in table
    ]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)
