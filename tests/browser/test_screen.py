"""The web hall TV (/screen) in headless Chromium against the real demo server."""

from __future__ import annotations

import time

import httpx
import pytest

from server.client import ApiError, HallClient
from tests.helpers import SCREENS, valid_id
from tests.live_server import ServerProcess
from tests.pgschema import store_for_test

pytestmark = pytest.mark.browser
ID_NUMBER = valid_id("19880808", "456")


class Hall:
    """A kiosk and clerks of the demo hall, over the real HTTP API."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.kiosk = HallClient(url, "demo", "demo-kiosk")
        self.clerks: dict[str, HallClient] = {}

    def clerk(self, code: str) -> HallClient:
        if code not in self.clerks:
            c = HallClient(self.url, "demo")
            c.login(f"clerk{int(code[1:]):02d}", "demo1234")
            c.sign_in(code)
            self.clerks[code] = c
        return self.clerks[code]

    def call(self, code: str) -> str:
        """Finish the window's current ticket (if any) and call the next one."""
        clerk = self.clerk(code)
        try:
            return clerk.call_next(code)["number"]
        except ApiError as exc:
            if exc.code != "outcome_required":
                raise
        clerk.outcome(code, "accepted")
        return clerk.call_next(code)["number"]

    def close(self) -> None:
        for c in [self.kiosk, *self.clerks.values()]:
            c.close()


@pytest.fixture(scope="module")
def hall(demo_server):
    h = Hall(demo_server.url)
    h.kiosk.issue(queue="A", applicant_name="李雷", id_number=ID_NUMBER, phone="13700001111")
    for queue, n in (("A", 11), ("B", 4), ("C", 2), ("G", 2), ("T", 3)):
        for _ in range(n):
            h.kiosk.issue(queue=queue)
    for code in ("S01", "S02", "S03", "S04", "S05", "S09", "S13", "S16"):
        h.call(code)
    h.clerk("S06").window("S06", "pause", reason="午休")
    yield h
    h.close()


def open_screen(browser, url: str, size=(1920, 1080), query: str = ""):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(f"{url}/screen?hall=demo&token=demo-display{query}")
    page.wait_for_selector(".window-tile")
    return page


def wait_latest(page, number: str, timeout_ms: int = 5000) -> None:
    page.wait_for_selector(f'#latest-call[data-number="{number}"]', timeout=timeout_ms)


def on_phase(page) -> None:
    """Hold the blink in its "on" half so the screenshot shows the flash colours."""
    page.evaluate("document.getAnimations().forEach(a => { a.pause(); a.currentTime = 200; })")


