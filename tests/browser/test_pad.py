"""The web clerk pad (/pad) and the ticket progress page (/t/{id}) in headless Chromium.

Against the real demo server; the hall TV (/screen) in a second tab shows each call
(its DOM contract: #latest-call and .recent-call with data-number / data-window).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pypdf
import pytest

from server.client import HallClient
from tests.helpers import SCREENS, valid_id

pytestmark = pytest.mark.browser
TABLET = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def kiosk(demo_server):
    """A kiosk client per test (one test restarts the server under the pooled connection)."""
    with HallClient(demo_server.url, "demo", "demo-kiosk") as client:
        yield client


@pytest.fixture
def tab(browser):
    """A fresh browser context (own session storage) with a tablet-sized page."""
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    context = browser.new_context(viewport=TABLET, locale="zh-CN")
    yield context
    context.close()


def sign_in(page, url: str, user: str, window: str) -> None:
    page.goto(f"{url}/pad?hall=demo&window={window}")
    page.fill("#username", user)
    page.fill("#password", "demo1234")
    page.click("#login-btn")
    page.locator("#pad-page").wait_for(state="visible")


def shot(page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"))


def test_pad_calls_recalls_rejects_transfers_and_the_screen_shows_each_call(
    demo_server, kiosk, tab
):
    from playwright.sync_api import expect

    url = demo_server.url
    names = ["王建国", "李秀英", "张伟", "刘洋", "陈静"]
    issued = {}
    for i, name in enumerate(names):
        t = kiosk.issue(queue="A", applicant_name=name, id_number=valid_id(seq=f"{i + 10:03d}"))
        issued[t["number"]] = t
    screen = tab.new_page()
    screen.goto(f"{url}/screen?hall=demo&token=demo-display")
    latest = screen.locator("#latest-call")
    pad = tab.new_page()
    sign_in(pad, url, "clerk05", "S05")
    expect(pad.locator("#win-title")).to_have_text("S05 5号窗口")
    expect(pad.locator("#next-list button")).to_have_count(5)
    shot(pad, "pad-idle")

    called = []
    for round_ in range(3):
        pad.click("#btn-call-next")
        expect(pad.locator("#cur-number")).not_to_have_text("—")
        number = pad.locator("#cur-number").text_content()
        called.append(number)
        expect(pad.locator("#message")).to_have_text(f"请 {number} 号到 S05 办理")
        expect(latest).to_have_attribute("data-number", number)
        expect(latest).to_have_attribute("data-window", "S05")
        if round_ == 0:
            pad.click("#btn-recall")
            expect(pad.locator("#recall-hint")).to_have_text("已重呼 1 次")
            expect(pad.locator("#message")).to_have_text(f"重呼 {number}（第 1 次）")
            expect(latest).to_have_class(re.compile(r"\brecall\b"))  # the screen says 重呼
            expect(screen.locator("#latest-caption")).to_have_text("重呼 · 请再次留意")
            expect(latest).to_have_attribute("data-number", number)
            pad.click("#btn-rejected")
            pad.locator("#dlg-reject").wait_for(state="visible")
            pad.check("input[name=reject-reason][value=申请人不具备申请资格]")
            pad.fill("#reject-detail", "非本市户籍")
            pad.click("#reject-ok")
            expect(pad.locator("#message")).to_have_text(f"{number} 已登记不予受理")
            expect(pad.locator("#evaluation")).to_have_text(f"{number} 好差评：等待评价…")
            expect(pad.locator("[data-stat=不予受理] b")).to_have_text("1")
            with HallClient(url, "demo") as staff:
                staff.login("supervisor", "demo1234")
                stored = staff.ticket(issued[number]["id"])
            assert stored["outcome"] == "rejected"
            assert stored["reason"] == "申请人不具备申请资格；非本市户籍"
        elif round_ == 1:
            pad.click("#btn-transfer")
            pad.locator("#dlg-transfer").wait_for(state="visible")
            pad.select_option("#transfer-queue", "B")
            pad.fill("#transfer-note", "需不动产专窗办理")
            pad.click("#transfer-ok")
            expect(pad.locator("#message")).to_have_text(f"{number} 已转移至「不动产登记」")
            expect(pad.locator("#cur-number")).to_have_text("—")
        else:
            pad.click("#btn-accepted")
            pad.click("#accept-ok")  # a queue ticket: the matter may be named, or not
            expect(pad.locator("#message")).to_have_text(f"{number} 已登记受理")
    assert len(set(called)) == 3
    recent = screen.locator(".recent-call[data-window=S05]")
    expect(recent).to_have_count(3)
    assert sorted(recent.evaluate_all("els => els.map(e => e.dataset.number)")) == sorted(called)
    receiving = tab.new_page()
    sign_in(receiving, url, "clerk13", "S13")
    receiving.click("#btn-call-next")
    expect(receiving.locator("#cur-number")).to_have_text(called[1])  # served first
    expect(receiving.locator("#cur-note")).to_have_text("转入备注：需不动产专窗办理")
    expect(receiving.locator("#cur-lines")).to_contain_text("转入")
    shot(receiving, "pad-transferred-in")
    assert "需不动产专窗办理" not in screen.content()  # the hall TV never sees the note
    pad.set_viewport_size({"width": 800, "height": 1280})  # a tablet held upright
    expect(pad.locator("#btn-call-next")).to_be_in_viewport()  # busy screenshots: test_pad_floor


def test_the_rating_on_the_progress_page_shows_on_the_pad(demo_server, kiosk, tab):
    from playwright.sync_api import expect

    url = demo_server.url
    for _ in range(2):
        kiosk.issue(queue="C")
    ticket = kiosk.issue(queue="C", applicant_name="赵敏", id_number=valid_id(seq="201"))
    phone_context = tab.browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    phone = phone_context.new_page()
    phone.goto(ticket["progress_url"])
    expect(phone.locator("#status")).to_have_text("等候中")
    expect(phone.locator("#number")).to_have_text(ticket["number"])
    expect(phone.locator("#ahead")).to_have_text("2")
    shot(phone, "progress-waiting")
    pad = tab.new_page()
    sign_in(pad, url, "clerk09", "S09")
    pad.click("#btn-pick")  # 选号: the citizen in front of the window, out of order
    pad.fill("#pick-number", ticket["number"].lower())
    pad.click("#pick-ok")
    expect(pad.locator("#cur-number")).to_have_text(ticket["number"])
    expect(pad.locator("#message")).to_contain_text("已记录为不按顺序叫号")
    phone.reload()
    expect(phone.locator("#status")).to_have_text("请到 S09 号窗口办理")
    shot(phone, "progress-called")
    pad.click("#btn-consulted")
    expect(pad.locator("#evaluation")).to_have_text(f"{ticket['number']} 好差评：等待评价…")
    phone.reload()
    expect(phone.locator("#rating")).to_be_visible()
    phone.click("button[data-level='5']")  # chooses; test_rating.py covers the choice in full
    phone.click("#rate-submit")
    expect(phone.locator("#rated")).to_have_text("感谢您的评价：非常满意")
    expect(phone.locator("#status")).to_have_text("咨询服务已完成")
    shot(phone, "progress-rated")
    expect(pad.locator("#evaluation")).to_have_text(f"{ticket['number']} 已评价：非常满意")
    expect(pad.locator("#evaluation")).to_have_attribute("data-rated", "yes")
    shot(pad, "pad-rated")
    bad = tab.new_page()
    bad.goto(f"{url}/t/{ticket['id']}?s=not-the-secret")
    expect(bad.locator("#error")).to_contain_text("二维码无效")
    phone_context.close()


def test_after_a_server_restart_the_pad_says_so_and_resyncs(demo_server, tab):
    from playwright.sync_api import expect

    url = demo_server.url
    pad = tab.new_page()
    sign_in(pad, url, "clerk06", "S06")
    conn = pad.locator("#conn")
    expect(conn).to_be_hidden()
    demo_server.kill9()
    try:
        expect(conn).to_have_text("网络中断，正在重新连接…")
        expect(conn).to_have_attribute("data-state", "offline")
        shot(pad, "pad-offline")
    finally:
        demo_server.start()  # the module's other tests need it, whatever happened here
    with HallClient(url, "demo", "demo-kiosk") as fresh:
        late = fresh.issue(queue="A", applicant_name="孙悟空")  # while the pad is still away
    expect(conn).to_have_text("已重新连接，数据已同步", timeout=20_000)
    expect(pad.locator(f"#next-list button[data-number={late['number']}]")).to_have_count(1)
    shot(pad, "pad-resynced")
    pad.click("#btn-call-next")
    expect(pad.locator("#cur-number")).not_to_have_text("—")


def test_an_outcome_tapped_while_the_server_is_down_is_recorded_once_when_it_is_back(
    demo_server, kiosk, tab
):
    from playwright.sync_api import expect

    url = demo_server.url
    kiosk.issue(queue="A", applicant_name="欧阳娜娜")
    pad = tab.new_page()
    sign_in(pad, url, "clerk08", "S08")
    pad.click("#btn-call-next")
    number = pad.locator("#cur-number")
    expect(number).not_to_have_text("—")
    called = number.text_content()
    msg, conn = pad.locator("#message"), pad.locator("#conn")
    demo_server.kill9()
    try:
        pad.click("#btn-accepted")
        pad.click("#accept-ok")  # taken by queue alone: 受理 asks for the matter (optional)
        expect(msg).to_have_text(
            f"无法连接服务器，请检查网络；已记下，恢复后将自动同步。待同步：受理 {called}"
        )
        expect(msg).to_have_class(re.compile("error"))
        expect(conn).to_have_attribute("data-state", "offline")
        shot(pad, "pad-pending-sync")
    finally:
        demo_server.start()
    expect(conn).to_have_text("已重新连接，数据已同步", timeout=20_000)
    expect(msg).to_have_text(f"已同步：受理 {called}", timeout=10_000)
    expect(msg).not_to_have_class(re.compile("error"))
    expect(number).to_have_text("—")
    shot(pad, "pad-synced")
    with HallClient(url, "demo", "demo-kiosk") as fresh:
        events = fresh.events(since=0)["events"]
    finished = [
        e for e in events if e["type"] == "ticket.finished" and e["ticket"]["number"] == called
    ]
    assert len(finished) == 1 and finished[0]["ticket"]["outcome"] == "accepted"


def test_a_double_tap_on_call_next_calls_once(demo_server, kiosk, tab):
    from playwright.sync_api import expect

    for _ in range(2):
        kiosk.issue(queue="A")
    pad = tab.new_page()
    sign_in(pad, demo_server.url, "clerk07", "S07")
    pad.locator("#btn-call-next").dblclick()
    expect(pad.locator("#cur-number")).not_to_have_text("—")
    expect(pad.locator("#message")).to_contain_text("号到 S07 办理")
    expect(pad.locator("[data-stat=叫号] b")).to_have_text("1")


def test_a_citizen_facing_rating_tablet_rates_the_service_of_its_window(demo_server, kiosk, tab):
    from playwright.sync_api import expect

    url = demo_server.url
    ticket = kiosk.issue(queue="Z", applicant_name="周芷若")
    tablet = tab.new_page()
    tablet.goto(f"{url}/pad/rate?hall=demo&window=S10&token=demo-evaluator")
    expect(tablet.locator("#idle")).to_be_visible()
    pad = tab.new_page()
    sign_in(pad, url, "clerk10", "S10")
    pad.click("#btn-call-next")
    expect(pad.locator("#cur-number")).to_have_text(ticket["number"])
    pad.click("#btn-accepted")
    pad.click("#accept-ok")  # taken by queue alone: 受理 asks for the matter (optional)
    expect(tablet.locator("#rate-number")).to_have_text(ticket["number"])
    tablet.click("button[data-level='4']")
    tablet.click("#rate-submit")
    expect(tablet.locator("#rated")).to_have_text("感谢您的评价：满意")
    expect(pad.locator("#evaluation")).to_have_text(f"{ticket['number']} 已评价：满意")


def notice_pdf(page, kind: str, tmp_path, materials: str = "", note: str = ""):
    """Open 通知书, pick `kind`, download the PDF; returns its text and the file."""
    from playwright.sync_api import expect

    page.click("#btn-notice")
    page.locator("#dlg-notice").wait_for(state="visible")
    page.select_option("#notice-kind", kind)
    if kind == "missing":  # only the 一次性告知书 lists materials
        page.fill("#notice-materials", materials)
    page.fill("#notice-note", note)
    offered = page.locator("#notice-kind option").evaluate_all("os => os.map(o => o.value)")
    with page.expect_download() as download:
        page.click("#notice-pdf")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    expect(page.locator("#message")).to_contain_text("已生成 PDF")
    reader = pypdf.PdfReader(path)
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "").replace(" ", "")
    return offered, text, path


def render_notice(path, name: str) -> None:
    """The PDF's first page as docs/screens/<name>.png (A4 at 80 dpi, poppler's pdftoppm)."""
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: install poppler-utils (scripts/system-deps)"
    SCREENS.mkdir(parents=True, exist_ok=True)
    out = SCREENS / name
    args = [pdftoppm, "-png", "-r", "80", "-singlefile", str(path), str(out)]
    run = subprocess.run(args, check=True, capture_output=True, text=True)
    # Without poppler-data pdftoppm draws the table but no hanzi (STSong-Light is not embedded)
    assert "Missing language pack" not in run.stderr, "install poppler-data (scripts/system-deps)"


def test_the_notices_after_rejected_and_accepted_download_as_pdf(demo_server, kiosk, tab, tmp_path):
    from playwright.sync_api import expect

    first = kiosk.issue(queue="B", applicant_name="欧阳明月", id_number=valid_id(seq="301"))
    second = kiosk.issue(queue="B", applicant_name="司马相如", id_number=valid_id(seq="302"))
    pad = tab.new_page()
    sign_in(pad, demo_server.url, "clerk14", "S14")
    pad.click("#btn-call-next")
    expect(pad.locator("#cur-number")).to_have_text(first["number"])
    pad.click("#btn-rejected")
    pad.check("input[name=reject-reason][value=申请材料不齐全或不符合法定形式]")
    pad.fill("#reject-detail", "缺少不动产权证书原件")
    pad.click("#reject-ok")
    expect(pad.locator("#message")).to_have_text(f"{first['number']} 已登记不予受理")
    offered, text, path = notice_pdf(pad, "rejected", tmp_path)
    assert offered == ["rejected", "missing"]
    for expected in (
        "不予受理凭证",
        "欧阳明月",
        "承办部门不动产登记中心",  # taken by queue alone: the queue's department, not "—"
        "申请材料不齐全或不符合法定形式；缺少不动产权证书原件",
        "行政复议",
    ):
        assert expected in text, expected
    assert re.search(rf"文书编号DEMO-BYSL-\d{{8}}-{first['number']}", text)
    assert valid_id(seq="301") not in text
    render_notice(path, "pad-notice-rejected")

    pad.click("#btn-call-next")
    expect(pad.locator("#cur-number")).to_have_text(second["number"])
    pad.click("#btn-accepted")
    pad.click("#accept-ok")
    expect(pad.locator("#message")).to_have_text(f"{second['number']} 已登记受理")
    offered, text, _ = notice_pdf(pad, "accepted", tmp_path)
    assert offered == ["accepted", "missing"]
    for expected in ("受理通知书", "司马相如", "承办部门不动产登记中心", "决定予以受理"):
        assert expected in text, expected
    materials = "不动产权证书原件\n买卖双方身份证明\n婚姻关系证明 (结婚证或单身声明)"
    note = "补齐材料后可到 S14 窗口优先办理"
    pad.click("#btn-notice")
    pad.select_option("#notice-kind", "missing")
    pad.fill("#notice-materials", materials)
    pad.fill("#notice-note", note)
    pad.click("#dlg-notice .cancel")
    offered, text, path = notice_pdf(pad, "missing", tmp_path, materials, note)
    for expected in (
        "一次性告知书",
        "尚需补正以下3项材料",
        "1.不动产权证书原件",
        "3.婚姻关系证明(结婚证或单身声明)",
        "补充说明：补齐材料后可到S14窗口优先办理",
    ):
        assert expected in text, expected
    render_notice(path, "pad-notice-missing")


def test_a_matter_named_at_the_kiosk_still_asks_for_the_case_number_a_scanner_enters(
    demo_server, kiosk, tab
):
    from playwright.sync_api import expect

    url = demo_server.url
    ticket = kiosk.issue(matter="bdc-mmgh", applicant_name="张三丰")
    pad = tab.new_page()
    sign_in(pad, url, "clerk15", "S15")
    pad.click("#btn-pick")  # the citizen in front of the window
    pad.fill("#pick-number", ticket["number"])
    pad.click("#pick-ok")
    expect(pad.locator("#cur-number")).to_have_text(ticket["number"])
    pad.click("#btn-accepted")
    expect(pad.locator("#dlg-accept")).to_be_visible()
    chosen = pad.locator("#accept-matter .matter-option.selected")
    expect(chosen).to_have_attribute("data-matter", "bdc-mmgh")  # as the kiosk named it
    expect(pad.locator("#accept-case")).to_be_focused()
    pad.keyboard.type("SX-2026-BDC-000123")
    pad.keyboard.press("Enter")  # what a barcode scanner sends after the number
    expect(pad.locator("#message")).to_contain_text("已登记受理")
    with HallClient(url, "demo") as staff:
        staff.login("supervisor", "demo1234")
        case = staff.ticket_case(ticket["id"])
    assert case["case_no"] == "SX-2026-BDC-000123" and case["matter"] == "bdc-mmgh"
