"""Wording the hall saw on the web pages: the hall's name, one date format, no English codes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from server.client import HallClient

pytestmark = pytest.mark.browser
HALF_WIDTH = re.compile(r"[\u3400-\u9fff] ?[,?!:;]|[,?!:;] ?[\u3400-\u9fff]")


def test_the_progress_page_header_names_the_hall(demo_server, browser):
    kiosk = HallClient(demo_server.url, "demo", "demo-kiosk")
    ticket = kiosk.issue(queue="A")
    kiosk.close()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(ticket["progress_url"])
    page.wait_for_selector("#ticket:not([hidden])")
    header = page.locator("header.top").inner_text()
    assert header.startswith("示例市政务服务中心") and "一窗" not in header
    assert "示例市政务服务中心" in page.title()
    assert not HALF_WIDTH.search(page.locator("body").inner_text())
    page.close()


def test_the_tv_writes_the_date_as_the_qt_tv_does(demo_server, browser):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{demo_server.url}/screen?hall=demo&token=demo-display")
    expect(page.locator("#date")).to_contain_text("星期")
    date = page.locator("#date").inner_text()
    assert re.fullmatch(r"\d{4}年[1-9]\d?月[1-9]\d?日 星期[一二三四五六日]", date), date
    page.close()


def test_the_admin_refusal_names_the_roles_in_chinese(demo_server, browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{demo_server.url}/admin?hall=demo")
    page.fill("#username", "clerk01")
    page.fill("#password", "demo1234")
    page.click("#login-form button[type=submit]")
    expect(page.locator("#login-error")).to_contain_text("综合受理科")
    text = page.locator("#login-error").inner_text()
    assert "综合受理科" in text and not re.search(r"[A-Za-z]", text)
    page.close()
