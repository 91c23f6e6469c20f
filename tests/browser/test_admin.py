"""The supervisor dashboard (/admin) in headless Chromium against the real demo server."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest

from server.client import HallClient
from server.config import Settings
from server.demo.history import HistoryPlan, generate
from server.domain.numbering import business_date
from server.store.db import Database
from server.store.layout import load_layout
from tests.helpers import SCREENS

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1440, "height": 900}


def seed_history(data_dir: Path) -> dt.date:
    """Nine weeks of history up to yesterday, straight into the running server's store."""
    db = Database(Settings(data_dir=data_dir).resolved_database_url())
    with db.write() as conn:
        layout = load_layout(conn, "demo")
        assert layout is not None
        today = business_date(dt.datetime.now(dt.UTC), layout.timezone)
        plan = HistoryPlan(today - dt.timedelta(days=63), today - dt.timedelta(days=1), 1.0, 3)
        generate(conn, layout, plan)
    db.dispose()
    return today


def seed_today(url: str) -> None:
    """A morning in progress over the HTTP API: lines, open and paused windows, faulty devices."""
    kiosk = HallClient(url, "demo", "demo-kiosk")
    # A busy morning: a three-digit line at 无差别综合受理 and the longest queue name waiting too.
    for queue, n in (("A", 131), ("B", 5), ("C", 3), ("F", 2), ("G", 21), ("R", 4), ("T", 2)):
        for _ in range(n):
            kiosk.issue(queue=queue)
    clerks = []
    for code in ("S01", "S02", "S03", "S09", "S16", "S19", "S22"):
        clerk = HallClient(url, "demo")
        clerk.login(f"clerk{int(code[1:]):02d}", "demo1234")
        clerk.sign_in(code)
        clerk.call_next(code)
        clerks.append(clerk)
    pausing = HallClient(url, "demo")
    pausing.login("clerk04", "demo1234")
    pausing.sign_in("S04")
    pausing.window("S04", "pause", reason="午休")
    kiosk.device_status("kiosk-1.printer", "paper_out", "纸卷用完")
    display = HallClient(url, "demo", "demo-display")
    display.device_status("display-1.sign-S13", "offline", "屏幕无应答")  # a sign it drives
    for c in [kiosk, display, pausing, *clerks]:
        c.close()


@pytest.fixture(scope="module")
def hall(demo_server):
    today = seed_history(demo_server.data_dir)
    seed_today(demo_server.url)
    token = httpx.post(
        f"{demo_server.url}/api/v1/auth/login",
        json={"username": "supervisor", "password": "demo1234"},
    ).json()["token"]
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    return {
        "url": demo_server.url,
        "headers": {"Authorization": f"Bearer {token}"},
        "today": today,
        "month": f"{last_month_end:%Y-%m}",
        "range": (last_month_end.replace(day=1).isoformat(), last_month_end.isoformat()),
    }


@pytest.fixture(scope="module")
def page(browser, hall):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{hall['url']}/admin")
    page.problems = problems
    yield page
    context.close()


def api(hall, path, **params):
    r = httpx.get(
        f"{hall['url']}/api/v1/halls/demo{path}", params=params, headers=hall["headers"], timeout=60
    )
    assert r.status_code == 200, r.text
    return r


def shot(page, name: str, full_page: bool = True) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"admin-{name}.png"), full_page=full_page)


def test_a_clerk_cannot_open_the_dashboard(browser, hall):
    page = browser.new_page(viewport=VIEWPORT)
    page.goto(f"{hall['url']}/admin")
    page.fill("#username", "clerk01")
    page.fill("#password", "demo1234")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#login-error:has-text('仅限')")
    assert page.is_hidden("#app")
    page.close()


def test_the_supervisor_signs_in_and_sees_the_live_hall(page, hall):
    page.wait_for_selector("#login-form")
    shot(page, "login")
    page.fill("#username", "supervisor")
    page.fill("#password", "demo1234")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#areas .card")
    assert page.inner_text("#hall-name") == "示例市政务服务中心"
    alerts = page.inner_text("#alerts")
    assert "公积金 等候 20 人，达到预警值 20 人" in alerts
    assert "无差别综合受理 等候 128 人，达到预警值 20 人" in alerts
    assert "1号自助取号机 打印机：缺纸（纸卷用完）" in alerts
    assert "S13 窗口屏：离线（屏幕无应答）" in alerts
    sign = page.locator("#devices tr", has_text="S13 窗口屏").all_inner_texts()
    assert [cell.strip() for cell in sign[0].split("\t")][:3] == ["S13 窗口屏", "S13", "离线"]
    zh = page.inner_text("#areas .card >> nth=0")
    assert "综合窗口区" in zh and "暂停 1" in zh
    assert page.locator("#windows .tile.open").count() == 7
    assert page.locator("#queues tr.over").count() == 2
    shot(page, "overview")


