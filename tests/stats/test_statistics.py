"""Statistics over three months of history agree with counts made here from the raw rows."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server.store.tables import calls, tickets, windows

ZONE = ZoneInfo("Asia/Shanghai")
SERVED = {"accepted", "consulted", "rejected"}


@pytest.fixture(scope="module")
def raw(history):
    """Every call, ticket and window row of the hall, read plainly."""
    with history.ctx.db.read() as conn:
        call_rows = conn.execute(select(calls).order_by(calls.c.id)).all()
        ticket_rows = conn.execute(select(tickets)).all()
        window_rows = conn.execute(select(windows)).all()
    first_call = {}
    for c in call_rows:
        first_call.setdefault(c.ticket_id, c)
    return {
        "calls": call_rows,
        "tickets": ticket_rows,
        "first_call": first_call,
        "area": {w.code: w.area for w in window_rows},
    }


@pytest.fixture(scope="module")
def stats(history):
    """The API's answer for every grouping over the whole history."""
    plan = history.plan
    answers = {}
    for by in ("window", "queue", "clerk", "area", "hour", "day"):
        r = history.get(
            "/stats", **{"from": plan.start.isoformat(), "to": plan.end.isoformat()}, by=by
        )
        assert r.status_code == 200, r.text
        answers[by] = r.json()
    return answers


def rows_by_key(answer):
    return {row["key"]: row for row in answer["rows"]}


def nearest_rank(values, p):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def minutes(seconds):
    return round(seconds / 60, 2)


def call_key(by, call, raw):
    return {
        "window": call.window,
        "queue": call.queue,
        "clerk": call.clerk,
        "area": raw["area"][call.window],
        "hour": f"{call.called_at.astimezone(ZONE).hour:02d}",
        "day": call.business_date.isoformat(),
    }[by]


def ticket_key(by, ticket, raw):
    first = raw["first_call"].get(ticket.id)
    queue = first.queue if first else ticket.queue
    return {
        "window": first.window if first else None,
        "clerk": first.clerk if first else None,
        "queue": queue,
        "area": {"B": "bdc"}.get(queue, "zh" if queue in "ACZDF" else "zc"),
        "hour": f"{ticket.issued_at.astimezone(ZONE).hour:02d}",
        "day": ticket.business_date.isoformat(),
    }[by]


def expected_call_counts(by, raw):
    counts = defaultdict(Counter)
    service = defaultdict(list)
    for c in raw["calls"]:
        key = call_key(by, c, raw)
        k = counts[key]
        k["called"] += 1
        k["recalls"] += c.recalls
        k[c.result] += 1
        if c.result in SERVED or c.result == "transferred":
            service[key].append((c.ended_at - c.called_at).total_seconds())
    return counts, service


def expected_ratings(by, raw):
    counts = defaultdict(Counter)
    tickets_by_id = {t.id: t for t in raw["tickets"]}
    for c in raw["calls"]:
        if c.result not in SERVED:
            continue
        t = tickets_by_id[c.ticket_id]
        k = counts[call_key(by, c, raw)]
        k["should_rate"] += t.evaluation_requested
        if t.evaluation_level is not None:
            k["rated"] += 1
            k[f"level_{t.evaluation_level}"] += 1
    return counts


def expected_ticket_counts(by, raw):
    counts = defaultdict(Counter)
    waits = defaultdict(list)
    for t in raw["tickets"]:
        key = ticket_key(by, t, raw)
        counts[key]["issued"] += 1
        counts[key]["requeued"] += t.requeue_count
        counts[key][t.status] += 1
        if t.first_called_at is not None:
            waits[key].append((t.first_called_at - t.issued_at).total_seconds())
    return counts, waits


@pytest.mark.db
@pytest.mark.parametrize("by", ["window", "queue", "clerk", "area", "hour", "day"])
def test_call_counts_per_group_match_the_raw_calls(stats, raw, by):
    rows = rows_by_key(stats[by])
    counts, service = expected_call_counts(by, raw)
    assert counts, "history has calls"
    for key, expected in counts.items():
        row = rows[key]
        for column in ("called", "recalls", "accepted", "consulted", "rejected", "no_show"):
            assert row[column] == expected[column], (by, key, column)
        assert row["transferred"] == expected["transferred"], (by, key)
        durations = service[key]
        assert row["service_count"] == len(durations)
        assert row["service_mean_min"] == pytest.approx(
            minutes(sum(durations) / len(durations)), abs=0.011
        )
        assert row["service_median_min"] == minutes(nearest_rank(durations, 50))
        assert row["service_p90_min"] == minutes(nearest_rank(durations, 90))
        assert row["service_max_min"] == minutes(max(durations))


