"""好差评 on the citizen's phone (/t/{id}) and on the window's rating tablet (/pad/rate).

A level is only chosen by a tap; 不满意 and 非常不满意 then ask for reasons from the hall's
list, a comment may be typed, and nothing is sent before 提交评价.
"""

from __future__ import annotations

import httpx
import pytest

from server.client import HallClient
from tests.helpers import SCREENS, valid_id

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1280, "height": 800}
LONG_COMMENT = (
    "叫号后在窗口前等了二十多分钟，工作人员中途离开两次，材料清单也没有一次说清楚，希望改进。"
)


@pytest.fixture
def kiosk(demo_server):
    with HallClient(demo_server.url, "demo", "demo-kiosk") as client:
        yield client


@pytest.fixture
def context(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    yield context
    context.close()


def serve(url: str, ticket: dict, clerk: str, window: str) -> None:
    """A clerk calls the ticket and records 受理, which asks for a rating."""
    with HallClient(url, "demo") as pad:
        pad.login(clerk, "demo1234")
        pad.sign_in(window)
        pad.window(window, "call", ticket=ticket["id"])
        pad.window(window, "outcome", outcome="accepted")
        pad.window(window, "sign-out")


def stored(url: str, ticket: dict) -> dict:
    token = httpx.post(
        f"{url}/api/v1/auth/login", json={"username": "supervisor", "password": "demo1234"}
    ).json()["token"]
    return httpx.get(
        f"{url}/api/v1/tickets/{ticket['id']}", headers={"Authorization": f"Bearer {token}"}
    ).json()


def shot(page, name: str, full_page: bool = False) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=full_page)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_complaint_on_the_phone_is_chosen_explained_and_then_sent(demo_server, kiosk, context):
    from playwright.sync_api import expect

    url = demo_server.url
    ticket = kiosk.issue(queue="A", applicant_name="欧阳娜娜", id_number=valid_id(seq="301"))
    serve(url, ticket, "clerk02", "S02")
    phone = context.new_page()
    phone.goto(ticket["progress_url"])
    rating = phone.locator("#rating")
    expect(rating).to_be_visible()
    submit = phone.locator("#rate-submit")
    expect(submit).to_be_disabled()
    phone.click("#rating button[data-level='1']")
    assert stored(url, ticket)["evaluation_level"] is None  # one tap sends nothing
    expect(phone.locator("#rating button[data-level='1']")).to_have_attribute(
        "aria-pressed", "true"
    )
    reasons = phone.locator("#rate-reasons button")
    expect(reasons).to_have_text(
        [
            "等候时间长",
            "服务态度差",
            "一次性告知不清",
            "办事效率低",
            "材料要求反复",
            "系统故障",
            "环境设施不便",
        ]
    )
    expect(submit).to_be_disabled()
    expect(phone.locator("#rate-hint")).to_have_text("请至少选择一项不满意的原因")
    phone.click("#rate-reasons button:has-text('一次性告知不清')")
    phone.click("#rate-reasons button:has-text('等候时间长')")
    phone.fill("#comment", LONG_COMMENT)
    expect(submit).to_be_enabled()
    # the comment box sits between the choice and the button that sends it
    boxes = [phone.locator(s).bounding_box() for s in ("#rate-reasons", "#comment", "#rate-submit")]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"] for b in boxes)
    assert no_sideways_scroll(phone)
    submit.scroll_into_view_if_needed()
    shot(phone, "progress-rating")
    phone.wait_for_timeout(11_000)  # a poll of the page in between keeps what was chosen
    expect(phone.locator("#rate-reasons button[aria-pressed='true']")).to_have_count(2)
    expect(phone.locator("#comment")).to_have_value(LONG_COMMENT)
    submit.click()
    expect(phone.locator("#rated")).to_contain_text("非常不满意")
    expect(rating).to_be_hidden()
    after = stored(url, ticket)
    assert after["evaluation_level"] == 1
    assert after["evaluation_reasons"] == ["等候时间长", "一次性告知不清"]  # in the hall's order


def test_a_good_rating_needs_a_level_and_one_tap_on_submit(demo_server, kiosk, context):
    from playwright.sync_api import expect

    url = demo_server.url
    ticket = kiosk.issue(queue="A")
    serve(url, ticket, "clerk03", "S03")
    phone = context.new_page()
    phone.goto(ticket["progress_url"])
    phone.click("#rating button[data-level='4']")
    expect(phone.locator("#rate-reasons")).to_be_hidden()
    phone.click("#rating button[data-level='2']")  # changes their mind: now reasons are asked
    expect(phone.locator("#rate-reasons")).to_be_visible()
    phone.click("#rating button[data-level='5']")
    expect(phone.locator("#rate-reasons")).to_be_hidden()
    phone.click("#rate-submit")
    expect(phone.locator("#rated")).to_contain_text("非常满意")
    assert stored(url, ticket)["evaluation_level"] == 5


def test_the_window_tablet_says_who_served_and_asks_reasons_for_a_poor_rating(
    demo_server, kiosk, browser
):
    from playwright.sync_api import expect

    url = demo_server.url
    context = browser.new_context(viewport=TABLET, locale="zh-CN")
    tablet = context.new_page()
    tablet.goto(f"{url}/pad/rate?hall=demo&window=S11&token=demo-evaluator")
    expect(tablet.locator("#idle")).to_be_visible()
    ticket = kiosk.issue(queue="D", applicant_name="司马相如")
    serve(url, ticket, "clerk11", "S11")
    expect(tablet.locator("#rate-number")).to_have_text(ticket["number"])
    expect(tablet.locator("#served-by")).to_have_text("为您服务：徐强（工号 ZW0111）")
    tablet.click("#rating button[data-level='2']")
    expect(tablet.locator("#rate-submit")).to_be_disabled()
    tablet.click("#rate-reasons button:has-text('办事效率低')")
    tablet.click("#rate-reasons button:has-text('材料要求反复')")
    tablet.fill("#comment", "同一份证明让我补交了两次。")
    shot(tablet, "pad-rate-tablet")
    tablet.click("#rate-submit")
    expect(tablet.locator("#rated")).to_contain_text("不满意")
    after = stored(url, ticket)
    assert after["evaluation_level"] == 2
    assert after["evaluation_reasons"] == ["办事效率低", "材料要求反复"]
    context.close()
