"""The citizen's live progress page (/t/{id}) on a 390×844 phone: the call within a second,
and a server killed and restarted while the citizen waits (banner, then it catches up)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from server.client import HallClient
from tests.helpers import SCREENS
from tests.live_server import ServerProcess

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[ServerProcess]:
    """A demo server of this module: the last test kills it and starts it again."""
    process = ServerProcess(tmp_path_factory.mktemp("live")).start()
    yield process
    process.stop()


@pytest.fixture
def phone(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    yield context.new_page()
    context.close()


def shot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"))


def call(url: str, ticket: dict, clerk: str = "clerk05", window: str = "S05") -> None:
    with HallClient(url, "demo") as pad:
        pad.login(clerk, "demo1234")
        pad.sign_in(window)
        pad.window(window, "call", ticket=ticket["id"])


def test_a_long_wait_is_said_in_hours_on_the_phone(server, phone):
    from playwright.sync_api import expect

    with HallClient(server.url, "demo", "demo-kiosk") as kiosk:
        for _ in range(128):  # a busy morning's line in queue B
            kiosk.issue(queue="B")
        ticket = kiosk.issue(queue="B")
    assert ticket["estimated_wait_min"] >= 60
    hours, minutes = divmod(ticket["estimated_wait_min"], 60)
    said = f"{hours} 小时 {minutes} 分钟" if minutes else f"{hours} 小时"
    phone.goto(ticket["progress_url"])
    expect(phone.locator("#ahead")).to_have_text("128")
    expect(phone.locator("#minutes")).to_have_text(said)
    shot(phone, "progress-busy")


def test_the_call_shows_on_the_phone_within_a_second(server, phone):
    from playwright.sync_api import expect

    with HallClient(server.url, "demo", "demo-kiosk") as kiosk:
        for _ in range(6):
            kiosk.issue(queue="A")
        ticket = kiosk.issue(queue="A", phone="13912345678")
    phone.goto(ticket["progress_url"])
    expect(phone.locator("#ahead")).to_have_text("6")
    expect(phone.locator("#hall-name")).to_have_text("示例市政务服务中心")
    expect(phone.locator("#sms-on")).to_be_visible()
    expect(phone.locator("#updated")).to_contain_text("实时更新")
    shot(phone, "progress-live-waiting")
    started = time.monotonic()
    call(server.url, ticket)
    expect(phone.locator("#status")).to_have_text("请到 S05 号窗口办理", timeout=1000)
    assert time.monotonic() - started < 1.0 + 0.5  # the call's own HTTP round trip included
    assert phone.evaluate("document.body.dataset.alerts") == "1"  # beep and vibration fired
    expect(phone.locator("#windows")).to_have_text("S05")  # the calling window, not the queue's
    shot(phone, "progress-live-called")


def test_the_citizen_opts_in_steps_away_and_comes_back_on_the_phone(server, phone):
    from playwright.sync_api import expect

    with HallClient(server.url, "demo", "demo-kiosk") as kiosk:
        kiosk.issue(queue="G")
        ticket = kiosk.issue(queue="G")
        kiosk.issue(queue="G")
    phone.on("dialog", lambda dialog: dialog.accept())
    phone.goto(ticket["progress_url"])
    expect(phone.locator("#ahead")).to_have_text("1")
    phone.fill("#phone", "12345")
    phone.click("#sms-submit")
    expect(phone.locator("#sms-hint")).to_contain_text("请输入正确的 11 位手机号码")
    phone.fill("#phone", "139 1234 5678")
    phone.click("#sms-submit")
    expect(phone.locator("#sms-on")).to_contain_text("已开启短信提醒（139****5678）")
    expect(phone.locator("#sms-hint")).to_have_text("")
    phone.click("button.step[data-places='1']")
    expect(phone.locator("#ahead")).to_have_text("2")
    phone.click("button.away-btn[data-minutes='10']")
    expect(phone.locator("#status")).to_have_text("暂离中 · 位置为您保留")
    expect(phone.locator("#away-line")).to_contain_text("位置保留至")
    expect(phone.locator("#back")).to_be_visible()
    expect(phone.locator("#steps")).to_be_hidden()
    phone.locator("#helpers").scroll_into_view_if_needed()
    shot(phone, "progress-live-away")
    phone.click("#back")
    expect(phone.locator("#status")).to_have_text("等候中")
    expect(phone.locator("#back")).to_be_hidden()
    phone.click("button.step[data-places='1']")  # a third step: the demo hall allows two
    expect(phone.locator("#step-hint")).to_contain_text("最多延后或暂离 2 次")


def test_a_server_restart_shows_the_banner_then_the_page_catches_up(server, phone):
    from playwright.sync_api import expect

    with HallClient(server.url, "demo", "demo-kiosk") as kiosk:
        kiosk.issue(queue="J")
        ticket = kiosk.issue(queue="J")
    phone.goto(ticket["progress_url"])
    expect(phone.locator("#ahead")).to_have_text("1")
    expect(phone.locator("#offline")).to_be_hidden()
    server.kill9()
    expect(phone.locator("#offline")).to_be_visible(timeout=5000)
    expect(phone.locator("#offline")).to_contain_text("连接已断开")
    shot(phone, "progress-live-offline")
    server.start()  # the same data dir and port: the page's address still holds
    call(server.url, ticket, "clerk17", "S17")
    expect(phone.locator("#status")).to_have_text("请到 S17 号窗口办理", timeout=5000)
    expect(phone.locator("#offline")).to_be_hidden()