def test_the_screen_shows_the_newest_call_large_and_the_recent_calls(browser, demo_server, hall):
    page = open_screen(browser, demo_server.url)
    number = hall.call("S07")
    wait_latest(page, number)
    latest = page.locator("#latest-call")
    assert latest.get_attribute("data-window") == "S07"
    assert "flash" in latest.get_attribute("class")
    assert page.inner_text("#latest-number") == f"请 {number} 号"
    assert page.inner_text("#latest-window") == "到 S07 号窗口"
    recent = page.locator(".recent-call")
    assert recent.count() == 8
    assert recent.first.get_attribute("data-number") == number
    assert recent.first.get_attribute("data-window") == "S07"
    font_px = page.eval_on_selector(
        "#latest-number", "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert font_px >= 120  # readable across a hall on a 1080p TV
    on_phase(page)
    page.screenshot(path=str(SCREENS / "screen-landscape.png"))
    page.close()


def test_every_window_shows_its_number_or_pause_and_queues_their_waiting(
    browser, demo_server, hall
):
    page = open_screen(browser, demo_server.url)
    tiles = {
        t.get_attribute("data-window"): (t.get_attribute("data-state"), t.inner_text())
        for t in page.locator(".window-tile").all()
    }
    assert len(tiles) == 26
    assert tiles["S01"][0] == "serving" and "A0" in tiles["S01"][1]
    assert tiles["S06"] == ("paused", "S06\n午休")  # the reason where the number goes
    assert tiles["S20"] == ("closed", "S20\n暂停服务")
    counts = {
        q.get_attribute("data-queue"): q.inner_text() for q in page.locator(".queue-count").all()
    }
    assert len(counts) == 13 and counts["B"].endswith("3 人")
    assert "取号后方可办理" in page.inner_text("#notice")
    assert "星期" in page.inner_text("#date") and page.inner_text("#time").count(":") == 2
    page.close()


def test_the_page_never_shows_an_id_number_phone_or_full_name(browser, demo_server, hall):
    page = open_screen(browser, demo_server.url)
    page.wait_for_selector('.recent-call[data-number="A001"], .window-tile')
    html = page.content() + page.evaluate("JSON.stringify(window.yichuangScreen)")
    assert ID_NUMBER not in html and ID_NUMBER[-6:] not in html
    assert "13700001111" not in html and "李雷" not in html
    page.close()


def test_a_vertical_area_screen_shows_only_its_area(browser, demo_server, hall):
    page = open_screen(browser, demo_server.url, size=(1080, 1920), query="&area=bdc")
    assert page.evaluate("document.body.classList.contains('portrait')")
    page.wait_for_function("document.title.includes('不动产专区')")
    windows = [t.get_attribute("data-window") for t in page.locator(".window-tile").all()]
    assert windows == ["S13", "S14", "S15"]
    assert [q.get_attribute("data-queue") for q in page.locator(".queue-count").all()] == ["B"]
    number = hall.call("S14")
    wait_latest(page, number)
    hall.call("S01")  # another area: this screen keeps showing its own call
    page.wait_for_timeout(500)
    assert page.get_attribute("#latest-call", "data-number") == number
    page.close()


def test_the_vertical_hall_screen(browser, demo_server, hall):
    page = open_screen(browser, demo_server.url, size=(1080, 1920))
    number = hall.call("S03")
    wait_latest(page, number)
    on_phase(page)
    page.screenshot(path=str(SCREENS / "screen-portrait.png"))
    page.close()


def test_bad_addresses_get_json_errors_not_a_page(demo_server):
    unknown = httpx.get(f"{demo_server.url}/screen", params={"hall": "nowhere"})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_hall"
    missing = httpx.get(f"{demo_server.url}/screen")
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "invalid_request"
    script = httpx.get(f"{demo_server.url}/screen", params={"hall": "demo<script>"})
    assert script.status_code == 422


def test_a_wrong_token_says_so_on_screen(browser, demo_server):
    page = browser.new_page()
    page.goto(f"{demo_server.url}/screen?hall=demo&token=wrong-token")
    page.wait_for_selector(".error")
    assert "令牌无效" in page.inner_text(".error")
    page.close()


def test_after_a_server_crash_and_restart_the_screen_is_right_within_two_seconds(browser, tmp_path):
    with store_for_test():
        server = ServerProcess(tmp_path / "crash").start()
        try:
            h = Hall(server.url)
            for _ in range(3):
                h.kiosk.issue(queue="A")
            first = h.call("S01")
            page = open_screen(browser, server.url)
            wait_latest(page, first)
            server.kill9()
            page.wait_for_selector("#status:not([hidden])")
            server.start()
            back = time.monotonic()
            second = h.call("S02")
            wait_latest(page, second, timeout_ms=2000)
            assert time.monotonic() - back < 2.5
            assert page.is_hidden("#status")
            numbers = [r.get_attribute("data-number") for r in page.locator(".recent-call").all()]
            assert numbers == [second, first]  # nothing lost, nothing twice
            page.close()
            h.close()
        finally:
            server.stop()


CRAMPED = """() => {
  const out = [];
  const cut = (e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1;
  for (const e of document.querySelectorAll('.window-tile .code, .window-tile .text, .queue-count,'
                                            + ' .recent-call, #latest-number, #latest-window')) {
    if (cut(e)) out.push(e.textContent + ' is cut');
  }
  for (const chip of document.querySelectorAll('.queue-count')) {
    const range = document.createRange();
    range.selectNodeContents(chip.querySelector('.qname'));
    const gap = chip.querySelector('.waiting').getBoundingClientRect().left
      - range.getBoundingClientRect().right;
    if (gap < 16) out.push(chip.textContent + ' has ' + gap + ' px between name and count');
  }
  const ticker = document.querySelector('.ticker').getBoundingClientRect();
  if (ticker.bottom > innerHeight + 0.5) out.push('the ticker is pushed off the screen');
  return out;
}"""


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_window_codes_and_queue_names_are_big_and_nothing_is_cut_or_touching(
    browser, demo_server, hall, size
):
    hall.clerk("S10").window("S10", "pause", reason="签退待处理")  # the longest reason
    page = open_screen(browser, demo_server.url, size=size)
    page.wait_for_selector('.window-tile[data-window="S10"][data-state="paused"]')

    def px(selector: str) -> float:
        return page.eval_on_selector(selector, "e => parseFloat(getComputedStyle(e).fontSize)")

    assert px('.window-tile[data-window="S10"] .code') >= 48  # a code is never shrunk
    assert px(".queue-count .qname") >= 39.5  # 3.7 % of 1080
    assert 20 <= px('.window-tile[data-window="S10"] .text') < 48  # shrunk to fit, not cut
    assert page.evaluate(CRAMPED) == []
    page.close()


FILL_TO_THE_BRIM = """() => {
  const s = window.yichuangScreen;
  let i = 0;
  for (const w of s.windows.values()) {
    i += 1;
    w.status = i % 5 === 0 ? 'paused' : (i % 7 === 0 ? 'closed' : 'open');
    w.paused_reason = i % 5 === 0 ? '签退待处理' : null;  // the longest reason there is
    w.current_number = w.status === 'open' ? 'A' + (180 + i) : null;
  }
  for (const code of Object.keys(s.counts)) s.counts[code] = 188;
  s.recent = Array.from({length: 8}, (_, k) => (
    {number: 'A' + (188 - k), window: 'S' + (26 - k), seq: 100 - k, recall: false, name: ''}));
  s.latest = {number: 'A188', window: 'S26', seq: 100, recall: false, name: '欧阳*'};
  window.yichuangScreenRedraw();
}"""


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)])
def test_the_fullest_hall_fits_with_rows_read_from_ten_metres(browser, demo_server, hall, size):
    page = open_screen(browser, demo_server.url, size=size)
    page.wait_for_function("window.yichuangScreen.layout !== null")
    page.evaluate(FILL_TO_THE_BRIM)

    def px(selector: str) -> list[float]:
        return page.eval_on_selector_all(
            selector, "es => es.map(e => parseFloat(getComputedStyle(e).fontSize))"
        )

    least = 48 * size[1] / 1080 - 0.5  # 48 px on a 1080p TV, in proportion on a smaller one
    assert min(px(".window-tile .code")) >= least
    assert min(px('.window-tile[data-state="serving"] .text')) >= least
    assert min(px(".recent-call")) >= least and len(px(".recent-call")) == 8
    chip = page.locator('.queue-count[data-queue="F"]').inner_text()
    assert chip.replace("\n", " ").endswith("188 人"), chip
    assert page.evaluate(CRAMPED) == []
    on_phase(page)
    page.screenshot(path=str(SCREENS / f"screen-busiest-{size[0]}x{size[1]}.png"))
    page.close()