@pytest.mark.db
@pytest.mark.parametrize("by", ["window", "clerk", "queue", "day"])
def test_evaluations_per_group_match_the_raw_tickets(stats, raw, by):
    rows = rows_by_key(stats[by])
    for key, expected in expected_ratings(by, raw).items():
        row = rows[key]
        assert row["should_rate"] == expected["should_rate"]
        assert row["rated"] == expected["rated"]
        assert row["not_rated"] == expected["should_rate"] - expected["rated"]
        for level in range(1, 6):
            assert row[f"level_{level}"] == expected[f"level_{level}"]
        satisfied = sum(expected[f"level_{n}"] for n in (3, 4, 5))
        assert row["satisfaction_rate"] == round(satisfied / expected["rated"], 4)
        assert row["rating_rate"] == round(expected["rated"] / expected["should_rate"], 4)


@pytest.mark.db
@pytest.mark.parametrize("by", ["queue", "area", "hour", "day"])
def test_ticket_counts_and_waits_per_group_match_the_raw_tickets(stats, raw, by):
    rows = rows_by_key(stats[by])
    counts, waits = expected_ticket_counts(by, raw)
    for key, expected in counts.items():
        row = rows[key]
        for column in ("issued", "requeued", "cancelled", "expired"):
            assert row[column] == expected[column], (by, key, column)
        if waits[key]:
            values = waits[key]
            assert row["waiting_count"] == len(values)
            assert row["waiting_mean_min"] == pytest.approx(
                minutes(sum(values) / len(values)), abs=0.011
            )
            assert row["waiting_median_min"] == minutes(nearest_rank(values, 50))
            assert row["waiting_p90_min"] == minutes(nearest_rank(values, 90))
            assert row["waiting_max_min"] == minutes(max(values))


@pytest.mark.db
@pytest.mark.parametrize("by", ["window", "clerk"])
def test_waits_count_at_the_window_and_clerk_that_first_called(stats, raw, by):
    rows = rows_by_key(stats[by])
    _, waits = expected_ticket_counts(by, raw)
    for key, values in waits.items():
        if key is None:
            continue
        assert rows[key]["waiting_count"] == len(values)
        assert rows[key]["waiting_p90_min"] == minutes(nearest_rank(values, 90))
        assert rows[key]["issued"] is None  # tickets are not issued to a window or a clerk


@pytest.mark.db
def test_totals_are_the_same_whatever_the_grouping(stats, raw):
    totals = [answer["total"] for answer in stats.values()]
    assert all(t == totals[0] for t in totals)
    total = totals[0]
    assert total["issued"] == len(raw["tickets"])
    assert total["called"] == len(raw["calls"])
    ended = [c for c in raw["calls"] if c.result is not None]
    served = sum(c.result in SERVED for c in ended)
    assert total["completion_rate"] == round(served / len(ended), 4)
    assert total["no_show_rate"] == round(sum(c.result == "no_show" for c in ended) / len(ended), 4)
    for by in ("window", "queue", "hour", "day"):
        assert sum(r["called"] for r in stats[by]["rows"]) == total["called"]


@pytest.mark.db
def test_history_is_realistic(history, stats):
    hours = {int(r["key"]): r["issued"] for r in stats["hour"]["rows"]}
    assert min(hours[9], hours[10]) > max(hours[8], hours[11], hours[13])
    assert min(hours[14], hours[15]) > max(hours[13], hours[16], hours[17])
    total = stats["window"]["total"]
    assert 0.04 <= total["no_show_rate"] <= 0.065
    assert total["transferred"] > 0 and total["not_rated"] > 0 and total["requeued"] > 0
    queues = rows_by_key(stats["queue"])
    assert queues["B"]["service_mean_min"] > 2 * queues["C"]["service_mean_min"]
    days = {r["key"] for r in stats["day"]["rows"]}
    plan = history.plan
    weekdays = {
        (plan.start + dt.timedelta(days=i)).isoformat()
        for i in range((plan.end - plan.start).days + 1)
        if (plan.start + dt.timedelta(days=i)).weekday() < 5
    }
    assert days == weekdays


@pytest.mark.db
def test_a_range_selects_only_its_days(history, stats):
    r = history.get("/stats", **{"from": "2026-11-02", "to": "2026-11-06"}, by="day")
    assert [row["key"] for row in r.json()["rows"]] == [
        "2026-11-02",
        "2026-11-03",
        "2026-11-04",
        "2026-11-05",
        "2026-11-06",
    ]
    whole = rows_by_key(stats["day"])
    assert r.json()["total"]["issued"] == sum(whole[d]["issued"] for d in rows_by_key(r.json()))
