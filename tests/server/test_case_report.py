"""Two months of cases through the API；通报 sections 三 and 四 recounted from the raw steps."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl

from tests.helpers import TZ, issue, login, window

INTEGRATION = {"Authorization": "Bearer demo-integration"}
LIMITS = {"qy-sl": 3, "gt-dj": 0, "jz-xk": 7}
DEPARTMENTS = {"qy-sl": "scjg", "gt-dj": "scjg", "jz-xk": "zjj"}
NAMES = {"scjg": "市场监管局", "zjj": "住建局"}

# Each case: its matter and its steps as (step, day, extra body); the first is 受理 (open).
D = dt.date
PLAN: dict[str, tuple[str, list[tuple[str, dt.date, dict]]]] = {
    "a": ("qy-sl", [("open", D(2026, 11, 16), {}), ("hand_over", D(2026, 11, 16), {}),
                    ("sign", D(2026, 11, 17), {}), ("approve", D(2026, 11, 19), {}),
                    ("collect", D(2026, 11, 20), {})]),
    "b": ("qy-sl", [("open", D(2026, 11, 26), {}), ("hand_over", D(2026, 11, 26), {}),
                    ("sign", D(2026, 11, 30), {}), ("approve", D(2026, 12, 3), {})]),
    "c": ("qy-sl", [("open", D(2026, 11, 27), {}), ("sign", D(2026, 11, 27), {}),
                    ("correct", D(2026, 11, 30), {"opinion": "补充股东会决议原件"}),
                    ("resubmit", D(2026, 12, 1), {}), ("approve", D(2026, 12, 2), {}),
                    ("mail", D(2026, 12, 3), {"tracking_no": "SF1234567890"})]),
    "d": ("gt-dj", [("open", D(2026, 12, 1), {}), ("sign", D(2026, 12, 1), {}),
                    ("approve", D(2026, 12, 1), {}), ("collect", D(2026, 12, 2), {})]),
    "e": ("gt-dj", [("open", D(2026, 12, 2), {}), ("sign", D(2026, 12, 2), {}),
                    ("approve", D(2026, 12, 3), {})]),
    "f": ("qy-sl", [("open", D(2026, 12, 7), {}), ("hand_over", D(2026, 12, 7), {})]),
    "g": ("qy-sl", [("open", D(2026, 11, 30), {}), ("sign", D(2026, 11, 30), {})]),
    "h": ("jz-xk", [("open", D(2026, 11, 20), {}), ("sign", D(2026, 11, 23), {}),
                    ("deny", D(2026, 12, 1), {"opinion": "施工图审查未通过"})]),
    "i": ("jz-xk", [("open", D(2026, 12, 3), {}), ("sign", D(2026, 12, 7), {}),
                    ("approve", D(2026, 12, 8), {}), ("collect", D(2026, 12, 9), {})]),
}  # fmt: skip
REPORT_AT = dt.datetime(2026, 12, 10, 17, 0, tzinfo=TZ)


def drive(client, clock) -> dict[str, str]:
    """Run every step of PLAN in time order through the API; returns label → case number."""
    timeline = sorted(
        (day, i, label, step, extra)
        for label, (_, steps) in PLAN.items()
        for i, (step, day, extra) in enumerate(steps)
    )
    numbers: dict[str, str] = {}
    for n, (day, i, label, step, extra) in enumerate(timeline):
        clock.now = dt.datetime.combine(day, dt.time(10, 0), TZ) + dt.timedelta(minutes=n)
        matter = PLAN[label][0]
        if step == "open":
            numbers[label] = accept(client, matter)
            continue
        body = {"step": step, **extra}
        if DEPARTMENTS[matter] == "zjj" and step not in ("collect", "mail", "hand_over"):
            # 住建局 runs its own case system: it pushes the steps with their time and id.
            body |= {"at": clock.now.isoformat(), "step_id": f"zj-{label}-{i}"}
            headers = INTEGRATION
        elif step in ("hand_over", "collect", "mail"):
            headers = login(client, "clerk01")
        else:
            headers = login(client, "dept-scjg")
        url = f"/api/v1/halls/demo/cases/{numbers[label]}/steps"
        r = client.post(url, json=body, headers=headers)
        assert r.status_code == 200, (label, step, r.text)
    clock.now = REPORT_AT
    return numbers


def accept(client, matter: str) -> str:
    """受理 of a fresh ticket at S01 with the matter; the hall numbers the case."""
    clerk = login(client, "clerk01")
    assert window(client, clerk, "S01", "sign-in").status_code == 200
    ticket = issue(client, queue="A", applicant_name="王小明")
    assert window(client, clerk, "S01", "call-next").status_code == 200
    r = window(client, clerk, "S01", "outcome", outcome="accepted", matter=matter)
    assert r.status_code == 200, r.text
    r = client.get(f"/api/v1/halls/demo/tickets/{ticket['id']}/case", headers=clerk)
    assert r.status_code == 200, r.text
    case = r.json()
    assert case["applicant_masked"] == "王**" and case["state"] == "opened"
    return case["case_no"]


def weekdays_after(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: the demo hall lists no holidays, so Monday to Friday."""
    return sum(
        (start + dt.timedelta(days=k)).weekday() < 5 for k in range(1, (end - start).days + 1)
    )


