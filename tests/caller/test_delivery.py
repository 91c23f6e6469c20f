"""统一出件 on the desktop pad: the Qt-free desk against the demo hall, and its dialog offscreen."""

from __future__ import annotations

from caller.delivery import DeliveryDesk
from caller.views import theme
from caller.views.delivery import DeliveryDialog
from drivers.printer import NoticeDoc
from tests.helpers import SCREENS, issue, login, window

CASES = "/api/v1/halls/demo/cases"


class RecordingPrinter:
    """Keeps what the desk sends to the receipt printer."""

    def __init__(self) -> None:
        self.printed: list[dict] = []

    def print_notice(self, notice: dict) -> None:
        self.printed.append(notice)


def decided_case(client) -> str:
    """A case of 不动产登记中心，accepted at S13 and finished by the department."""
    clerk = login(client, "clerk13")
    window(client, clerk, "S13", "sign-in")
    ticket = issue(client, queue="B", applicant_name="司马相如")
    window(client, clerk, "S13", "call-next")
    window(client, clerk, "S13", "outcome", outcome="accepted", matter="bdc-dy")
    case_no = client.get(f"/api/v1/halls/demo/tickets/{ticket['id']}/case", headers=clerk).json()[
        "case_no"
    ]
    dept = login(client, "dept-bdc")
    for step in ("sign", "approve"):
        r = client.post(f"{CASES}/{case_no}/steps", json={"step": step}, headers=dept)
        assert r.status_code == 200, r.text
    return case_no


def desk_for(hall_client, printer=None) -> DeliveryDesk:
    api = hall_client()
    api.login("clerk09", "demo1234")
    return DeliveryDesk(api, printer)


def test_the_desk_finds_prints_and_hands_out_a_case(client, hall_client, tmp_path):
    case_no = decided_case(client)
    printer = RecordingPrinter()
    desk = desk_for(hall_client, printer)
    assert not desk.find("NO-SUCH-0001") and desk.message.startswith("没有办件编号为")
    assert desk.find(case_no) and desk.ready
    assert ("申请人", "司马**") in desk.lines() and ("状态", "已办结") in desk.lines()
    assert desk.print_result()
    receipt = printer.printed[0]
    assert receipt["title"] == "办结通知书" and receipt["barcode"] == case_no
    from caller.devices import notice_doc

    assert notice_doc(receipt, NoticeDoc).barcode == case_no
    path = tmp_path / "result.pdf"
    assert desk.save_result_pdf(path) and path.read_bytes().startswith(b"%PDF")
    assert not desk.mail("  ") and desk.message == "请填写邮寄单号"
    assert desk.mail("EMS9988776655")
    assert desk.case["state"] == "delivered" and desk.case["tracking_no"] == "EMS9988776655"
    assert not desk.ready and not desk.collect()  # handed out once
    assert "不能" in desk.message


def test_a_case_not_yet_decided_is_found_but_not_handed_out(client, hall_client):
    clerk = login(client, "clerk13")
    window(client, clerk, "S13", "sign-in")
    ticket = issue(client, queue="B", applicant_name="王五")
    window(client, clerk, "S13", "call-next")
    window(client, clerk, "S13", "outcome", outcome="accepted", matter="bdc-dy")
    case = client.get(f"/api/v1/halls/demo/tickets/{ticket['id']}/case", headers=clerk).json()
    desk = desk_for(hall_client)
    assert not desk.find(case["case_no"]) and not desk.ready
    assert desk.message == f"办件 {case['case_no']} 当前为“已受理”，暂不能出件"


def test_the_delivery_dialog_shows_the_case_as_text(client, hall_client, qapp, qtbot):
    theme.install(qapp)
    case_no = decided_case(client)
    desk = desk_for(hall_client, RecordingPrinter())
    dialog = DeliveryDialog(desk, lambda name: None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.number.setText(case_no)
    dialog._find()
    qtbot.wait(30)
    assert (
        dialog.buttons["collect"].isEnabled() and dialog.message.text() == f"已找到办件 {case_no}"
    )
    dialog.tracking.setText("SF5566778899")
    dialog.buttons["mail"].click()
    qtbot.wait(30)
    assert dialog.message.text() == "已登记邮寄，单号 SF5566778899"
    assert not dialog.buttons["mail"].isEnabled()
    SCREENS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SCREENS / "caller-delivery.png"))
