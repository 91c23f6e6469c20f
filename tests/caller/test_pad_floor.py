"""The desktop pad as clerks used it on the hall floor (issue 12: 1, 3, 4, 5, 7), pytest-qt."""

from __future__ import annotations

from PyQt6.QtCore import Qt

from caller.config import StationConfig
from caller.views import theme
from caller.views.dialogs import AcceptDialog, NoticeDialog, RejectDialog, TransferDialog
from caller.wiring import PadApp
from server.services.clerk import REJECTION_REASONS
from tests.caller.test_views import AnsweringDialogs, press, settle
from tests.helpers import SCREENS, issue, login, window

MATTERS = (
    ("qy-bg", "企业变更登记", "市场监管局", True),
    ("qy-sl", "企业设立登记", "市场监管局", False),
    ("gt-sl", "个体工商户设立登记", "市场监管局", False),
)


def test_no_rejection_reason_is_preselected_and_all_show_without_scrolling(qtbot, qapp):
    theme.install(qapp)
    d = RejectDialog(REJECTION_REASONS, MATTERS, "A001 号（王*）")
    qtbot.addWidget(d)
    d.resize(640, 760)
    d.show()
    assert d.reasons.selectedItems() == [] and d.reason() == ""
    assert d.ok is not None and not d.ok.isEnabled()
    d.detail.setText("非本中心事项")
    assert d.ok.isEnabled()
    d.detail.setText("")
    assert not d.ok.isEnabled()
    d.reasons.item(2).setSelected(True)
    assert d.ok.isEnabled() and d.reason() == REJECTION_REASONS[2]
    last = d.reasons.visualItemRect(d.reasons.item(len(REJECTION_REASONS) - 1))
    assert last.bottom() <= d.reasons.viewport().height()  # every reason in sight
    assert not d.reasons.verticalScrollBar().isVisible()
    d.matter.search.setText("设立")
    assert d.matter.visible_codes() == ["qy-sl", "gt-sl"]
    d.matter.search.setText("qy-")
    assert d.matter.visible_codes() == ["qy-bg", "qy-sl"]
    d.matter.list.setCurrentRow(1)
    assert d.matter.value() == "qy-sl"
    d.grab().save(str(SCREENS / "caller-reject-dialog.png"))


def test_the_accept_dialog_offers_recent_matters_first_and_none_is_chosen_for_the_clerk(
    qtbot, qapp
):
    theme.install(qapp)
    d = AcceptDialog(MATTERS, "A002 号（李*）")
    qtbot.addWidget(d)
    assert d.matter.value() is None
    assert d.matter.list.item(0).text().endswith("最近")
    d.matter.search.setText("个体")
    assert d.matter.visible_codes() == ["gt-sl"]


def test_transfer_radios_are_touch_sized_and_a_closed_window_needs_the_wait_box(qtbot, qapp):
    theme.install(qapp)
    d = TransferDialog(
        [("B", "不动产登记")],
        [("S13", "S13 13号窗口 · 赵磊")],
        later=[("S14", "S14 14号窗口（未开启）")],
        fallback_minutes=10,
    )
    qtbot.addWidget(d)
    d.resize(640, 420)
    d.show()
    for radio in (d.to_queue, d.to_window, d.later):
        assert radio.height() >= 44, radio.text()
    assert [d.window.itemData(i) for i in range(d.window.count())] == ["S13"]
    assert d.hint.isHidden()
    d.later.setChecked(True)
    assert [d.window.itemData(i) for i in range(d.window.count())] == ["S14"]
    assert d.hint.isVisible() and "10 分钟" in d.hint.text()
    assert d.target() == (None, "S14", "", True)
    d.grab().save(str(SCREENS / "caller-transfer-dialog.png"))


def test_the_notice_dialog_names_its_ticket_and_asks_materials_only_for_a_one_time_notice(
    qtbot, qapp
):
    theme.install(qapp)
    d = NoticeDialog(
        [("accepted", "受理通知书"), ("missing", "一次性告知书")], ticket="A001 号（王*）"
    )
    qtbot.addWidget(d)
    d.show()
    assert d.ticket.text() == "为 A001 号（王*）出具"
    assert d.materials.isHidden()
    d.materials.setPlainText("身份证复印件")
    assert d.values()[1] == []  # a 受理通知书 carries no materials
    d.kind.setCurrentIndex(1)
    assert d.materials.isVisible() and d.values()[1] == ["身份证复印件"]
    d.resize(620, 520)
    d.grab().save(str(SCREENS / "caller-notice-dialog.png"))


