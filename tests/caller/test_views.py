"""The desktop pad's widgets, offscreen (pytest-qt), with screenshots in docs/screens/."""

from __future__ import annotations

from pathlib import Path

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QDialog, QPushButton

from caller.config import StationConfig
from caller.views import theme
from caller.views.dialogs import NoticeDialog, PauseDialog, RejectDialog, TransferDialog
from caller.wiring import PadApp
from tests.helpers import EVALUATOR, SCREENS, issue, login, valid_id, window


class AnsweringDialogs:
    """Answers the pad's questions as a clerk would, without opening windows."""

    def __init__(self) -> None:
        self.reason = "申请人不具备申请资格"
        self.matter: str | None = None
        self.accepted_matter = ""  # 受理 without naming a matter
        self.case_no = ""  # ... and without typing a 办件编号：the hall numbers the case
        self.target: tuple[str | None, str | None, str] = ("B", None, "需不动产专窗")
        self.pause = "午休"
        self.number = "A003"
        self.notice_answer: tuple[str, list[str], str, str] | None = None
        self.path: Path | None = None

    def reject_reason(self, view):
        return self.reason, self.matter

    def accept(self, view):
        return self.accepted_matter, self.case_no

    def transfer_target(self, view):
        return self.target

    def pause_reason(self, view):
        return self.pause

    def pick_number(self):
        return self.number

    def notice(self, view):
        return self.notice_answer

    def pdf_path(self, suggested):
        return self.path


@pytest.fixture
def desk(qapp, qtbot, hall_client):
    """The desktop pad for S01 on the in-process demo hall (no live socket)."""
    theme.install(qapp)
    dialogs = AnsweringDialogs()
    cfg = StationConfig(server="http://testserver", hall="demo", window="S01", user="clerk01")
    app = PadApp(cfg, api=hall_client(), dialogs=dialogs, live=False)
    app.answers = dialogs
    qtbot.addWidget(app.window)
    app.window.show()
    yield app
    app.close()


def settle(qtbot, desk, future) -> None:
    """Wait for an intent to finish and its frame to be on screen."""
    assert future is not None
    future.result(timeout=10)
    qtbot.waitUntil(lambda: not desk.presenter.state.busy, timeout=5000)
    qtbot.wait(30)  # let the queued render run


