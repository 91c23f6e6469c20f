"""Staffing advice from history (Erlang C on measured times) and the dashboard's SVG charts."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from server.stats.erlang import windows_needed
from server.stats.staffing import half_up
from server.store.tables import calls, tickets, windows
from tests.helpers import issue, login, window

ZONE = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def advice(history):
    r = history.get("/staffing")
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def raw(history, advice):
    start, end = dt.date.fromisoformat(advice["from"]), dt.date.fromisoformat(advice["to"])
    with history.ctx.db.read() as conn:
        ticket_rows = conn.execute(
            select(tickets).where(tickets.c.business_date.between(start, end))
        ).all()
        call_rows = conn.execute(
            select(calls).where(calls.c.business_date.between(start, end)).order_by(calls.c.id)
        ).all()
    return ticket_rows, call_rows


def test_the_default_range_is_the_eight_weeks_before_today(advice):
    assert (advice["from"], advice["to"]) == ("2026-09-29", "2026-11-23")
    assert [d["label"] for d in advice["weekdays"]] == ["周一", "周二", "周三", "周四", "周五"]
    assert advice["target_wait_min"] == 10


def test_arrivals_and_windows_at_work_are_means_over_the_weekdays(advice, raw):
    ticket_rows, call_rows = raw
    first_queue = {}
    for c in call_rows:
        first_queue.setdefault(c.ticket_id, c.queue)
    days = defaultdict(set)
    arrivals = Counter()
    for t in ticket_rows:
        days[t.business_date.weekday()].add(t.business_date)
        hour = t.issued_at.astimezone(ZONE).hour
        arrivals[(t.business_date.weekday(), hour, first_queue.get(t.id, t.queue))] += 1
    working = defaultdict(set)
    for c in call_rows:
        working[(c.business_date, c.called_at.astimezone(ZONE).hour)].add(c.window)
    for day in advice["weekdays"]:
        n = len(days[day["weekday"]])
        assert day["days"] == n
        for hour in day["hours"]:
            for q in hour["queues"]:
                expected = arrivals[(day["weekday"], hour["hour"], q["queue"])] / n
                assert q["arrivals"] == pytest.approx(expected, abs=0.006)
                needed = windows_needed(q["arrivals"] / 60, q["service_min"], 10)
                assert q["needed"] == min(needed, q["can_serve"])
            at_work = sum(len(working[(d, hour["hour"])]) for d in days[day["weekday"]]) / n
            assert hour["open"] == pytest.approx(at_work, abs=0.006)


def test_service_minutes_are_measured_per_queue(advice, raw):
    _, call_rows = raw
    spent = defaultdict(list)
    for c in call_rows:
        if c.result in ("accepted", "consulted", "rejected", "transferred"):
            spent[c.queue].append((c.ended_at - c.called_at).total_seconds() / 60)
    for queue, values in spent.items():
        assert advice["service_minutes"][queue] == pytest.approx(
            sum(values) / len(values), abs=0.006
        )


def test_peaks_need_more_windows_and_a_stricter_target_more_still(history, advice):
    monday = {h["hour"]: h for h in advice["weekdays"][0]["hours"]}
    assert monday[10]["needed"] > monday[13]["needed"]
    assert monday[15]["needed"] > monday[13]["needed"]
    strict = history.get("/staffing", target=2).json()
    strict_monday = {h["hour"]: h for h in strict["weekdays"][0]["hours"]}
    assert strict_monday[10]["needed"] >= monday[10]["needed"]
    assert sum(h["needed"] for h in strict_monday.values()) > sum(
        h["needed"] for h in monday.values()
    )
    assert history.get("/staffing", target=0).status_code == 422


def test_half_a_window_at_work_counts_as_one_so_the_gap_and_the_queue_list_agree(client, clock):
    """Two Tuesdays at 10:00: S16 serves 公积金 on one, not on the other (0.5 windows)."""
    clerk = login(client, "clerk16")
    assert window(client, clerk, "S16", "sign-in").status_code == 200
    clock.advance(hours=1)  # Tuesday 2026-11-24 10:00
    issue(client, queue="G")
    assert window(client, clerk, "S16", "call-next").status_code == 200
    clock.advance(minutes=8)
    assert window(client, clerk, "S16", "outcome", outcome="accepted").status_code == 200
    clock.advance(days=7)  # Tuesday 2026-12-01 10:08: one arrival, nobody calls it
    issue(client, queue="G")
    clock.advance(days=1)
    r = client.get(
        "/api/v1/halls/demo/staffing",
        params={"from": "2026-11-24", "to": "2026-12-01"},
        headers=login(client, "supervisor"),
    )
    assert r.status_code == 200, r.text
    ten = next(h for h in r.json()["weekdays"][0]["hours"] if h["hour"] == 10)
    (g,) = ten["queues"]
    assert (g["queue"], g["arrivals"], g["needed"]) == ("G", 1.0, 1)
    assert (g["open"], g["open_windows"], g["short"]) == (0.5, 1, 0)  # round(0.5) would be 0
    assert ten["short"] == 0


def test_whole_windows_round_half_up():
    assert [half_up(v) for v in (0.5, 1.5, 2.5, 0.49)] == [1, 2, 3, 0]
    assert half_up(0.125, 2) == 0.13


@pytest.mark.parametrize("name", ["arrivals", "waiting", "outcomes", "staffing"])
def test_charts_are_well_formed_svg(history, name):
    r = history.get(f"/charts/{name}.svg", **{"from": "2026-10-01", "to": "2026-10-31"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(r.text)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    bars = root.findall(".//{http://www.w3.org/2000/svg}rect")
    assert len(bars) > 5


def test_the_outcomes_chart_has_a_row_per_window_and_arrivals_an_hour_per_column(history):
    svg = history.get("/charts/outcomes.svg", **{"from": "2026-10-01", "to": "2026-10-31"}).text
    assert "S26 潮汐窗口" in svg and "不予受理" in svg
    svg = history.get("/charts/arrivals.svg", **{"from": "2026-10-01", "to": "2026-10-31"}).text
    assert "09时" in svg and "12时" not in svg  # nobody arrives over lunch


def test_unknown_charts_and_weekdays_are_refused(history):
    assert history.get("/charts/pie.svg").status_code == 404
    assert history.get("/charts/staffing.svg", weekday=9).status_code == 422


def test_advice_never_asks_for_more_windows_than_can_serve_the_queue(client, clock):
    """Thirty 公积金 citizens in one hour, and only S16 serves 公积金: the rest is unmet demand."""
    clerk = login(client, "clerk16")
    assert window(client, clerk, "S16", "sign-in").status_code == 200
    clock.advance(hours=1)  # Tuesday 2026-11-24 10:00
    for _ in range(30):
        issue(client, queue="G")
        clock.advance(seconds=100)
    assert window(client, clerk, "S16", "call-next").status_code == 200
    clock.advance(minutes=8)
    assert window(client, clerk, "S16", "outcome", outcome="accepted").status_code == 200
    clock.advance(days=1)
    r = client.get(
        "/api/v1/halls/demo/staffing",
        params={"from": "2026-11-24", "to": "2026-11-24"},
        headers=login(client, "supervisor"),
    )
    assert r.status_code == 200, r.text
    ten = next(h for h in r.json()["weekdays"][0]["hours"] if h["hour"] == 10)
    (g,) = ten["queues"]
    assert g["queue"] == "G" and g["queue_name"] == "公积金"
    assert g["arrivals"] == 30.0 and g["can_serve"] == 1
    assert g["needed"] == 1 and ten["needed"] == 1  # not the six Erlang C would ask for
    assert g["unmet"]["windows"] == windows_needed(0.5, 8, 10) - 1 > 0
    assert g["unmet"]["expected_wait_min"] is None  # one window cannot keep up: the line grows
    assert g["advice"] == (
        "公积金：约 30 人/小时，能办的 1 个窗口全开也接待不过来，队伍越排越长，"
        f"需再增 {g['unmet']['windows']} 个能办的窗口"
    )


def test_every_hour_needs_at_most_the_windows_of_the_hall(advice, history):
    with history.ctx.db.read() as conn:
        hall_windows = conn.execute(select(func.count()).select_from(windows)).scalar_one()
    for day in advice["weekdays"]:
        for hour in day["hours"]:
            assert hour["needed"] <= hall_windows
            for q in hour["queues"]:
                assert q["needed"] <= q["can_serve"]
                if q["short"]:
                    assert q["advice"].startswith(f"{q['queue_name']}：约 ")
