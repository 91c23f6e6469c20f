"""The one table `python -m bench` prints: figures, floors, ratios and DESIGN §7 verdicts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Figures = dict[str, float]

# DESIGN §7
ISSUE_RATE = 1000.0  # tickets/s, SQLite, one worker, 2 cores
ISSUE_FLOOR_SHARE = 0.5  # "within 2× of a bare ASGI endpoint doing one INSERT"
CALL_RATE = 500.0  # call-next/s
SCREENS, SCREEN_P99_MS = 200, 50.0
RSS_SCREENS, RSS_MB = 500, 200.0
STUB_BYTES, STUB_MS = 2048, 5.0


@dataclass
class Measured:
    """Everything measured for one configuration (server and its floors)."""

    label: str
    workers: int
    insert_floor: Figures = field(default_factory=dict)
    take_floor: Figures = field(default_factory=dict)
    rss_floor: float = 0.0
    rss_fresh: float = 0.0
    issue: Figures = field(default_factory=dict)
    call: Figures = field(default_factory=dict)
    latency: dict[int, Figures] = field(default_factory=dict)
    rss_after: float = 0.0


@dataclass
class Stub:
    """The printed stub: bytes, and wall median / p99 and CPU ms per render."""

    profile: str
    size: int
    median_ms: float
    p99_ms: float
    cpu_ms: float


Cells = tuple[str, str, str, str]  # result, floor, ratio, verdict
Line = tuple[str, str, Callable[[Measured], Cells]]


def verdict(*checks: bool) -> str:
    """PASS or MISS per target, in the order of the target column."""
    return "; ".join("PASS" if ok else "MISS" for ok in checks)


def ratio(value: float, floor: float) -> str:
    """value ÷ floor, to two significant figures."""
    if not floor or value != value or floor != floor:
        return "—"
    r = value / floor
    return f"{r:.0f}×" if r >= 10 else f"{r:.1f}×" if r >= 1 else f"{r:.2g}×"


def _failures(figures: Figures) -> str:
    bad = int(figures.get("errors", 0) + figures.get("non2xx", 0))
    return f" ⚠ {bad} failed" if bad else ""


def _rate(figures: Figures, unit: str) -> str:
    return f"{figures['rps']:.0f} {unit}, p99 {figures['p99_ms']:.0f} ms{_failures(figures)}"


def _issue(m: Measured) -> Cells:
    rps, floor = m.issue["rps"], m.insert_floor["rps"]
    return (
        _rate(m.issue, "tickets/s"),
        f"bare INSERT {floor:.0f}/s{_failures(m.insert_floor)}",
        ratio(rps, floor),
        verdict(rps >= ISSUE_RATE, rps >= ISSUE_FLOOR_SHARE * floor),
    )


def _call(m: Measured) -> Cells:
    rps, floor = m.call["rps"], m.take_floor["rps"]
    return (
        _rate(m.call, "calls/s"),
        f"bare UPDATE … RETURNING {floor:.0f}/s{_failures(m.take_floor)}",
        ratio(rps, floor),
        verdict(rps >= CALL_RATE),
    )


def _screens(n: int, broadcast: Figures) -> Callable[[Measured], Cells]:
    def cells(m: Measured) -> Cells:
        lat = m.latency[n]
        judged = n == SCREENS
        complete = lat["delivered"] >= 1.0
        return (
            f"p50 {lat['p50_ms']:.1f} ms, p99 {lat['p99_ms']:.1f} ms"
            + ("" if complete else f" ({lat['delivered']:.1%} delivered)"),
            f"bare broadcast p99 {broadcast['p99_ms']:.1f} ms",
            ratio(lat["p99_ms"], broadcast["p99_ms"]),
            verdict(lat["p99_ms"] <= SCREEN_P99_MS and complete) if judged else "—",
        )

    return cells


def _rss(screens: int, after: bool) -> Callable[[Measured], Cells]:
    def cells(m: Measured) -> Cells:
        rss = m.rss_after if after else m.rss_fresh
        procs = f"{m.workers} processes" if m.workers > 1 else "1 process"
        return (
            f"{rss:.0f} MB",
            f"bare websockets {m.rss_floor:.0f} MB ({procs})",
            ratio(rss, m.rss_floor),
            verdict(rss <= RSS_MB) if screens == RSS_SCREENS else "—",
        )

    return cells


def lines(subscribers: list[int], broadcast: dict[int, Figures], screens: int) -> list[Line]:
    """The rows that depend on a server configuration."""
    rows: list[Line] = [
        ("ticket issue, 16 kiosks", f"≥ {ISSUE_RATE:.0f}/s; ≥ 0.5× floor", _issue),
        ("call-next with its outcome, 8 windows", f"≥ {CALL_RATE:.0f}/s", _call),
    ]
    for n in subscribers:
        target = f"p99 ≤ {SCREEN_P99_MS:.0f} ms" if n == SCREENS else "—"
        rows.append((f"call → WS, {n} screens", target, _screens(n, broadcast[n])))
    target = f"≤ {RSS_MB:.0f} MB" if screens == RSS_SCREENS else "—"
    rows.append((f"server RSS, {screens} screens, fresh server", target, _rss(screens, False)))
    rows.append((f"server RSS, {screens} screens, after the runs", target, _rss(screens, True)))
    return rows


def render(
    configs: list[Measured | str],
    subscribers: list[int],
    broadcast: dict[int, Figures],
    screens: int,
    stub: Stub,
) -> str:
    """A Markdown table; a config given as a string is one that did not run (the reason)."""
    header = ["benchmark", "§7 target"]
    for c in configs:
        header += [c.label if isinstance(c, Measured) else "PostgreSQL", "floor", "ratio", "§7"]
    table = [header]
    for name, target, cells in lines(subscribers, broadcast, screens):
        row = [name, target]
        for c in configs:
            row += list(cells(c)) if isinstance(c, Measured) else [c, "", "", ""]
        table.append(row)
    stub_cells = [
        f"{stub.size} B, median {stub.median_ms:.2f} ms, p99 {stub.p99_ms:.2f} ms "
        f"(CPU {stub.cpu_ms:.2f} ms)",
        "—",
        "—",
        verdict(stub.size <= STUB_BYTES, stub.p99_ms <= STUB_MS),
    ]
    row = [f"printed stub, {stub.profile}", f"≤ {STUB_BYTES} B; ≤ {STUB_MS:.0f} ms"]
    for i, _ in enumerate(configs):
        row += stub_cells if i == 0 else ["same renderer, no server", "", "", ""]
    table.append(row)
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    out = [
        "| " + " | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)) + " |" for r in table
    ]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)
