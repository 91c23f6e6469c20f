"""Issue 18 at the desktop pad: the 办件编号 at 受理 and the 交接确认单 on the receipt printer."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QDialog

from caller.config import StationConfig
from caller.devices import DriverNoticePrinter
from caller.views import theme
from caller.views.dialogs import AcceptDialog, NoticeDialog
from caller.wiring import PadApp
from drivers.printer.decode import decode
from drivers.sim import get_simulator, reset_simulators
from server.client import HallClient
from tests.caller.test_offline_taps import Flaky
from tests.caller.test_views import AnsweringDialogs, press, settle, shot
from tests.helpers import SCREENS, issue, login

CODE128 = b"\x1dkI"  # GS k 73: the printer draws the 办件编号 as a native CODE128 symbol
LONG_NO = "SX3714-20261206-QYSL-000000000123456789"  # 39 characters, a provincial number
CASE_NO = "SX3714-20261206-QYSL-00012345"  # 29: the longest the receipt draws as CODE128


class BytePrinter:
    """The window's receipt printer: keeps every job the pad sends it."""

    profile = "xprinter-xp80c"

    def __init__(self, fail: Exception | None = None) -> None:
        self.jobs: list[bytes] = []
        self.notices: list[dict] = []
        self.fail = fail

    def print_notice(self, notice: dict) -> None:
        self.notices.append(notice)

    def print_bytes(self, data: bytes) -> None:
        if self.fail is not None:
            raise self.fail
        self.jobs.append(data)


def served_case(client, pad, case_no: str | None = None, matter: str = "qy-sl") -> dict:
    """Call a ticket at S01 and 受理 it with a matter (and a typed 办件编号)."""
    ticket = issue(client, queue="A", applicant_name="欧阳明月")
    assert pad.call_next()
    assert pad.outcome("accepted", matter=matter, case_no=case_no), pad.state.message
    return ticket


def case_of(client, ticket: dict) -> dict:
    r = client.get(f"/api/v1/halls/demo/tickets/{ticket['id']}/case", headers=login(client))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_typed_case_number_opens_the_case_and_the_pad_names_it(client, make_pad):
    pad = make_pad()
    ticket = served_case(client, pad, f"  {LONG_NO} ")  # a scanner may add blanks
    assert case_of(client, ticket)["case_no"] == LONG_NO
    view = pad.view()
    assert view.message == f"{ticket['number']} 已登记受理，办件编号 {LONG_NO}"
    assert view.case_line == f"上一位 {ticket['number']} 办件编号 {LONG_NO}"
    assert view.ticket_lines[-1] == view.case_line  # under 当前无办理中的号码
    assert view.enabled["handover"]
    assert ("handover", "申请材料交接确认单") in view.notice_kinds
    assert pad.case_no() == LONG_NO


def test_left_empty_the_hall_numbers_the_case(client, make_pad):
    pad = make_pad()
    ticket = served_case(client, pad, "   ")
    own = case_of(client, ticket)["case_no"]
    assert own.startswith("DEMO") and pad.case_no() == own
    assert pad.view().message.endswith(f"办件编号 {own}")


def test_a_refused_case_number_shows_the_servers_words_and_keeps_the_citizen(client, make_pad):
    pad = make_pad()
    served_case(client, pad, "YC-0001")
    second = issue(client, queue="A")
    assert pad.call_next()
    assert not pad.outcome("accepted", matter="qy-sl", case_no="YC-0001")
    assert pad.view().message == "办件编号 YC-0001 已被使用"
    assert pad.view().number == second["number"]  # nothing recorded: still seated
    assert not pad.outcome("accepted", matter="qy-sl", case_no="办件#1")
    assert pad.view().message == "办件编号应为 4 至 40 位字母、数字、下划线或连字符"
    assert pad.view().level == "error" and pad.view().number == second["number"]
    assert pad.view().case_line == ""  # a ticket is seated: no case to print for
    assert pad.outcome("accepted", matter="qy-sl", case_no="YC-0002")
    assert pad.case_no() == "YC-0002"


def test_a_case_number_is_sent_only_with_an_acceptance(client, make_pad):
    pad = make_pad()
    issue(client, queue="A")
    assert pad.call_next()
    assert pad.outcome("consulted", case_no="YC-0003")
    assert pad.case_no() is None and pad.view().case_line == ""
    r = client.get("/api/v1/halls/demo/cases/YC-0003", headers=login(client))
    assert r.status_code == 404