def test_the_dashboard_shows_the_halls_time_whatever_the_browsers_clock(browser, hall):
    """A supervisor's laptop set to New York still reads the hall's (Beijing) time and date."""
    context = browser.new_context(viewport=VIEWPORT, timezone_id="America/New_York")
    page = context.new_page()
    page.goto(f"{hall['url']}/admin")
    page.fill("#username", "supervisor")
    page.fill("#password", "demo1234")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#overview-at:has-text('更新于')")
    shown = page.inner_text("#overview-at")
    hall_now = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    choices = {f"更新于 {t:%Y-%m-%d %H:%M}" for t in (hall_now, hall_now - dt.timedelta(minutes=1))}
    assert shown in choices
    assert page.input_value("#stats-to") == hall["today"].isoformat()
    assert page.input_value("#anomalies-month") == f"{hall['today']:%Y-%m}"
    context.close()


CHARTS = ("#chart-arrivals", "#chart-waiting", "#chart-outcomes")


def query_stats(page, start: str, end: str) -> None:
    """Choose a range on the 统计报表 tab and submit it."""
    page.fill("#stats-from", start)
    page.fill("#stats-to", end)
    page.click("#stats-form button[type=submit]")


def expect_charts_of(page, start: str, end: str) -> None:
    """Every chart's title names the range (the charts draw it as `from 至 to`)."""
    from playwright.sync_api import expect

    for chart in CHARTS:
        title = page.locator(f"{chart} svg > text").first
        expect(title).to_contain_text(f"{start} 至 {end}", timeout=30_000)


def chart_titles(page) -> list[str]:
    """The title line of each statistics chart as shown now."""
    return [page.locator(f"{chart} svg > text").first.text_content() or "" for chart in CHARTS]


def test_a_slow_chart_of_an_earlier_query_does_not_replace_the_chosen_range(page, hall):
    page.click(".tabs button[data-tab=stats]")
    start, end = hall["range"]
    earlier = (dt.date.fromisoformat(start) - dt.timedelta(days=7)).isoformat()
    held = []

    def of_the_earlier_query(url: str) -> bool:
        return "/charts/" in url and f"from={earlier}" in url

    page.route(of_the_earlier_query, lambda route: held.append(route))  # released below
    query_stats(page, earlier, end)
    for _ in range(1200):  # up to a minute: the statistics query comes first, slow on a busy box
        if len(held) == len(CHARTS):
            break
        page.wait_for_timeout(50)
    assert len(held) == len(CHARTS)
    query_stats(page, start, end)
    expect_charts_of(page, start, end)
    for route in held:  # now the earlier query's charts arrive, last
        route.fulfill(response=route.fetch(timeout=60_000))
    page.wait_for_timeout(500)  # time for the page to handle the late replies
    page.unroute(of_the_earlier_query)
    titles = chart_titles(page)
    assert all(f"{start} 至 {end}" in title for title in titles), titles


def test_statistics_table_and_charts_match_the_api(page, hall):
    page.click(".tabs button[data-tab=stats]")
    start, end = hall["range"]
    query_stats(page, start, end)
    page.wait_for_selector("#stats-table tr.total")
    expect_charts_of(page, start, end)
    total = api(hall, "/stats", **{"from": start, "to": end}, by="window").json()["total"]
    cells = page.locator("#stats-table tr.total td").all_inner_texts()
    headers = page.locator("#stats-table th").all_inner_texts()
    assert cells[0] == "合计"
    assert cells[headers.index("叫号次数")] == str(total["called"])
    assert cells[headers.index("过号")] == str(total["no_show"])
    assert page.locator("#stats-table tbody tr").count() == 27  # 26 windows + 合计
    shot(page, "stats")


