"""The 差评整改 tab of /admin in headless Chromium: list，回访、整改、办结，text shown as text."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.helpers import SCREENS
from tests.live_server import ServerProcess

pytestmark = pytest.mark.browser
COMMENT = "<b>窗口</b>让我跑了三趟"


def poor_rating(url: str) -> str:
    """A service at S01 rated 非常不满意 from the citizen's phone; returns its number."""
    with httpx.Client(base_url=url, timeout=10) as http:
        kiosk = {"Authorization": "Bearer demo-kiosk"}
        ticket = http.post("/api/v1/halls/demo/tickets", json={"queue": "A"}, headers=kiosk).json()
        login = http.post(
            "/api/v1/auth/login", json={"username": "clerk01", "password": "demo1234"}
        )
        clerk = {"Authorization": f"Bearer {login.json()['token']}"}
        base = "/api/v1/halls/demo/windows/S01"
        http.post(f"{base}/sign-in", headers=clerk).raise_for_status()
        http.post(f"{base}/call", json={"ticket": ticket["id"]}, headers=clerk).raise_for_status()
        http.post(f"{base}/outcome", json={"outcome": "accepted"}, headers=clerk).raise_for_status()
        body = {"level": 1, "reasons": ["服务态度差"], "comment": COMMENT}
        secret = {"s": ticket["progress_url"].split("s=")[1]}
        r = http.post(f"/api/v1/tickets/{ticket['id']}/evaluation", json=body, params=secret)
        r.raise_for_status()
        return str(ticket["number"])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("followups")).start()
    yield proc
    proc.stop()


def test_the_supervisor_calls_back_fixes_and_closes_a_poor_rating(browser, server):
    number = poor_rating(server.url)
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    page.goto(f"{server.url}/admin")
    page.fill("#username", "supervisor")
    page.fill("#password", "demo1234")
    page.click("#login-form button[type=submit]")
    page.click('[data-tab="followups"]')
    row = page.locator("#followups-table tbody tr").first
    row.wait_for()
    assert number in row.inner_text() and "服务态度差" in row.inner_text()
    assert COMMENT in row.inner_text()  # the comment's markup is shown, never rendered
    assert page.locator("#followups-table b").count() == 0
    row.locator("button").click()
    page.check("#followup-reached")
    page.fill("#followup-callback-note", "已致电，群众反映材料退回多次")
    page.click("#followup-callback")
    page.locator("#followup-steps li", has_text="回访").wait_for()
    page.fill("#followup-rectify-note", "一次性告知清单已更新并培训")
    page.click("#followup-rectify")
    page.locator("#followup-steps li", has_text="整改").wait_for()
    page.screenshot(path=str(SCREENS / "admin-followups.png"), full_page=True)
    page.click("#followup-close")
    page.locator("#followup-steps li", has_text="已办结").wait_for()
    assert page.locator("#followup-forms").is_hidden()
    page.select_option("#followups-status", "closed")
    page.click("#followups-form button[type=submit]")
    page.locator("#followups-table td", has_text="已办结").first.wait_for()
    page.close()


def test_the_citizen_adds_a_second_rating_on_the_phone_and_it_opens_a_followup(browser, server):
    from playwright.sync_api import expect

    with httpx.Client(base_url=server.url, timeout=10) as http:
        kiosk = {"Authorization": "Bearer demo-kiosk"}
        ticket = http.post("/api/v1/halls/demo/tickets", json={"queue": "A"}, headers=kiosk).json()
        login = http.post(
            "/api/v1/auth/login", json={"username": "clerk02", "password": "demo1234"}
        )
        clerk = {"Authorization": f"Bearer {login.json()['token']}"}
        base = "/api/v1/halls/demo/windows/S02"
        http.post(f"{base}/sign-in", headers=clerk).raise_for_status()
        http.post(f"{base}/call", json={"ticket": ticket["id"]}, headers=clerk).raise_for_status()
        http.post(f"{base}/outcome", json={"outcome": "accepted"}, headers=clerk).raise_for_status()
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(ticket["progress_url"])
    phone.click("#rating button[data-level='4']")
    phone.click("#rate-submit")
    expect(phone.locator("#rated")).to_have_text("感谢您的评价：满意")
    again = phone.locator("#followup-open")
    expect(again).to_contain_text("前可追评一次")
    again.click()
    expect(phone.locator("#rating-title")).to_have_text("追加评价（追评）")
    phone.click("#rating button[data-level='2']")
    phone.click("#rate-reasons button:has-text('办事效率低')")
    phone.fill("#comment", "后续补正又等了一周")
    phone.screenshot(path=str(SCREENS / "progress-followup-rating.png"), full_page=True)
    phone.click("#rate-submit")
    expect(phone.locator("#rated")).to_have_text("感谢您的评价：满意；追评：不满意")
    expect(again).to_be_hidden()
    expect(phone.locator("#rating")).to_be_hidden()
    phone.reload()  # the page remembers: no second 追评 is offered
    expect(phone.locator("#rated")).to_have_text("感谢您的评价：满意；追评：不满意")
    expect(phone.locator("#followup-open")).to_be_hidden()
    phone.close()
    with httpx.Client(base_url=server.url, timeout=10) as http:
        login = http.post(
            "/api/v1/auth/login", json={"username": "supervisor", "password": "demo1234"}
        )
        sup = {"Authorization": f"Bearer {login.json()['token']}"}
        items = http.get("/api/v1/halls/demo/followups", headers=sup).json()["items"]
    assert [(i["number"], i["level"]) for i in items if i["window"] == "S02"] == [
        (ticket["number"], 2)
    ]
