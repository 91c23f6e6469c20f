"""The 对接 tab of /admin: subscribers' lag, errors and dead letters; pause, resume, replay."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import SCREENS
from tests.live_server import free_port

pytestmark = pytest.mark.browser


def test_the_outbox_tab_shows_lag_and_errors_and_pauses(browser, demo_server):
    url = demo_server.url
    token = httpx.post(
        f"{url}/api/v1/auth/login", json={"username": "supervisor", "password": "demo1234"}
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "name": "city-dash",
        "url": f"http://127.0.0.1:{free_port()}/<img>",  # nobody listens: it fails
        "secret": "browser-secret-000",
    }
    assert httpx.post(f"{url}/api/v1/halls/demo/subscribers", json=body, headers=headers).is_success
    kiosk = {"Authorization": "Bearer demo-kiosk"}
    assert httpx.post(f"{url}/api/v1/halls/demo/tickets", json={"queue": "A"}, headers=kiosk)

    page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{url}/admin")
    page.fill("#username", "supervisor")
    page.fill("#password", "demo1234")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#areas .card")
    page.click("button[data-tab=outbox]")
    row = page.locator("#outbox-table tbody tr", has_text="city-dash")
    row.wait_for()
    page.wait_for_function(
        "() => document.querySelector('#outbox-table tbody tr td:nth-child(8)')"
        ".textContent.includes('连接失败')",
        timeout=15000,
    )
    cells = row.locator("td").all_inner_texts()
    assert cells[1] == body["url"]  # shown as text, never as markup
    assert page.locator("#outbox-table img").count() == 0
    assert cells[3] == "运行中" and int(cells[4]) >= 1
    row.locator("button[data-action=pause]").click()
    page.wait_for_selector("#outbox-message:has-text('已暂停')")
    assert "已暂停" in row.locator("td").all_inner_texts()[3]
    row.locator("input.seq").fill("999999")
    row.locator("button[data-action=replay]").click()
    page.wait_for_selector("#outbox-message:has-text('超出')")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "admin-outbox.png"), full_page=True)
    assert problems == []
    page.close()
