"""The web pad when the server's store cannot write: the 503's message, as a warning."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.client import HallClient
from server.config import Settings
from server.store.db import Database
from tests.browser.test_pad import shot, sign_in
from tests.live_server import ServerProcess
from tests.pgschema import store_for_test
from tests.store_faults import held_locked

pytestmark = [pytest.mark.browser, pytest.mark.db]


@pytest.fixture
def busy_server(tmp_path: Path) -> Iterator[tuple[ServerProcess, Database]]:
    """The demo server giving up on a locked store after half a second, and its store."""
    with store_for_test():
        data = tmp_path / "demo"
        env = {"YICHUANG_STORE_BUSY_TIMEOUT_SECONDS": "0.5"}
        server = ServerProcess(data, env=env).start()
        db = Database(Settings(data_dir=data).resolved_database_url())
        yield server, db
        db.dispose()
        server.stop()


@pytest.fixture
def tab(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    yield context
    context.close()


def test_a_locked_store_shows_the_servers_busy_message_and_the_next_press_works(busy_server, tab):
    from playwright.sync_api import expect

    server, db = busy_server
    with HallClient(server.url, "demo", "demo-kiosk") as kiosk:
        kiosk.issue(queue="A", applicant_name="欧阳娜娜")
    pad = tab.new_page()
    sign_in(pad, server.url, "clerk01", "S01")
    with held_locked(db):
        pad.click("#btn-call-next")
        message = pad.locator("#message")
        expect(message).to_contain_text("系统繁忙")
        expect(message).to_contain_text("请稍后再试")
        expect(message).to_have_class("msg warn")
        shot(pad, "pad-store-busy")
    pad.click("#btn-call-next")
    expect(pad.locator("#cur-number")).to_have_text("A001")


def test_a_503_without_an_explanation_still_says_busy(busy_server, tab):
    from playwright.sync_api import expect

    server, _ = busy_server
    pad = tab.new_page()
    sign_in(pad, server.url, "clerk02", "S02")
    # A proxy in front of the server answers for it, in HTML.
    pad.route(
        "**/call-next",
        lambda route: route.fulfill(
            status=503, content_type="text/html", body="<h1>503 Service Unavailable</h1>"
        ),
    )
    pad.click("#btn-call-next")
    expect(pad.locator("#message")).to_have_text("系统繁忙，请稍后再试")
    expect(pad.locator("#message")).to_have_class("msg warn")
