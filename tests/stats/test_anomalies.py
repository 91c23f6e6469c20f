"""The monthly 业务异常情况通报 against the raw rows: JSON, xlsx and the printable page."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import select, update

from server.config import DEMO_HALL_FILE
from server.demo.history import HistoryPlan
from server.store.tables import calls, tickets, walk_ins
from tests.helpers import EVALUATOR, TZ, FakeClock, issue, login, window
from tests.pgschema import store_for_test
from tests.stats.conftest import build_history

ZONE = ZoneInfo("Asia/Shanghai")
MONTH = {"month": "2026-11"}
pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """November up to the day before the fake clock, with S17 skipping many citizens."""
    plan = HistoryPlan(dt.date(2026, 11, 2), dt.date(2026, 11, 23), scale=0.3, seed=5)
    with store_for_test():
        for built in build_history(tmp_path_factory.mktemp("anomalies"), plan):
            with built.ctx.db.write() as conn:
                conn.execute(
                    update(calls)
                    .where(
                        calls.c.window == "S17", calls.c.result == "accepted", calls.c.id % 3 == 0
                    )
                    .values(result="no_show")
                )
                conn.execute(
                    update(tickets)
                    .where(tickets.c.window == "S18", tickets.c.evaluation_level.is_not(None))
                    .values(evaluation_level=1, evaluation_comment="<script>alert(1)</script>")
                )
                # S05 never invites a rating in the first half of the month: the worst window.
                conn.execute(
                    update(tickets)
                    .where(
                        tickets.c.window == "S05", tickets.c.business_date <= dt.date(2026, 11, 13)
                    )
                    .values(evaluation_level=None, evaluated_at=None, evaluation_comment=None)
                )
            yield built


@pytest.fixture(scope="module")
def system(history):
    """Calls per window and outcome, counted here from the raw rows."""
    with history.ctx.db.read() as conn:
        rows = conn.execute(select(calls.c.window, calls.c.result)).all()
    return Counter(rows)


@pytest.fixture(scope="module")
def reported(history, system):
    services = {
        w: sum(system[(w, r)] for r in ("accepted", "consulted", "rejected"))
        for w in ("S01", "S13", "S16")
    }
    body = {
        "month": "2026-11",
        "items": [
            {"window": "S01", "volume": services["S01"]},
            {"window": "S13", "volume": services["S13"] + 7, "department": "不动产登记中心"},
            {"window": "S16", "volume": services["S16"], "detail": {"no_show": 999}},
        ],
    }
    r = history.client.put(
        "/api/v1/halls/demo/reported-volumes", json=body, headers=history.supervisor
    )
    assert r.status_code == 200
    return services


@pytest.fixture(scope="module")
def report(history, reported):
    r = history.get("/anomalies", **MONTH)
    assert r.status_code == 200, r.text
    return r.json()


def rows(section):
    return {row["window"]: row for row in section["rows"]}


def test_calling_section_counts_every_outcome_per_window(report, system):
    calling = rows(report["calling"])
    for code, row in calling.items():
        for result in ("accepted", "consulted", "rejected", "no_show", "transferred"):
            assert row[result] == system[(code, result)], (code, result)
        assert row["called"] == sum(n for (w, _), n in system.items() if w == code)


def test_reported_volumes_are_checked_against_system_services(report, reported):
    calling = rows(report["calling"])
    assert calling["S01"]["status"] == "match" and calling["S01"]["difference"] == 0
    assert calling["S13"]["status"] == "mismatch" and calling["S13"]["difference"] == 7
    assert calling["S13"]["department"] == "不动产登记中心"
    assert calling["S16"]["detail_mismatches"]["no_show"]["reported"] == 999
    assert calling["S02"]["status"] == "not_reported" and calling["S02"]["reported"] is None
    texts = [f["text"] for f in report["findings"] if f["section"] == "叫号异常"]
    assert any(
        t.startswith("S13 13号窗口：部门报送") and "数据量不符，相差 +7 件" in t for t in texts
    )
    assert report["summary"]["mismatched_windows"] == 1


def test_work_without_a_call_is_listed_per_window(history, report):
    with history.ctx.db.read() as conn:
        raw = Counter(w for (w,) in conn.execute(select(walk_ins.c.window)))
    assert {w["window"]: w["count"] for w in report["calling"]["walk_ins"]} == raw
    assert report["summary"]["walk_ins"] == sum(raw.values())


def test_a_walk_in_recorded_at_the_pad_shows_in_this_months_report(history, reported):
    before = history.get("/anomalies", **MONTH).json()
    clerk = login(history.client, "clerk05")
    assert window(history.client, clerk, "S05", "sign-in").status_code == 200
    r = window(history.client, clerk, "S05", "walk-in", outcome="accepted", matter="qy-sl")
    assert r.status_code == 201
    after = history.get("/anomalies", **MONTH).json()
    counts = {w["window"]: w["count"] for w in after["calling"]["walk_ins"]}
    earlier = {w["window"]: w["count"] for w in before["calling"]["walk_ins"]}
    assert counts["S05"] == earlier.get("S05", 0) + 1
    assert any(f["text"].startswith("S05 5号窗口：未叫号即办理") for f in after["findings"])
    window(history.client, clerk, "S05", "sign-out")


def test_unrated_services_older_than_five_working_days_are_listed(history, report):
    today = dt.date(2026, 11, 24)
    with history.ctx.db.read() as conn:
        unrated = conn.execute(
            select(tickets.c.window, tickets.c.finished_at).where(
                tickets.c.evaluation_requested.is_(True), tickets.c.evaluation_level.is_(None)
            )
        ).all()

    def working_days(day):
        return sum(
            1
            for i in range(1, (today - day).days + 1)
            if (day + dt.timedelta(days=i)).weekday() < 5
        )

    late = [t for t in unrated if working_days(t.finished_at.astimezone(ZONE).date()) > 5]
    evaluation = report["evaluation"]
    assert evaluation["overdue_total"] == len(late) > 0
    assert max(dt.date.fromisoformat(s["date"]) for s in evaluation["overdue"]) == dt.date(
        2026, 11, 16
    )
    assert all(s["working_days"] > 5 for s in evaluation["overdue"])
    per_window = rows(evaluation)
    assert sum(r["overdue"] for r in per_window.values()) == len(late)
    # S17's calls were rewritten to 过号 above, so only its tickets still ask for a rating.
    # 未评价 only after the follow-up days; the rest are 待评价 (pending).
    assert sum(r["not_rated"] + r["pending"] for w, r in per_window.items() if w != "S17") == len(
        [t for t in unrated if t.window != "S17"]
    )


def test_poor_ratings_are_listed_with_their_comments(report):
    poor = report["evaluation"]["poor"]
    s18 = [p for p in poor if p["window"] == "S18"]
    assert s18 and all(p["level"] == "非常不满意" for p in s18)
    assert rows(report["evaluation"])["S18"]["poor"] == len(s18)


def test_a_window_that_skips_many_citizens_is_an_outlier(report):
    rates = rows(report["rates"])
    assert "过号率偏高" in rates["S17"]["flags"] and "有效办理率偏低" in rates["S17"]["flags"]
    flagged = {code for code, r in rates.items() if r["flags"]}
    assert len(flagged) <= 3
    texts = [f["text"] for f in report["findings"] if f["section"] == "有效办理率/过号率异常"]
    assert any(t.startswith("S17 17号窗口：过号率") for t in texts)


def test_the_report_as_xlsx_has_its_sections_and_marks_mismatches(history, report):
    r = history.get("/anomalies.xlsx", **MONTH)
    assert r.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert book.sheetnames[:3] == ["通报摘要", "叫号异常", "未叫号即办理"]
    summary = book["通报摘要"]
    assert summary["A1"].value.startswith("示例市政务服务中心 2026年11月 业务异常情况通报")
    values = {r[0]: r[1] for r in summary.iter_rows(min_row=3, max_row=11, values_only=True)}
    assert values["数据量不符窗口"] == 1 and values["叫号次数"] == report["summary"]["called"]
    calling = book["叫号异常"]
    header = [c.value for c in calling[1]]
    s13 = next(row for row in calling.iter_rows(min_row=2) if row[0].value == "S13 13号窗口")
    assert s13[header.index("核对结果")].value == "数据量不符"
    assert s13[0].fill.fgColor.rgb.endswith("F8D7DA")
    difference = s13[header.index("差额")]
    assert difference.value == 7 and difference.number_format == "+0;-0;0"


def test_a_comment_written_like_a_formula_stays_text_in_the_xlsx(history, reported):
    comment = '=HYPERLINK("http://evil.example/x","点此领取补贴")'
    clerk = login(history.client, "clerk06")
    assert window(history.client, clerk, "S06", "sign-in").status_code == 200
    ticket = issue(history.client, queue="A")
    assert window(history.client, clerk, "S06", "call", ticket=ticket["id"]).status_code == 200
    assert window(history.client, clerk, "S06", "outcome", outcome="accepted").status_code == 200
    r = history.client.post(
        f"/api/v1/tickets/{ticket['id']}/evaluation",
        json={"level": 1, "comment": comment},
        headers=EVALUATOR,
    )
    assert r.status_code == 200, r.text
    window(history.client, clerk, "S06", "sign-out")
    book = openpyxl.load_workbook(io.BytesIO(history.get("/anomalies.xlsx", **MONTH).content))
    poor = book["差评"]
    column = [c.value for c in poor[1]].index("意见")
    mine = next(row for row in poor.iter_rows(min_row=2) if row[1].value == ticket["number"])
    cell = mine[column]
    assert cell.value == comment
    assert cell.data_type == "s" and cell.quotePrefix


def test_the_printable_page_is_escaped_html_with_the_findings(history, report):
    r = history.get("/anomalies.html", **MONTH)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert page.startswith("<!doctype html>") and "@page{size:A4" in page
    assert "业务异常情况通报" in page and "数据量不符" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    fragment = history.get("/anomalies.html", fragment="true", **MONTH).text
    assert fragment.startswith("<section class='anomaly-report'>")


def test_a_month_without_activity_reports_nothing_unusual(history):
    r = history.get("/anomalies", month="2025-01")
    assert r.status_code == 200
    body = r.json()
    assert body["findings"] == [] and body["summary"]["called"] == 0
    assert history.get("/anomalies", month="2025-13").status_code == 422


@pytest.mark.parametrize(("workdays", "overdue"), [("", 0), ('workdays = ["2026-11-21"]', 1)])
def test_a_make_up_saturday_counts_toward_the_five_working_days(
    make_client, tmp_path, workdays, overdue
):
    """Served Tue 11-17, unrated on Tue 11-24: 5 working days, or 6 with 调休 on Sat 11-21."""
    hall_file = tmp_path / "hall.toml"
    text = DEMO_HALL_FILE.read_text(encoding="utf-8")
    hall_file.write_text(
        text.replace('green_mode = "first"\n', f'green_mode = "first"\n{workdays}\n', 1)
    )
    clock = FakeClock(dt.datetime(2026, 11, 17, 9, 0, tzinfo=TZ))
    client = make_client(clock, halls=[hall_file])
    clerk = login(client, "clerk01")
    assert window(client, clerk, "S01", "sign-in").status_code == 200
    issue(client, queue="A")
    assert window(client, clerk, "S01", "call-next").status_code == 200
    assert window(client, clerk, "S01", "outcome", outcome="accepted").status_code == 200
    clock.advance(days=7)
    client = make_client(clock, halls=[hall_file])  # a restart runs the day end
    report = client.get(
        "/api/v1/halls/demo/anomalies", params=MONTH, headers=login(client, "supervisor")
    ).json()
    assert report["evaluation"]["overdue_total"] == overdue


def test_only_windows_above_the_hall_threshold_count_as_unrated_most_severe_first(history, report):
    """未评价 = no rating within 5 working days; services still inside them are 待评价."""
    today = dt.date(2026, 11, 24)
    with history.ctx.db.read() as conn:
        unrated = conn.execute(
            select(tickets.c.window, tickets.c.finished_at).where(
                tickets.c.evaluation_requested.is_(True), tickets.c.evaluation_level.is_(None)
            )
        ).all()

    def working_days(day):
        return sum(
            1 for i in range(1, (today - day).days + 1) if (day + dt.timedelta(i)).weekday() < 5
        )

    late = Counter(
        t.window for t in unrated if working_days(t.finished_at.astimezone(ZONE).date()) > 5
    )
    waiting = Counter(
        t.window for t in unrated if working_days(t.finished_at.astimezone(ZONE).date()) <= 5
    )
    evaluation = report["evaluation"]
    assert evaluation["unrated_rate_threshold"] == 0.15
    per_window = rows(evaluation)
    for code, row in per_window.items():
        assert row["not_rated"] == late[code], code
        assert row["pending"] == waiting[code], code
        due = row["should_rate"] - row["pending"]
        expected = round(late[code] / due, 4) if due else None
        assert row["unrated_rate"] == expected, code
        assert row["flagged"] == (expected is not None and expected > 0.15), code
    flagged = [r for r in evaluation["rows"] if r["flagged"]]
    assert flagged and flagged[0]["window"] == "S05"
    assert len(flagged) < len(per_window) / 2
    assert [r["unrated_rate"] for r in flagged] == sorted(
        (r["unrated_rate"] for r in flagged), reverse=True
    )
    texts = [f["text"] for f in report["findings"] if f["section"] == "好差评异常"]
    unrated_texts = [t for t in texts if "未评价" in t]
    assert len(unrated_texts) == len(flagged)
    assert unrated_texts[0].startswith("S05 5号窗口：")
    assert report["summary"]["not_rated"] == sum(late.values())


def test_times_in_the_report_are_hall_local_and_a_month_in_progress_says_so(history, reported):
    before, history.clock.now = (
        history.clock.now,
        dt.datetime(2026, 11, 24, 0, 36, 49, tzinfo=dt.UTC),
    )
    try:
        report = history.get("/anomalies", **MONTH).json()
        book = openpyxl.load_workbook(io.BytesIO(history.get("/anomalies.xlsx", **MONTH).content))
        page = history.get("/anomalies.html", **MONTH).text
    finally:
        history.clock.now = before
    assert report["generated_local"] == "2026-11-24 08:36"
    assert report["as_of"] == "2026-11-24"
    summary = book["通报摘要"]
    assert (
        summary["A1"].value == "示例市政务服务中心 2026年11月 业务异常情况通报（截至 2026-11-24）"
    )
    assert summary["D2"].value == "2026-11-24 08:36"
    assert summary["B2"].value == "2026-11-01 至 2026-11-24"
    assert "截至 2026-11-24" in page and "T00:36" not in page
    october = history.get("/anomalies", month="2026-10").json()
    assert october["as_of"] is None
    book = openpyxl.load_workbook(
        io.BytesIO(history.get("/anomalies.xlsx", month="2026-10").content)
    )
    assert book["通报摘要"]["A1"].value == "示例市政务服务中心 2026年10月 业务异常情况通报"
    assert book["通报摘要"]["B2"].value == "2026-10-01 至 2026-10-31"


def test_the_reasons_of_a_poor_rating_show_beside_its_comment(history, reported):
    clerk = login(history.client, "clerk07")
    assert window(history.client, clerk, "S07", "sign-in").status_code == 200
    ticket = issue(history.client, queue="A")
    assert window(history.client, clerk, "S07", "call", ticket=ticket["id"]).status_code == 200
    assert window(history.client, clerk, "S07", "outcome", outcome="accepted").status_code == 200
    body = {"level": 2, "reasons": ["一次性告知不清", "等候时间长"], "comment": "材料清单没说全"}
    r = history.client.post(
        f"/api/v1/tickets/{ticket['id']}/evaluation", json=body, headers=EVALUATOR
    )
    assert r.status_code == 200, r.text
    window(history.client, clerk, "S07", "sign-out")
    today = ticket["business_date"]
    report = history.get("/anomalies", **MONTH).json()
    poor = report["evaluation"]["poor"]
    (mine,) = [p for p in poor if (p["date"], p["number"]) == (today, ticket["number"])]
    assert mine["reasons"] == ["一次性告知不清", "等候时间长"]
    assert mine["comment"] == "材料清单没说全"
    book = openpyxl.load_workbook(io.BytesIO(history.get("/anomalies.xlsx", **MONTH).content))
    poor = book["差评"]
    header = [c.value for c in poor[1]]
    row = next(
        r
        for r in poor.iter_rows(min_row=2, values_only=True)
        if (r[0], r[1]) == (today, ticket["number"])
    )
    assert row[header.index("原因")] == "一次性告知不清、等候时间长"
    assert header.index("原因") == header.index("意见") - 1
    page = history.get("/anomalies.html", **MONTH).text
    assert "<th>原因</th><th>意见</th>" in page


def test_findings_come_worst_first_and_poor_ratings_are_one_line(report):
    findings = [f["text"] for f in report["findings"]]
    walk_ins = [
        int(t.split("未叫号即办理 ")[1].split(" 件")[0]) for t in findings if "未叫号即办理" in t
    ]
    assert walk_ins == sorted(walk_ins, reverse=True) and len(walk_ins) > 1
    poor = [f["text"] for f in report["findings"] if f["text"].startswith("差评 ")]
    assert len(poor) == 1
    total = report["evaluation"]["poor_total"]
    assert poor[0].startswith(f"差评 {total} 件，涉及 ")
    assert "（最多：S18 18号窗口 " in poor[0]  # every rating of S18 was made 非常不满意 above
