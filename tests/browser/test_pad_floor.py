"""The web clerk pad as clerks used it on the hall floor (issue 12: 1, 3, 4, 5, 6, 7).

Against the real demo server in headless Chromium; the screenshots are taken in the busy
state (a ticket called, a long matter name, three-digit counts).
"""

from __future__ import annotations

import json

import pytest

from server.client import HallClient
from tests.browser.test_pad import TABLET, shot, sign_in
from tests.helpers import valid_id

pytestmark = pytest.mark.browser
PORTRAIT = {"width": 800, "height": 1280}
SMALL = {"width": 1024, "height": 768}
LONG_MATTER = "不动产转移登记(存量房买卖、赠与、继承、遗赠及夫妻间更名)"


@pytest.fixture
def tab(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    context = browser.new_context(viewport=TABLET, locale="zh-CN")
    yield context
    context.close()


@pytest.fixture
def kiosk(demo_server):
    with HallClient(demo_server.url, "demo", "demo-kiosk") as client:
        yield client


def staff(url: str, user: str) -> HallClient:
    client = HallClient(url, "demo")
    client.login(user, "demo1234")
    return client


def called(pad, expect) -> str:
    pad.click("#btn-call-next")
    expect(pad.locator("#cur-number")).not_to_have_text("—")
    return str(pad.locator("#cur-number").text_content())


def test_no_rejection_reason_is_preselected_and_the_button_waits_for_one(demo_server, kiosk, tab):
    from playwright.sync_api import expect

    kiosk.issue(queue="A", applicant_name="马小红")
    pad = tab.new_page()
    sign_in(pad, demo_server.url, "clerk02", "S02")
    called(pad, expect)
    pad.click("#btn-rejected")
    pad.locator("#dlg-reject").wait_for(state="visible")
    expect(pad.locator("input[name=reject-reason]:checked")).to_have_count(0)
    expect(pad.locator("#reject-ok")).to_be_disabled()
    pad.fill("#reject-detail", "非本中心事项")
    expect(pad.locator("#reject-ok")).to_be_enabled()
    pad.fill("#reject-detail", "")
    expect(pad.locator("#reject-ok")).to_be_disabled()
    pad.check("input[name=reject-reason][value=超过法定申请期限]")
    expect(pad.locator("#reject-ok")).to_be_enabled()


def test_a_rejection_and_an_acceptance_name_the_matter_picked_by_name_or_code(
    demo_server, kiosk, tab
):
    from playwright.sync_api import expect

    first = kiosk.issue(queue="A", applicant_name="钱多多", id_number=valid_id(seq="511"))
    second = kiosk.issue(queue="A", applicant_name="孙小美", id_number=valid_id(seq="512"))
    pad = tab.new_page()
    sign_in(pad, demo_server.url, "clerk03", "S03")
    assert called(pad, expect) == first["number"]
    pad.click("#btn-rejected")
    pad.fill("#reject-matter .matter-search", "企业设立")
    expect(pad.locator("#reject-matter .matter-option:visible")).to_have_count(1)
    pad.click("#reject-matter .matter-option[data-matter=qy-sl]")
    pad.check("input[name=reject-reason][value=申请人不具备申请资格]")
    shot(pad, "pad-reject-dialog")
    pad.click("#reject-ok")
    expect(pad.locator("#message")).to_have_text(f"{first['number']} 已登记不予受理")
    assert called(pad, expect) == second["number"]
    pad.click("#btn-accepted")
    pad.locator("#dlg-accept").wait_for(state="visible")
    recent = pad.locator("#accept-matter .matter-option").first
    expect(recent).to_have_attribute("data-matter", "qy-sl")  # the last one used comes first
    expect(recent).to_contain_text("最近")
    pad.fill("#accept-matter .matter-search", "qy-bg")
    pad.click("#accept-matter .matter-option[data-matter=qy-bg]")
    pad.click("#accept-ok")
    expect(pad.locator("#message")).to_have_text(f"{second['number']} 已登记受理")
    with staff(demo_server.url, "supervisor") as boss:
        assert boss.ticket(first["id"])["matter_name"] == "企业设立登记"
        assert boss.ticket(second["id"])["matter"] == "qy-bg"
        notice = boss.get(f"/api/v1/halls/demo/tickets/{first['id']}/notice", kind="rejected")
    assert notice["matter"] == "企业设立登记" and notice["department"] == "市场监管局"


def test_transfer_offers_open_windows_with_their_clerk_and_waits_only_when_confirmed(
    demo_server, kiosk, tab
):
    from playwright.sync_api import expect

    url = demo_server.url
    ticket = kiosk.issue(queue="A", applicant_name="周大福", id_number=valid_id(seq="521"))
    with staff(url, "clerk13") as s13:
        s13.window("S13", "sign-in")
    screen = tab.new_page()
    screen.goto(f"{url}/screen?hall=demo&token=demo-display")
    pad = tab.new_page()
    sign_in(pad, url, "clerk04", "S04")
    assert called(pad, expect) == ticket["number"]
    pad.click("#btn-transfer")
    pad.locator("#dlg-transfer").wait_for(state="visible")
    queues = pad.locator("#transfer-queue option").evaluate_all("os => os.map(o => o.value)")
    assert "A" not in queues and "B" in queues  # never back into its own queue
    offered = pad.locator("#transfer-window option").evaluate_all(
        "os => os.map(o => [o.value, o.textContent])"
    )
    codes = [code for code, _ in offered]
    assert "S13" in codes and "S14" not in codes and "S04" not in codes
    s13_label = dict(offered)["S13"]
    with staff(url, "supervisor") as boss:
        windows = boss.get("/api/v1/halls/demo/windows")["windows"]
    s13_name = next(w["clerk"]["name"] for w in windows if w["code"] == "S13")
    assert s13_name in s13_label
    pad.check("#transfer-later")
    later = pad.locator("#transfer-window option").evaluate_all("os => os.map(o => o.value)")
    assert "S14" in later and "S13" not in later
    expect(pad.locator("#transfer-later-hint")).to_contain_text("10 分钟")
    pad.check("input[name=transfer-to][value=window]")
    pad.select_option("#transfer-window", "S14")
    shot(pad, "pad-transfer-dialog")
    pad.click("#transfer-ok")
    expect(pad.locator("#message")).to_contain_text(f"{ticket['number']} 已转移至")
    expect(pad.locator("#cur-number")).to_have_text("—")
    with staff(url, "supervisor") as boss:
        assert boss.ticket(ticket["id"])["windows"] == ["S14"]
    phone = tab.new_page()
    phone.goto(ticket["progress_url"])
    expect(phone.locator("#windows")).to_have_text("S14")
    expect(phone.locator("#status")).to_have_text("已转至 S14 号窗口，请等候该窗口叫号")
    tv = screen.locator(f".recent-call.transfer[data-number={ticket['number']}]")
    expect(tv).to_have_attribute("data-window", "S14")
    expect(tv).to_contain_text("转办")


def test_the_notice_dialog_names_its_ticket_and_asks_materials_only_for_a_one_time_notice(
    demo_server, kiosk, tab
):
    from playwright.sync_api import expect

    ticket = kiosk.issue(queue="C", applicant_name="吴彦祖")
    pad = tab.new_page()
    sign_in(pad, demo_server.url, "clerk09", "S09")
    number = called(pad, expect)
    assert number == ticket["number"]
    pad.click("#btn-accepted")
    if pad.locator("#dlg-accept").is_visible():
        pad.click("#accept-ok")
    expect(pad.locator("#message")).to_have_text(f"{number} 已登记受理")
    pad.click("#btn-notice")
    pad.locator("#dlg-notice").wait_for(state="visible")
    expect(pad.locator("#notice-ticket")).to_have_text(f"为 {number} 号（吴**）出具")
    pad.select_option("#notice-kind", "accepted")
    expect(pad.locator("#notice-materials")).to_be_hidden()
    pad.select_option("#notice-kind", "missing")
    expect(pad.locator("#notice-materials")).to_be_visible()
    shot(pad, "pad-notice-dialog")


def test_the_window_picker_shows_free_taken_by_whom_and_my_own_window(demo_server, tab):
    from playwright.sync_api import expect

    url = demo_server.url
    with staff(url, "clerk20") as other:
        other.window("S20", "sign-in")
    with staff(url, "clerk21") as me:
        me.window("S21", "sign-in")
    pad = tab.new_page()
    pad.goto(f"{url}/pad?hall=demo")
    pad.fill("#username", "clerk21")
    pad.fill("#password", "demo1234")
    pad.click("#login-btn")
    pad.locator("#window-page").wait_for(state="visible")
    taken = pad.locator("#window-list button[data-window=S20]")
    expect(taken).to_contain_text("已由")
    expect(taken).to_have_attribute("data-state", "taken")
    expect(taken).to_be_disabled()
    mine = pad.locator("#window-list button[data-window=S21]")
    expect(mine).to_contain_text("您当前的窗口")
    expect(mine).to_have_attribute("data-state", "mine")
    free = pad.locator("#window-list button[data-window=S22]")
    expect(free).to_contain_text("空闲")
    with staff(url, "supervisor") as boss:
        windows = boss.get("/api/v1/halls/demo/windows")["windows"]
    name = next(w["clerk"]["name"] for w in windows if w["code"] == "S20")
    expect(taken).to_contain_text(name)
    shot(pad, "pad-window-picker")
    mine.click()
    expect(pad.locator("#win-title")).to_contain_text("S21")


def busy(route) -> None:
    """The context as on a busy morning: a long matter name and three-digit counts."""
    response = route.fetch()
    ctx = response.json()
    current = ctx.get("current")
    if current:
        current.update(
            matter_name=LONG_MATTER,
            waited_seconds=118 * 60,
            transferred=True,
            transfer_note="需补交不动产权证书原件及婚姻关系证明，请优先办理",
            recalls=3,
            suggest_no_show=True,
        )
    for q in ctx["queues"]:
        q["waiting"] = 188
    ctx["queues"].append({"code": "A", "name": "无差别综合受理", "waiting": 216})
    ctx["next"] = (ctx["next"] * 6)[:6]
    ctx["last_service"] = {
        "id": "x",
        "number": "B188",
        "outcome": "accepted",
        "finished_at": None,
        "evaluation_requested": True,
        "evaluation_level": None,
        "evaluation_label": None,
    }
    ctx["today"].update(calls=188, accepted=142, consulted=27, rejected=11, no_show=8)
    route.fulfill(response=response, body=json.dumps(ctx))


def test_portrait_and_landscape_pads_in_the_busy_state_keep_every_button_clear(
    demo_server, kiosk, tab
):
    from playwright.sync_api import expect

    kiosk.issue(queue="B", applicant_name="欧阳娜娜", id_number=valid_id(seq="531"))
    for _ in range(3):
        kiosk.issue(queue="B")
    pad = tab.new_page()
    pad.route("**/windows/S15/context", busy)
    sign_in(pad, demo_server.url, "clerk15", "S15")
    called(pad, expect)
    expect(pad.locator("#cur-lines")).to_contain_text(LONG_MATTER)
    expect(pad.locator("[data-stat=叫号] b")).to_have_text("188")
    sizes = ((TABLET, "pad-serving"), (SMALL, "pad-landscape-1024"), (PORTRAIT, "pad-portrait"))
    for size, name in sizes:
        pad.set_viewport_size(size)
        pad.wait_for_timeout(100)
        buttons = pad.locator(".buttons").bounding_box()
        current = pad.locator(".current").bounding_box()
        assert current["y"] + current["height"] <= buttons["y"] + 1, name
        cards = pad.locator(".side .card").all()
        for button in pad.locator(".buttons button").all():
            b = button.bounding_box()
            for card in cards:
                c = card.bounding_box()
                overlap = not (
                    b["y"] + b["height"] <= c["y"]
                    or c["y"] + c["height"] <= b["y"]
                    or b["x"] + b["width"] <= c["x"]
                    or c["x"] + c["width"] <= b["x"]
                )
                assert not overlap, (name, button.text_content(), card.text_content()[:12])
        shot(pad, name)


def test_an_older_context_answer_arriving_late_does_not_paint_over_a_call(demo_server, kiosk, tab):
    """A refresh asked before a call may be answered after the call's own (CI saw "—" stay)."""
    from playwright.sync_api import expect

    pad = tab.new_page()
    asked, held = [], []

    def hold_second(route):
        asked.append(route)
        if len(asked) != 2:
            return route.continue_()
        held.append((route, route.fetch()))  # the window before the call, answered later

    pad.route("**/windows/S05/context", hold_second)
    sign_in(pad, demo_server.url, "clerk05", "S05")
    expect(pad.locator("#btn-call-next")).to_be_enabled()
    kiosk.issue(queue="A", applicant_name="欧阳慢回复")  # the live feed asks for a refresh
    for _ in range(50):
        if held:
            break
        pad.wait_for_timeout(100)
    assert held, "the issue did not make the pad refresh"
    pad.click("#btn-call-next")
    expect(pad.locator("#message")).to_contain_text("号到 S05 办理")
    number = str(pad.locator("#message").text_content()).split()[1]
    expect(pad.locator("#cur-number")).to_have_text(number)
    for _ in range(50):  # the call's refresh, and the one its live event asks for
        if len(asked) >= 4:
            break
        pad.wait_for_timeout(100)
    pad.wait_for_timeout(300)  # nothing else is coming
    route, stale = held[0]
    route.fulfill(response=stale)
    pad.wait_for_timeout(300)
    expect(pad.locator("#cur-number")).to_have_text(number)


def test_no_button_acts_before_the_windows_context_is_in(demo_server, tab):
    """A tap on 通知书 before the context arrived opened an empty dialog (CI saw it)."""
    from playwright.sync_api import expect

    pad = tab.new_page()
    held: list = []
    released = []

    def hold(route):
        if released:
            return route.continue_()
        held.append((route, route.fetch()))

    pad.route("**/windows/S06/context", hold)
    sign_in(pad, demo_server.url, "clerk06", "S06")
    for button in ("#btn-call-next", "#btn-notice", "#btn-pause"):
        expect(pad.locator(button)).to_be_disabled()
    released.append(True)
    for route, answer in held:
        route.fulfill(response=answer)