def test_the_window_chooser_shows_free_taken_by_whom_and_mine(qtbot, qapp, client, hall_client):
    theme.install(qapp)
    window(client, login(client, "clerk02"), "S02", "sign-in")
    window(client, login(client, "clerk03"), "S03", "sign-in")
    cfg = StationConfig(server="http://testserver", hall="demo")
    app = PadApp(cfg, api=hall_client(), dialogs=AnsweringDialogs(), live=False)
    qtbot.addWidget(app.window)
    app.window.show()
    try:
        app.run(app.presenter.login, "clerk03", "demo1234").result(timeout=10)
        qtbot.waitUntil(lambda: app.window.windows.grid.count() == 26, timeout=5000)
        buttons = {}
        for i in range(app.window.windows.grid.count()):
            b = app.window.windows.grid.itemAt(i).widget()
            buttons[b.text().split("\n")[0].split()[0]] = b
        assert buttons["S02"].text().endswith("已由 王芳 签到") and not buttons["S02"].isEnabled()
        assert buttons["S03"].text().endswith("您当前的窗口") and buttons["S03"].isEnabled()
        assert buttons["S04"].text().endswith("空闲，可签到")
        app.window.grab().save(str(SCREENS / "caller-choose-window.png"))
    finally:
        app.close()


def test_a_rejection_and_an_acceptance_record_the_matter_the_clerk_picked(
    qtbot, client, hall_client, qapp
):
    theme.install(qapp)
    dialogs = AnsweringDialogs()
    cfg = StationConfig(server="http://testserver", hall="demo", window="S01", user="clerk01")
    desk = PadApp(cfg, api=hall_client(), dialogs=dialogs, live=False)
    desk.answers = dialogs
    qtbot.addWidget(desk.window)
    desk.window.show()
    try:
        first = issue(client, queue="A", applicant_name="钱多多")
        second = issue(client, queue="A", applicant_name="孙小美")
        settle(qtbot, desk, desk.run(desk.presenter.login, "clerk01", "demo1234"))
        press(qtbot, desk, Qt.Key.Key_F1)
        assert desk.presenter.view().needs_matter
        dialogs.matter = "qy-sl"
        press(qtbot, desk, Qt.Key.Key_F7)
        press(qtbot, desk, Qt.Key.Key_F1)
        dialogs.accepted_matter = "qy-bg"
        press(qtbot, desk, Qt.Key.Key_F5)
        # qy-bg belongs to a department: its 受理 opened a case the hall numbered
        said = desk.window.pad.message.text()
        assert said.startswith(f"{second['number']} 已登记受理，办件编号 DEMO")
        clerk = login(client)
        got = [
            client.get(f"/api/v1/tickets/{t['id']}", headers=clerk).json() for t in (first, second)
        ]
        assert [t["matter"] for t in got] == ["qy-sl", "qy-bg"]
        matters = desk.presenter.view().matters
        assert matters[0][0] == "qy-bg" and matters[0][3]  # the latest one first
    finally:
        desk.close()


def test_transfer_to_a_closed_window_waits_only_when_the_clerk_confirms(qtbot, client, make_pad):
    pad = make_pad()
    issue(client, queue="A")
    assert pad.call_next()
    view = pad.view()
    assert "A" not in [code for code, _ in view.transfer_queues]
    assert "S14" not in [code for code, _ in view.transfer_windows]
    assert "S14" in [code for code, _ in view.transfer_later]
    assert not pad.transfer(window="S14")
    assert "未开启" in pad.state.message
    assert pad.transfer(window="S14", wait_for_window=True)


def test_the_busy_desktop_pad_keeps_its_buttons_clear_of_the_ticket_card(
    qtbot, client, hall_client, qapp
):
    theme.install(qapp)
    cfg = StationConfig(server="http://testserver", hall="demo", window="S13", user="clerk13")
    desk = PadApp(cfg, api=hall_client(), dialogs=AnsweringDialogs(), live=False)
    qtbot.addWidget(desk.window)
    desk.window.show()
    try:
        issue(client, queue="B", applicant_name="欧阳娜娜")
        for _ in range(6):
            issue(client, queue="B")
        settle(qtbot, desk, desk.run(desk.presenter.login, "clerk13", "demo1234"))
        press(qtbot, desk, Qt.Key.Key_F1)
        ctx = desk.presenter.state.context
        ctx["current"].update(
            matter_name="不动产转移登记（存量房买卖、赠与、继承、遗赠及夫妻间更名）",
            transferred=True,
            transfer_note="需补交不动产权证书原件及婚姻关系证明，请优先办理",
            recalls=3,
            suggest_no_show=True,
            waited_seconds=118 * 60,
        )
        ctx["queues"] = [
            {"code": "B", "name": "不动产登记", "waiting": 188},
            {"code": "A", "name": "无差别综合受理", "waiting": 216},
        ]
        ctx["today"].update(calls=188, accepted=142, consulted=27, rejected=11, no_show=8)
        for size in ((1280, 800), (1024, 768)):
            desk.window.resize(*size)
            desk.window.render(desk.presenter.view())
            qtbot.wait(50)
            pad = desk.window.pad
            hint = pad.hint.mapTo(desk.window, pad.hint.rect().bottomLeft()).y()
            top = min(b.mapTo(desk.window, b.rect().topLeft()).y() for b in pad.buttons.values())
            assert hint <= top, size  # the ticket card's last line sits above the buttons
            assert pad.lines[0].text().startswith("不动产转移登记")
        desk.window.resize(1280, 800)
        qtbot.wait(50)
        desk.window.grab().save(str(SCREENS / "caller-serving-busy.png"))
    finally:
        desk.close()