def test_the_handover_prints_the_servers_escpos_with_the_barcode(client, make_pad):
    printer = BytePrinter()
    pad = make_pad(printer=printer)
    served_case(client, pad, CASE_NO)
    assert pad.print_handover(["营业执照正本", "法定代表人身份证明"])
    assert pad.view().message == f"申请材料交接确认单 {CASE_NO} 已送打印机"
    (job,) = printer.jobs
    assert CODE128 in job
    barcode = job[job.index(CODE128) :]
    assert CASE_NO.encode() in barcode[: len(CASE_NO) + 8]  # the symbol's data is the number
    assert "申请材料交接确认单".encode("gb18030") in job
    assert "营业执照正本".encode("gb18030") in job
    # the same through the 通知书 dialog's 小票打印
    assert pad.print_notice("handover", ["营业执照副本"])
    assert "营业执照副本".encode("gb18030") in printer.jobs[1]
    assert printer.notices == []  # the server rendered it: no JSON laid out here


def test_the_handover_reaches_the_simulated_receipt_printer_through_the_driver(client, make_pad):
    reset_simulators()
    url = "sim://xprinter-xp80c?name=cdesk-handover"
    pad = make_pad(printer=DriverNoticePrinter("xprinter-xp80c", url))
    served_case(client, pad, CASE_NO)
    assert pad.print_handover(["营业执照正本"])
    sim = get_simulator(url)
    paper = sim.text.replace("\n", "")
    assert "申请材料交接确认单" in paper and "营业执照正本" in paper and CASE_NO in paper
    reset_simulators()


def test_a_number_too_long_for_the_receipts_barcode_is_said(client, make_pad):
    printer = BytePrinter()
    pad = make_pad(printer=printer)
    served_case(client, pad, LONG_NO)
    assert not pad.print_handover()
    said = "办件编号过长，小票上无条码，需条码请生成 PDF 打印"
    assert pad.view().message == f"申请材料交接确认单 {LONG_NO} 已送打印机；{said}"
    (job,) = printer.jobs
    assert CODE128 not in job
    assert LONG_NO in "".join(decode(job).split())  # printed as text only (wrapped)


def test_the_handover_as_pdf_and_without_a_printer_or_a_case(client, make_pad, tmp_path):
    pad = make_pad()
    issue(client, queue="A")
    assert pad.call_next()
    assert pad.outcome("accepted")  # queue A, no matter named: no case
    assert not pad.print_handover()
    assert pad.view().message == "本窗口未配置小票打印机，请生成 PDF 打印"
    assert not pad.save_notice_pdf("handover", tmp_path / "x.pdf")
    assert pad.view().message == "上一位受理未生成办件，没有交接确认单可出具"
    served_case(client, pad, "YC-PDF-1")
    path = tmp_path / "handover.pdf"
    assert pad.save_notice_pdf("handover", path, ["营业执照正本"])
    assert path.read_bytes().startswith(b"%PDF")


def test_a_printer_fault_is_said_and_the_pad_goes_on(client, make_pad):
    pad = make_pad(printer=BytePrinter(fail=OSError("缺纸")))
    served_case(client, pad, "YC-0004")
    assert not pad.print_handover()
    assert pad.view().message == "小票打印失败：缺纸" and pad.view().level == "error"
    assert pad.view().case_line.endswith("YC-0004")


def test_an_acceptance_with_a_case_number_tapped_offline_is_kept_and_sent_once(qapp, qtbot, client):
    theme.install(qapp)
    net = Flaky(client._transport)
    api = HallClient("http://testserver", "demo", transport=net)
    dialogs = AnsweringDialogs()
    cfg = StationConfig(server="http://testserver", hall="demo", window="S01", user="clerk01")
    desk = PadApp(cfg, api=api, dialogs=dialogs, live=False)
    qtbot.addWidget(desk.window)
    desk.window.show()
    try:
        settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
        ticket = issue(client, queue="A")
        settle(qtbot, desk, desk.run(desk.presenter.call_next))
        net.lose = True  # carried out, the reply lost: the replay must not open a second case
        dialogs.accepted_matter, dialogs.case_no = "qy-sl", "YC-OFF-1"
        press(qtbot, desk, Qt.Key.Key_F5)
        assert "待同步：受理" in desk.window.pad.message.text()
        net.lose = False
        desk.worker.submit(desk.presenter.on_status, "resynced").result(timeout=10)
        qtbot.waitUntil(lambda: desk.window.pad.message.text().startswith("已同步"), timeout=5000)
        assert case_of(client, ticket)["case_no"] == "YC-OFF-1"
        settle(qtbot, desk, desk.run(desk.presenter.refresh))
        assert desk.window.pad.lines[2].text().endswith("办件编号 YC-OFF-1")
    finally:
        desk.close()
        api.close()


