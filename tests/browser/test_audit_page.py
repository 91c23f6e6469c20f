"""The 审计与安全 page (/audit) in headless Chromium: the auditor's trail, security settings."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/audit")
    page.fill("#username", username)
    page.fill("#password", "demo1234")
    page.click("#login-form button[type=submit]")


def test_the_auditor_sees_and_filters_the_trail_as_plain_text(demo_server, browser):
    url = demo_server.url
    # a sign-in under a name with markup: it must show as text
    httpx.post(f"{url}/api/v1/auth/login", json={"username": "<b>x</b>", "password": "nope"})
    httpx.post(f"{url}/api/v1/auth/login", json={"username": "supervisor", "password": "demo1234"})
    page = browser.new_page()
    sign_in(page, url, "auditor")
    page.wait_for_selector("#audit-table tbody tr")
    cells = page.locator("#audit-table tbody td").all_text_contents()
    assert "<b>x</b>" in cells and "supervisor" in cells
    assert page.locator("#audit-table b").count() == 0
    page.fill("#audit-who", "supervisor")
    page.click("#audit-form button[type=submit]")
    expect(page.locator("#audit-count")).to_have_text("共 1 条（最新的在前）")
    with page.expect_download() as info:
        page.click("#audit-csv")
    assert info.value.suggested_filename == "yichuang-demo-audit.csv"
    page.close()


def test_the_security_administrator_changes_a_setting_and_a_short_retention_is_refused(
    demo_server, browser
):
    page = browser.new_page()
    sign_in(page, demo_server.url, "security")
    page.wait_for_selector("#set-audit_keep_days")
    page.fill("#set-audit_keep_days", "90")
    page.click("#security-form button[type=submit]")
    expect(page.locator("#security-message")).to_contain_text("180")
    page.fill("#set-audit_keep_days", "200")
    page.click("#security-form button[type=submit]")
    expect(page.locator("#security-message")).to_have_text("已保存")
    page.close()
