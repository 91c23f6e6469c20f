"""疑似代评 and overdue 差评整改 in the monthly anomaly report, its xlsx and the overview."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.helpers import EVALUATOR, issue, login, window
from tests.server.test_rating import owner, served

pytestmark = pytest.mark.db
REPORT = "/api/v1/halls/demo/anomalies"


def serve_and_rate(client, clock, code, clerk, *, count, rate_after, level, then):
    """`count` services at a window, each rated `rate_after` s after it ended, `then` s apart."""
    headers = login(client, clerk)
    window(client, headers, code, "sign-in")
    for _ in range(count):
        ticket = issue(client, queue="A")
        assert window(client, headers, code, "call", ticket=ticket["id"]).status_code == 200
        assert window(client, headers, code, "outcome", outcome="accepted").status_code == 200
        clock.advance(seconds=rate_after)
        url = f"/api/v1/tickets/{ticket['id']}/evaluation"
        assert client.post(url, json={"level": level}, headers=EVALUATOR).is_success
        clock.advance(seconds=then)


def test_a_window_rated_at_once_far_more_than_the_rest_and_a_burst_are_flagged(client, clock):
    serve_and_rate(client, clock, "S01", "clerk01", count=20, rate_after=0, level=5, then=300)
    serve_and_rate(client, clock, "S02", "clerk02", count=20, rate_after=30, level=4, then=300)
    serve_and_rate(client, clock, "S03", "clerk03", count=9, rate_after=10, level=5, then=20)
    report = client.get(REPORT, params={"month": "2026-11"}, headers=login(client, "supervisor"))
    section = report.json()["proxy_ratings"]
    rows = {r["window"]: r for r in section["rows"]}
    assert set(rows) == {"S01", "S03"}  # S02 rates like a citizen: neither fast nor in bursts
    assert rows["S01"]["flagged"] and rows["S01"]["quick_share"] == 1.0
    assert rows["S01"]["rest_quick_share"] == 0.0 and rows["S01"]["bursts"] == []
    assert not rows["S03"]["flagged"]  # 9 ratings are too few to compare shares
    (burst,) = rows["S03"]["bursts"]
    assert burst["count"] == 9 and len(burst["numbers"]) == 9
    texts = [f["text"] for f in report.json()["findings"] if f["section"] == "疑似代评"]
    assert len(texts) == 2 and "100.0%" in texts[0] and "连续 9 条非常满意" in texts[1]
    assert report.json()["summary"]["proxy_windows"] == 2


def test_a_hall_that_always_rates_fast_flags_nobody(client, clock):
    serve_and_rate(client, clock, "S01", "clerk01", count=20, rate_after=0, level=5, then=300)
    serve_and_rate(client, clock, "S02", "clerk02", count=20, rate_after=2, level=4, then=300)
    report = client.get(REPORT, params={"month": "2026-11"}, headers=login(client, "supervisor"))
    assert report.json()["proxy_ratings"]["rows"] == []


def test_an_overdue_followup_shows_in_the_report_its_xlsx_and_the_overview(client, clock):
    ticket = served(client)
    body = {"level": 2, "reasons": ["等候时间长"]}
    url = f"/api/v1/tickets/{ticket['id']}/evaluation"
    assert client.post(url, json=body, params=owner(ticket)).is_success
    sup = login(client, "supervisor")
    overview = client.get("/api/v1/halls/demo/overview", headers=sup).json()
    assert not [a for a in overview["alerts"] if a["kind"] == "followup_overdue"]
    clock.advance(days=8)  # Wednesday 2026-12-02, the day after the deadline
    sup = login(client, "supervisor")
    report = client.get(REPORT, params={"month": "2026-11"}, headers=sup).json()
    assert report["followups"]["overdue_total"] == 1 and report["followups"]["open"] == 1
    (late,) = report["followups"]["overdue"]
    assert (late["number"], late["deadline"], late["days_late"]) == (
        ticket["number"],
        "2026-12-01",
        1,
    )
    assert any(f["section"] == "差评整改逾期" for f in report["findings"])
    book = load_workbook(
        io.BytesIO(client.get(REPORT + ".xlsx", params={"month": "2026-11"}, headers=sup).content)
    )
    sheet = book["差评整改逾期"]
    assert [c.value for c in sheet[2]][1:3] == [ticket["number"], "S01"]
    assert sheet[2][-2].value == "未回访" and "疑似代评" in book.sheetnames
    overview = client.get("/api/v1/halls/demo/overview", headers=sup).json()
    (alert,) = [a for a in overview["alerts"] if a["kind"] == "followup_overdue"]
    assert ticket["number"] in alert["message"] and "差评整改逾期" in alert["message"]
    page = client.get(REPORT + ".html", params={"month": "2026-11"}, headers=sup).text
    assert "差评整改逾期" in page and "疑似代评" in page