def plus_weekdays(start: dt.date, days: int) -> dt.date:
    day = start
    while days:
        day += dt.timedelta(days=1)
        days -= day.weekday() < 5
    return day


def expected(month_start: dt.date, month_end: dt.date, as_of: dt.date):
    """Sections 三 and 四 counted straight from PLAN's raw steps."""
    late_handover: dict[str, int] = {}
    figures: dict[str, dict[str, int]] = {}
    for matter, steps in PLAN.values():
        dept = DEPARTMENTS[matter]
        days = {step: day for step, day, _ in steps}
        opened, signed = days["open"], days.get("sign")
        decided = days.get("approve") or days.get("deny")
        inside = month_start <= opened <= month_end
        if inside and weekdays_after(opened, signed or as_of) > 1:
            late_handover[dept] = late_handover.get(dept, 0) + 1
        f = figures.setdefault(dept, {"accepted": 0, "carried": 0, "on_time": 0, "late": 0})
        f["accepted"] += inside
        f["carried"] += opened < month_start and (decided is None or decided >= month_start)
        if decided and month_start <= decided <= month_end:
            due = plus_weekdays(opened, LIMITS[matter])
            f["on_time" if decided <= due else "late"] += 1
    return late_handover, figures


def check_month(client, supervisor, month: str, start: dt.date, end: dt.date) -> dict:
    report = client.get(
        "/api/v1/halls/demo/anomalies", params={"month": month}, headers=supervisor
    ).json()
    late, figures = expected(start, end, min(end, REPORT_AT.date()))
    assert {r["department"]: r["late"] for r in report["handover"]["rows"]} == late
    rows = {r["department"]: r for r in report["completion"]["rows"]}
    assert set(rows) == set(figures)
    for dept, want in figures.items():
        got = rows[dept]
        assert {k: got[k] for k in want} == want, dept
        done = want["on_time"] + want["late"]
        assert got["on_time_rate"] == (round(want["on_time"] / done, 4) if done else None)
        whole = want["accepted"] + want["carried"]
        assert got["total_rate"] == (round(done / whole, 4) if whole else None)
        sentence = (
            f"{NAMES[dept]}本月受理{want['accepted']}件，上月结转未办结{want['carried']}件，"
            f"按期办结{want['on_time']}件"
        )
        assert any(sentence in f["text"] for f in report["findings"]), sentence
    return report


def test_two_months_of_cases_give_the_template_figures_per_department(client, clock):
    numbers = drive(client, clock)
    supervisor = login(client, "supervisor")
    dec = check_month(client, supervisor, "2026-12", D(2026, 12, 1), D(2026, 12, 31))
    check_month(client, supervisor, "2026-11", D(2026, 11, 1), D(2026, 11, 30))
    # The hand-picked plan covers what the template counts: these are the figures by hand.
    assert {r["department"]: r["late"] for r in dec["handover"]["rows"]} == {"scjg": 1, "zjj": 1}
    scjg = next(r for r in dec["completion"]["rows"] if r["department"] == "scjg")
    assert (scjg["accepted"], scjg["carried"], scjg["on_time"], scjg["late"]) == (3, 3, 2, 2)
    unsigned = next(c for c in dec["handover"]["cases"] if c["case_no"] == numbers["f"])
    assert unsigned["signed"] is False and unsigned["working_days"] == 3
    sections = [f["section"] for f in dec["findings"]]
    assert sections.index("材料转递异常") < sections.index("办结率异常")
    assert "材料转递异常需后台流转数据，本系统不记录，未纳入本通报" not in dec["notes"]
    # A case keeps every step with its time, and the 邮寄 its tracking number.
    mailed = client.get(f"/api/v1/halls/demo/cases/{numbers['c']}", headers=supervisor).json()
    assert [s["step"] for s in mailed["steps"]] == [
        "sign", "correct", "resubmit", "approve", "mail",
    ]  # fmt: skip
    assert mailed["tracking_no"] == "SF1234567890" and mailed["state"] == "delivered"
    assert mailed["steps"][0]["at_local"].startswith("2026-11-27 10:")  # hall-local, to the minute
    xlsx = client.get(
        "/api/v1/halls/demo/anomalies.xlsx", params={"month": "2026-12"}, headers=supervisor
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    sheet = book["办结率异常"]
    header = [c.value for c in sheet[1]]
    assert header == [
        "部门", "本月受理", "上月结转未办结", "按期办结", "按期办结率", "逾期办结", "总办结率",
    ]  # fmt: skip
    assert "材料转递异常" in book.sheetnames


def test_the_printable_report_has_sections_three_and_four_in_the_templates_order(client, clock):
    drive(client, clock)
    supervisor = login(client, "supervisor")
    page = client.get(
        "/api/v1/halls/demo/anomalies.html", params={"month": "2026-12"}, headers=supervisor
    ).text
    three, four = page.index("五、材料转递异常"), page.index("六、办结率异常")
    assert three < four < page.index("七、有效办理率 / 过号率异常")
    heads = ["本月受理", "上月结转未办结", "按期办结", "按期办结率", "逾期办结", "总办结率"]
    places = [page.index(f"<th>{h}</th>", four) for h in heads]
    assert places == sorted(places)
    assert "<td>市场监管局</td><td>3</td><td>3</td><td>2</td><td>50.0%</td><td>2</td>" in page