def test_the_accept_dialog_takes_a_scanned_number_and_enter_submits(qtbot, qapp):
    theme.install(qapp)
    matters = (("qy-sl", "企业设立登记", "市场监管局", True),)
    d = AcceptDialog(matters, "A001 号（欧阳*）", ask_matter=False)
    qtbot.addWidget(d)
    d.resize(640, 300)
    d.show()
    assert d.matter.isHidden() and d.windowTitle() == "受理 · 办件编号"
    assert d.focusWidget() is d.case_no  # the scanner's keystrokes land in the field
    qtbot.keyClicks(d.case_no, LONG_NO)
    d.grab().save(str(SCREENS / "caller-accept-case-dialog.png"))
    qtbot.keyClick(d.case_no, Qt.Key.Key_Return)  # the scanner's Enter
    assert d.result() == QDialog.DialogCode.Accepted
    assert d.values() == ("", LONG_NO)
    picking = AcceptDialog(matters, "A002 号", ask_matter=True)
    qtbot.addWidget(picking)
    picking.show()
    qtbot.keyClicks(picking.matter.search, "YC-0009")  # a scan into the search box ...
    qtbot.keyClick(picking.matter.search, Qt.Key.Key_Return)
    assert picking.isVisible()  # ... records nothing
    picking.matter.search.clear()
    qtbot.keyClicks(picking.case_no, " YC-0009 ")
    qtbot.keyClick(picking.case_no, Qt.Key.Key_Return)
    assert picking.isVisible() and picking.focusWidget() is picking.matter.search
    picking.matter.list.setCurrentRow(0)
    qtbot.keyClick(picking.case_no, Qt.Key.Key_Return)
    assert picking.result() == QDialog.DialogCode.Accepted
    assert picking.values() == ("qy-sl", "YC-0009")
    assert picking.case_no.maxLength() == 40


def test_the_notice_dialog_lists_the_materials_handed_over(qtbot, qapp):
    theme.install(qapp)
    kinds = [("accepted", "受理通知书"), ("handover", "申请材料交接确认单")]
    d = NoticeDialog(kinds, ticket="A001 号（欧阳*）")
    qtbot.addWidget(d)
    assert d.materials.isHidden()
    d.kind.setCurrentIndex(1)
    assert not d.materials.isHidden()
    assert d.materials.placeholderText().startswith("交接确认单")
    d.materials.setPlainText("营业执照正本\n\n 章程 ")
    assert d.values()[:2] == ("handover", ["营业执照正本", "章程"])


def test_the_pad_shows_the_case_and_prints_its_handover_from_the_button(qtbot, qapp, client):
    theme.install(qapp)
    printer = BytePrinter()
    dialogs = AnsweringDialogs()
    cfg = StationConfig(server="http://testserver", hall="demo", window="S01", user="clerk01")
    api = HallClient("http://testserver", "demo", transport=client._transport)
    desk = PadApp(cfg, api=api, dialogs=dialogs, printer=printer, live=False)
    qtbot.addWidget(desk.window)
    desk.window.show()
    pad = desk.window.pad
    try:
        settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
        assert pad.lines[2].text() == "" and not pad.buttons["handover"].isEnabled()
        issue(client, queue="A", applicant_name="欧阳明月")
        press(qtbot, desk, Qt.Key.Key_F1)
        dialogs.accepted_matter, dialogs.case_no = "qy-sl", CASE_NO
        press(qtbot, desk, Qt.Key.Key_F5)
        assert pad.message.text() == f"A001 已登记受理，办件编号 {CASE_NO}"
        assert pad.lines[2].text() == f"上一位 A001 办件编号 {CASE_NO}"
        assert pad.buttons["handover"].isEnabled()
        assert shot(desk, "case-opened")
        assert desk.window.size().height() == 800  # the pad still fits its 1280×800 screen
        press(qtbot, desk, Qt.Key.Key_F11)
        qtbot.waitUntil(lambda: bool(printer.jobs), timeout=5000)
        assert pad.message.text() == f"申请材料交接确认单 {CASE_NO} 已送打印机"
        assert CODE128 in printer.jobs[0] and CASE_NO.encode() in printer.jobs[0]
    finally:
        desk.close()
        api.close()
