"""The department page (/dept) on a phone: sign for a case and finish it; then 出件 and the PDFs."""

from __future__ import annotations

import io

import pypdf
import pytest

from server.client import HallClient
from tests.helpers import SCREENS, valid_id

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
CITIZEN = valid_id(seq="777")


@pytest.fixture
def context(browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    yield context
    context.close()


def accept(url: str) -> tuple[HallClient, str]:
    """受理 of 二手房买卖转移登记 at S13; returns the clerk's client and the case number."""
    with HallClient(url, "demo", "demo-kiosk") as kiosk:
        ticket = kiosk.issue(queue="B", applicant_name="欧阳娜娜", id_number=CITIZEN)
    pad = HallClient(url, "demo")
    pad.login("clerk13", "demo1234")
    pad.sign_in("S13")
    pad.window("S13", "call", ticket=ticket["id"])
    pad.window("S13", "outcome", outcome="accepted", matter="bdc-mmgh")
    case = pad.request("GET", f"/api/v1/halls/demo/tickets/{ticket['id']}/case")
    pad.request(
        "POST", f"/api/v1/halls/demo/cases/{case['case_no']}/steps", json={"step": "hand_over"}
    )
    return pad, case["case_no"]


def pdf_text(data: bytes) -> str:
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_department_staff_sign_for_and_finish_a_case_on_a_phone(
    demo_server, context, tmp_path, request
):
    from playwright.sync_api import expect

    pad, case_no = accept(demo_server.url)
    request.addfinalizer(pad.close)  # a failure below must not leave its socket to the next test
    handover_sheet(context, demo_server.url, case_no, tmp_path)
    page = context.new_page()
    page.goto(f"{demo_server.url}/dept?hall=demo")
    page.fill("#username", "dept-bdc")
    page.fill("#password", "demo1234")
    page.click("#login-btn")
    expect(page.locator("#who")).to_have_text("不动产登记中心收件岗")
    page.fill("#case-no", case_no)
    page.click("#find-btn")
    expect(page.locator("#case-state")).to_have_text("已转递")
    expect(page.locator("#act-approve")).to_be_hidden()  # 办结 only after 签收
    page.click("#act-sign")
    expect(page.locator("#case-state")).to_have_text("已签收")
    page.click("#act-correct")
    page.fill("#opinion", "请补充完税证明原件")
    page.click("#opinion-ok")
    expect(page.locator("#case-state")).to_have_text("待补正")
    page.click("#act-resubmit")
    expect(page.locator("#case-state")).to_have_text("已签收")
    page.click("#act-approve")
    expect(page.locator("#case-state")).to_have_text("已办结")
    expect(page.locator("#steps li")).to_have_count(5)
    expect(page.locator("#msg")).to_contain_text("已记录")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "dept-phone.png"), full_page=True)
    # Another department's case number is refused on the page, in Chinese.
    page.fill("#case-no", "NO-SUCH-CASE")
    page.click("#find-btn")
    expect(page.locator("#msg")).to_contain_text("没有办件编号为")

    # The citizen comes back for the result: a 统一出件 ticket (queue C) with the same ID.
    with HallClient(demo_server.url, "demo", "demo-kiosk") as kiosk:
        back = kiosk.issue(queue="C", applicant_name="欧阳娜娜", id_number=CITIZEN)
    desk = browser_desk(context, demo_server.url)
    desk.click("#btn-call-next")
    expect(desk.locator("#cur-number")).to_have_text(back["number"])
    desk.click("#btn-delivery")
    desk.click("#delivery-current")  # found from the ticket, no scan needed
    expect(desk.locator("#delivery-case")).to_have_value(case_no)
    expect(desk.locator("#delivery-info")).to_contain_text("已办结")
    desk.fill("#delivery-case", case_no)
    desk.press("#delivery-case", "Enter")  # a barcode scanner types the number and Enter
    expect(desk.locator("#delivery-info")).to_contain_text("已办结")
    expect(desk.locator("#delivery-info")).to_contain_text("二手房买卖转移登记")
    desk.fill("#delivery-tracking", "SF1029384756")
    desk.click("#delivery-mail")
    expect(desk.locator("#delivery-msg")).to_have_text("已登记邮寄，单号 SF1029384756")
    expect(desk.locator("#delivery-collect")).to_be_disabled()
    SCREENS.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=str(SCREENS / "pad-delivery.png"))

    # The 办结通知书，field by field (JSON) and in its PDF.
    with HallClient(demo_server.url, "demo") as clerk:
        clerk.login("clerk09", "demo1234")
        base = f"/api/v1/halls/demo/cases/{case_no}"
        result = clerk.request("GET", f"{base}/documents/result")
        fields = {f["label"]: f["value"] for f in result["fields"]}
        assert fields["办件编号"] == case_no and fields["办理事项"] == "二手房买卖转移登记"
        assert fields["承办部门"] == "不动产登记中心" and fields["申请人"] == "欧阳娜娜"
        text = pdf_text(clerk.request("GET", f"{base}/documents/result", params={"format": "pdf"}))
        for value in ("办结通知书", case_no, "二手房买卖转移登记", "不动产登记中心", "准予许可"):
            assert value in text, value
        stored = clerk.request("GET", base)
        assert stored["state"] == "delivered" and stored["tracking_no"] == "SF1029384756"
    desk.context.close()


def browser_desk(context, url: str):
    """The 出件 window's web pad at tablet size, clerk09 signed in at S09."""
    page = context.browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{url}/pad?hall=demo&window=S09")
    page.fill("#username", "clerk09")
    page.fill("#password", "demo1234")
    page.click("#login-btn")
    page.locator("#pad-page").wait_for(state="visible")
    return page


def handover_sheet(context, url: str, case_no: str, tmp_path) -> None:
    """The 受理 clerk prints the 申请材料交接确认单 from the pad's 通知书 dialog."""
    from playwright.sync_api import expect

    page = context.browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{url}/pad?hall=demo&window=S13")
    page.fill("#username", "clerk13")
    page.fill("#password", "demo1234")
    page.click("#login-btn")
    page.locator("#pad-page").wait_for(state="visible")
    expect(page.locator("#btn-notice")).to_be_enabled()  # the context has the last service
    page.click("#btn-notice")
    expect(page.locator("#notice-kind option")).to_have_count(3)
    offered = page.locator("#notice-kind option").evaluate_all("os => os.map(o => o.value)")
    assert offered == ["accepted", "handover", "missing"]
    page.select_option("#notice-kind", "handover")
    expect(page.locator("#notice-materials")).to_be_visible()
    page.fill("#notice-materials", "不动产权证书原件\n买卖合同")
    with page.expect_download() as download:
        page.click("#notice-pdf")
    path = tmp_path / "handover.pdf"
    download.value.save_as(path)
    text = pdf_text(path.read_bytes())
    for value in ("申请材料交接确认单", case_no, "不动产权证书原件", "买卖合同", "承诺件"):
        assert value in text, value
    page.context.close()