def test_the_excel_export_downloads_with_the_same_totals(page, hall):
    with page.expect_download() as info:
        page.click("#export-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    start, end = hall["range"]
    total = api(hall, "/stats", **{"from": start, "to": end}, by="queue").json()["total"]
    rows = list(book["按业务队列"].iter_rows(values_only=True))
    assert rows[-1][0] == "合计" and rows[-1][rows[0].index("取号数")] == total["issued"]
    with page.expect_download() as info:
        page.click("#export-csv")
    assert Path(info.value.path()).read_bytes().startswith(b"\xef\xbb\xbf")


def test_the_anomaly_report_renders_and_prints(page, hall):
    page.click(".tabs button[data-tab=anomalies]")
    page.fill("#anomalies-month", hall["month"])
    page.click("#anomalies-form button[type=submit]")
    year, month = hall["month"].split("-")
    page.wait_for_selector(
        f".anomaly-report h1:has-text('{year}年{int(month)}月 业务异常情况通报')"
    )
    assert "好差评异常" in page.inner_text("#anomalies-report")
    shot(page, "anomalies", full_page=False)  # the report is long: its first screen
    page.emulate_media(media="print")
    assert page.is_hidden("header.top") and page.is_hidden("#anomalies-form")
    shot(page, "anomalies-print", full_page=False)
    page.emulate_media(media="screen")


def test_reported_volumes_are_typed_in_and_saved(page, hall):
    page.click(".tabs button[data-tab=volumes]")
    page.fill("#volumes-month", hall["month"])
    page.click("#volumes-form button[type=submit]")
    # opening the tab loads this month, the form the chosen one: type into the chosen month's rows
    rows = f"#volumes-table[data-month='{hall['month']}']:not([data-loading]) tr[data-window=S13]"
    page.wait_for_selector(rows)
    page.fill("#volumes-table tr[data-window=S13] input.volume", "321")
    page.fill("#volumes-table tr[data-window=S16] input.volume", "150")
    page.click("#volumes-save")
    page.wait_for_selector("#volumes-message:has-text('已保存')")
    items = {
        i["window"]: i for i in api(hall, "/reported-volumes", month=hall["month"]).json()["items"]
    }
    assert items["S13"]["volume"] == 321 and items["S13"]["department"] == "不动产登记中心"
    assert items["S16"]["volume"] == 150 and items["S01"]["volume"] is None
    shot(page, "volumes")


def test_a_filled_template_uploads_from_the_dashboard(page, hall, tmp_path):
    data = api(hall, "/reported-volumes/template.xlsx", month=hall["month"]).content
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.active
    for row in ws.iter_rows(min_row=5):
        if row[0].value == "S17":
            row[3].value = 88
    path = tmp_path / "报送表.xlsx"
    book.save(path)
    page.set_input_files("#volumes-file", str(path))
    page.wait_for_selector("#volumes-message:has-text('已导入')")
    assert page.input_value("#volumes-table tr[data-window=S17] input.volume") == "88"
    assert page.input_value("#volumes-table tr[data-window=S13] input.volume") == "321"


def test_staffing_advice_shows_needed_against_open_windows(page, hall):
    page.click(".tabs button[data-tab=staffing]")
    page.wait_for_selector("#chart-staffing svg")
    page.wait_for_selector("#staffing-table tbody tr")
    advice = api(hall, "/staffing").json()
    first = advice["weekdays"][0]
    assert page.input_value("#staffing-weekday") == str(first["weekday"])
    rows = page.locator("#staffing-table tbody tr").all_inner_texts()
    assert len(rows) == len(first["hours"])
    assert rows[0].startswith(first["hours"][0]["label"])
    headers = page.locator("#staffing-table th").all_inner_texts()
    assert headers[4:] == ["还差窗口（个）", "说明"]
    for i, hour in enumerate(first["hours"]):
        cells = page.locator(f"#staffing-table tbody tr >> nth={i} >> td").all_inner_texts()
        assert cells[4] == (str(hour["short"]) if hour["short"] else "")
        # the 说明 names each queue short of windows in words, never "A 65.25/10/9"
        for q in hour["queues"]:
            if q["short"] or q["unmet"]:
                assert q["advice"] in cells[5]
        assert not re.search(r"\d/\d+/\d", cells[5])  # no "A 65.25/10/9" codes
    shot(page, "staffing")


def test_the_dashboard_ran_without_script_or_policy_errors(page):
    assert page.problems == []