def shot(desk, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"caller-{name}.png"
    assert desk.window.grab().save(str(path))
    return path


def press(qtbot, desk, key) -> None:
    qtbot.keyClick(desk.window.pad, key)
    qtbot.waitUntil(lambda: not desk.presenter.state.busy, timeout=5000)
    qtbot.wait(30)


def test_sign_in_page_shows_the_window_and_refuses_a_wrong_password(qtbot, desk):
    page = desk.window.login
    assert desk.window.stack.currentWidget() is page
    assert page.username.text() == "clerk01" and "S01" in page.where.text()
    page.password.setText("wrong")
    page.submit.click()
    qtbot.waitUntil(lambda: page.message.text() == "用户名或密码错误", timeout=5000)
    shot(desk, "login")


def test_signed_in_pad_calls_with_f1_and_records_the_outcome_with_f5(qtbot, client, desk):
    issue(client, queue="A", applicant_name="张三丰", id_number=valid_id())
    issue(client, queue="A", priority="green", applicant_name="欧阳娜娜")
    issue(client, queue="A", applicant_name="李四")
    settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
    pad = desk.window.pad
    assert desk.window.stack.currentWidget() is pad
    assert pad.title.text() == "S01 1号窗口" and pad.status.text() == "服务中"
    shot(desk, "idle")
    press(qtbot, desk, Qt.Key.Key_F1)
    assert pad.number.text() == "A002"  # the green-channel ticket goes first
    assert "绿色通道" in pad.lines[1].text()
    assert not pad.buttons["call_next"].isEnabled() and pad.buttons["accepted"].isEnabled()
    shot(desk, "serving")
    press(qtbot, desk, Qt.Key.Key_F5)
    assert pad.number.text() == "—"
    assert pad.message.text() == "A002 已登记受理"
    assert "好差评：等待评价" in pad.evaluation.text()
    assert "受理 1" in pad.today_text()


def test_recalls_show_the_no_show_suggestion(qtbot, client, desk):
    issue(client, queue="A", applicant_name="王五")
    settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
    press(qtbot, desk, Qt.Key.Key_F1)
    for _ in range(3):
        press(qtbot, desk, Qt.Key.Key_F2)
    assert "建议登记过号" in desk.window.pad.hint.text()
    shot(desk, "recall-suggests-no-show")
    press(qtbot, desk, Qt.Key.Key_F8)
    assert "过号 1" in desk.window.pad.today_text()


def test_rejection_transfer_pause_and_pick_go_through_their_dialogs(qtbot, client, desk):
    ticket = issue(client, queue="A")
    for _ in range(3):
        issue(client, queue="A")
    settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
    pad = desk.window.pad
    press(qtbot, desk, Qt.Key.Key_F1)
    press(qtbot, desk, Qt.Key.Key_F7)
    assert pad.message.text() == "A001 已登记不予受理"
    client.post(f"/api/v1/tickets/{ticket['id']}/evaluation", json={"level": 4}, headers=EVALUATOR)
    settle(qtbot, desk, desk.run(desk.presenter.refresh))
    assert pad.evaluation.text() == "A001 已评价：满意"
    press(qtbot, desk, Qt.Key.Key_F3)  # 选号 A003
    assert pad.number.text() == "A003"
    press(qtbot, desk, Qt.Key.Key_F4)  # 转移 to B
    assert pad.message.text() == "A003 已转移至「不动产登记」"
    press(qtbot, desk, Qt.Key.Key_F9)
    assert pad.status.text() == "暂停服务：午休" and pad.buttons["pause"].text() == "恢复服务  F9"
    assert not pad.buttons["call_next"].isEnabled()
    shot(desk, "paused")
    press(qtbot, desk, Qt.Key.Key_F9)
    assert pad.status.text() == "服务中"


def test_a_ticket_transferred_in_shows_the_senders_note(qtbot, client, desk):
    sender = login(client, "clerk02")
    window(client, sender, "S02", "sign-in")
    issue(client, queue="A", applicant_name="欧阳明月")
    window(client, sender, "S02", "call-next")
    note = "已核验身份，需补录营业执照信息"
    sent = window(client, sender, "S02", "transfer", window="S01", note=note, wait_for_window=True)
    assert sent.status_code == 200  # S01 opens in a moment: the clerk confirmed the wait
    settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
    press(qtbot, desk, Qt.Key.Key_F1)
    pad = desk.window.pad
    assert pad.number.text() == "A001" and "转入" in pad.lines[1].text()
    assert pad.note.isVisible() and pad.note.text() == f"转入备注：{note}"
    shot(desk, "transferred-in")
    press(qtbot, desk, Qt.Key.Key_F5)
    assert not pad.note.isVisible()


def test_a_network_drop_is_shown_and_the_resync_is_said(qtbot, client, desk):
    settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
    desk.worker.submit(desk.presenter.on_status, "disconnected").result()
    qtbot.waitUntil(lambda: desk.window.pad.connection.isVisible(), timeout=5000)
    assert desk.window.pad.connection.text() == "网络中断，正在重新连接…"
    shot(desk, "offline")
    issue(client, queue="A")
    desk.worker.submit(desk.presenter.on_status, "resynced").result()
    qtbot.waitUntil(lambda: "已重新连接" in desk.window.pad.connection.text(), timeout=5000)
    qtbot.waitUntil(lambda: "等候 1 人" in desk.window.pad.queues.text(), timeout=5000)
    shot(desk, "resynced")


def s01(client) -> dict:
    """Window S01 as every screen sees it."""
    hall = client.get("/api/v1/halls/demo", headers=login(client, "supervisor")).json()
    return next(w for w in hall["windows"] if w["code"] == "S01")


def test_closing_the_pad_signs_the_clerk_out_and_closes_the_window(qtbot, client, desk):
    settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
    assert s01(client)["status"] == "open" and s01(client)["signed_in"]
    desk.close()
    assert s01(client)["status"] == "closed" and not s01(client)["signed_in"]
    assert desk.presenter.state.phase == "login"


def test_closing_the_pad_with_a_ticket_called_pauses_the_window_as_sign_out_does(
    qtbot, client, desk
):
    issue(client, queue="A")
    settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
    press(qtbot, desk, Qt.Key.Key_F1)
    desk.close()
    window_now = s01(client)
    assert window_now["status"] == "paused" and window_now["paused_reason"] == "签退待处理"
    assert window_now["current_number"] == "A001"  # its outcome is still to be recorded


def test_a_pdf_notice_is_saved_where_the_clerk_says(qtbot, client, desk, tmp_path):
    issue(client, queue="A", applicant_name="赵六")
    settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
    press(qtbot, desk, Qt.Key.Key_F1)
    press(qtbot, desk, Qt.Key.Key_F5)
    desk.answers.notice_answer = ("accepted", [], "", "pdf")
    desk.answers.path = tmp_path / "A001-accepted.pdf"
    press(qtbot, desk, Qt.Key.Key_F10)
    assert desk.answers.path.read_bytes().startswith(b"%PDF")
    assert desk.window.pad.message.text() == "已生成 PDF: A001-accepted.pdf"


def test_the_window_chooser_lists_windows_when_none_is_configured(qtbot, qapp, hall_client):
    theme.install(qapp)
    cfg = StationConfig(server="http://testserver", hall="demo")
    app = PadApp(cfg, api=hall_client(), dialogs=AnsweringDialogs(), live=False)
    qtbot.addWidget(app.window)
    app.window.show()
    try:
        app.run(app.presenter.login, "clerk02", "demo1234").result(timeout=10)
        qtbot.waitUntil(lambda: app.window.windows.grid.count() == 26, timeout=5000)
        assert app.window.stack.currentWidget() is app.window.windows
    finally:
        app.close()


def test_dialogs_return_what_the_clerk_chose(qtbot, qapp):
    theme.install(qapp)
    reject = RejectDialog(["材料不全", "不属于受理范围"])
    qtbot.addWidget(reject)
    reject.reasons.setCurrentRow(1)
    reject.detail.setText("请到区级大厅办理")
    assert reject.reason() == "不属于受理范围；请到区级大厅办理"
    # the screenshots of the dialogs are taken in tests/caller/test_pad_floor.py
    transfer = TransferDialog(
        [("A", "无差别综合受理"), ("B", "不动产登记")], [("S13", "S13 13号窗口")]
    )
    qtbot.addWidget(transfer)
    transfer.to_window.setChecked(True)
    transfer.note.setText("补充材料后办理")
    assert transfer.target() == (None, "S13", "补充材料后办理", False)
    pause = PauseDialog(["午休", "临时离开", "业务咨询"])
    qtbot.addWidget(pause)
    [leave] = [b for b in pause.findChildren(QPushButton) if b.text() == "临时离开"]
    leave.click()
    assert pause.chosen == "临时离开" and pause.result() == QDialog.DialogCode.Accepted
    notice = NoticeDialog([("rejected", "不予受理凭证"), ("missing", "一次性告知书")])
    qtbot.addWidget(notice)
    notice.kind.setCurrentIndex(1)
    notice.materials.setPlainText("身份证复印件\n\n不动产权证书原件 ")
    assert notice.values() == ("missing", ["身份证复印件", "不动产权证书原件"], "", "pdf")
