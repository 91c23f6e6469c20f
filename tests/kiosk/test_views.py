"""Every kiosk screen offscreen (pytest-qt): what it shows, what a tap does, a screenshot each.

The screenshots land in docs/screens/kiosk-*.png for people to look at.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication, QLabel, QPushButton

from kiosk.state import Field, Screen
from tests.helpers import issue, valid_id
from tests.kiosk.conftest import shoot, walk

OLD = valid_id("19500101")


def texts(window) -> str:
    """Every visible label and button text of the window."""
    QApplication.processEvents()  # buttons added to a shown page appear on the next loop turn
    found = []
    for widget in window.findChildren(QLabel) + window.findChildren(QPushButton):
        if widget.isVisibleTo(window) and widget.text():
            found.append(widget.text())
    return "\n".join(found)


def tap(qtbot, window, label: str) -> None:
    """Tap the visible button with this text."""
    QApplication.processEvents()
    for b in window.findChildren(QPushButton):
        if b.isVisibleTo(window) and b.text() == label:
            qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
            return
    raise AssertionError(f"no button {label!r} in {texts(window)!r}")


def test_home_shows_queues_with_counts_and_the_entry_buttons(kiosk, window, qtbot):
    kiosk.p.on_live({"seq": 5, "queue_counts": {**kiosk.s.counts, "A": 12, "B": 3}})
    kiosk.p.tick()
    shown = texts(window)
    for expected in (
        "智能导办",
        "【过号取号】",
        "【预约签到】",
        "【绿色通道】",
        "综合窗口区",
        "不动产专区",
    ):
        assert expected in shown
    assert "等候 12 人" in shown and "等候 3 人" in shown
    assert "2026-11-24 星期二 09:00:00" in shown
    shoot(window, "home")
    page = window.pages[Screen.HOME]
    qtbot.mouseClick(page._queue_buttons["B"], Qt.MouseButton.LeftButton)
    assert kiosk.s.screen is Screen.IDENTIFY and kiosk.s.selection.queue == "B"


def test_guide_steps_are_big_buttons_with_a_breadcrumb(kiosk, window, qtbot):
    tap(qtbot, window, "智能导办")
    assert "不动产" in texts(window)
    shoot(window, "guide-1")
    tap(qtbot, window, "不动产")
    tap(qtbot, window, "买卖过户")
    shown = texts(window)
    assert "您买卖的是？" in shown and "智能导办 › 不动产 › 买卖过户" in shown
    assert "新建商品房" in shown and "继承" not in shown  # the previous step's buttons are gone
    shoot(window, "guide-2")
    tap(qtbot, window, "二手房")
    assert kiosk.s.screen is Screen.IDENTIFY


def test_online_advice_leaf_offers_to_print_where_to_go(kiosk, window, qtbot):
    walk(kiosk, "社保医保", "医疗保障", "异地就医备案")
    shown = texts(window)
    assert "可全程网办，无需取号" in shown and "国家医保服务平台" in shown
    shoot(window, "guide-online")
    tap(qtbot, window, "打印办理指引")
    assert kiosk.printer.advice and "办理指引已打印，请取走" in texts(window)


def test_id_keypad_types_and_checks_the_number_as_it_goes(kiosk, window, qtbot):
    walk(kiosk, "不动产", "买卖过户", "二手房")
    for key in "11010519500101":
        tap(qtbot, window, key)
    shown = texts(window)
    assert "110105 19500101" in shown and "已输入 14/18 位" in shown
    assert "已选业务：二手房买卖转移登记" in shown and "S13、S14、S15" in shown
    shoot(window, "identify-keypad")
    for key in "1234":
        tap(qtbot, window, key)
    assert "号码有效" in texts(window)
    tap(qtbot, window, "⌫")
    tap(qtbot, window, "X")
    assert "身份证号码校验位不正确，请核对后重新输入" in texts(window)


def test_a_card_read_shows_the_masked_id_and_name(kiosk, window):
    kiosk.p.choose_queue("B")
    kiosk.p.card_read("张三丰", OLD)
    shown = texts(window)
    assert "110105****1234" in shown and "姓名：张**" in shown
    assert OLD not in shown and "张三丰" not in shown


def test_the_ticket_is_shown_big_with_windows_and_people_ahead(kiosk, window, qtbot):
    walk(kiosk, "不动产", "买卖过户", "二手房")
    kiosk.p.card_read("张三丰", OLD)
    tap(qtbot, window, "取号")
    shown = texts(window)
    assert "B001" in shown and "办理窗口：S13、S14、S15" in shown
    assert "前面还有 0 人等候" in shown and "请取走小票，留意叫号" in shown
    assert window.pages[Screen.TICKET].number.text() == "B001"
    shoot(window, "ticket")
    tap(qtbot, window, "完成")
    assert kiosk.s.screen is Screen.HOME


def test_the_ticket_page_of_a_busy_morning_fits_three_digit_counts(kiosk, window, qtbot):
    for _ in range(128):  # the line before this citizen, as on a Monday morning
        issue(kiosk.client, queue="B")
    walk(kiosk, "不动产", "买卖过户", "二手房")
    kiosk.p.card_read("欧阳司马长风", valid_id("19900101"))  # no 长辈优先: last in line
    tap(qtbot, window, "取号")
    shown = texts(window)
    assert "B129" in shown and "前面还有 128 人等候" in shown and "欧阳****" in shown
    assert "预计等候约 8 小时 32 分钟" in shown  # not "512 分钟": people count hours
    shoot(window, "ticket-busy")


def test_the_ticket_page_says_when_sms_alerts_are_on(kiosk, window, qtbot):
    walk(kiosk, "不动产", "买卖过户", "二手房")
    kiosk.p.card_read("张三丰", OLD)
    kiosk.p.focus(Field.PHONE)
    kiosk.type("13812345678")
    tap(qtbot, window, "取号")
    shown = texts(window)
    assert "已开启短信提醒" in shown and "13812345678" not in shown


def test_requeue_form_takes_a_number_and_an_id(kiosk, window, qtbot):
    tap(qtbot, window, "【过号取号】")
    for key in "B001":
        tap(qtbot, window, key)
    kiosk.p.focus(Field.ID)
    kiosk.type(OLD[:12])
    shown = texts(window)
    assert "过号取号" in shown and "B001" in shown and "重新排队" in shown
    shoot(window, "requeue")


def test_the_barcode_scanner_types_into_the_window(kiosk, window, qtbot):
    tap(qtbot, window, "【过号取号】")
    qtbot.keyClicks(window, "a012")
    qtbot.keyClick(window, Qt.Key.Key_Return)
    assert kiosk.s.entry(Field.NUMBER) == "A012"


def test_paper_out_pauses_the_home_page(kiosk, window):
    kiosk.p.printer_changed("paper_out")
    assert "暂停取号 — 打印机缺纸，请到服务台" in texts(window)
    page = window.pages[Screen.HOME]
    assert not any(b.isEnabled() for b in page._queue_buttons.values())
    assert not page.requeue.isEnabled()
    shoot(window, "paper-out")
    kiosk.p.printer_changed("ok")
    assert all(b.isEnabled() for b in page._queue_buttons.values())
    assert "暂停取号" not in texts(window)


def test_server_unreachable_is_said_on_the_identify_page(kiosk, window, qtbot):
    kiosk.p.choose_queue("A")
    kiosk.type(OLD)
    kiosk.net.down = True
    tap(qtbot, window, "取号")
    shown = texts(window)
    assert shown.count("无法连接服务器") == 1  # one red banner, not the banner and a line
    assert "无法连接服务器 — 暂停取号，正在自动重连，请到服务台" in shown
    assert not window.message.isVisible()
    assert not window.pages[Screen.IDENTIFY].take.isEnabled()
    shoot(window, "server-unreachable")


def test_elderly_mode_draws_bigger_text(kiosk, window, qtbot):
    normal = window.pages[Screen.HOME].guide.font().pixelSize()
    tap(qtbot, window, "长辈模式")
    assert kiosk.s.elderly
    bigger = window.pages[Screen.HOME].guide.font().pixelSize()
    assert bigger > normal
    shoot(window, "elderly-home")
    tap(qtbot, window, "下一页")  # 长辈模式 pages the queues rather than cut a row off
    assert "专窗区" in texts(window) and "第 2/2 页" in texts(window)
    shoot(window, "elderly-home-2")
    walk(kiosk, "不动产", "买卖过户", "二手房")
    kiosk.type(OLD[:8])
    shoot(window, "elderly-identify")


def test_english_mode_translates_the_screens(kiosk, window, qtbot):
    tap(qtbot, window, "English")
    shown = texts(window)
    assert "Guide me" in shown and "Missed my turn" in shown and "中文" in shown
    shoot(window, "english")
    walk(kiosk, "不动产", "买卖过户", "二手房")
    kiosk.p.card_read("张三丰", OLD)
    kiosk.p.take_number()
    assert "Your number" in texts(window)
    shoot(window, "english-ticket")


def test_green_channel_page_offers_the_id_or_a_guide(kiosk, window, qtbot):
    tap(qtbot, window, "【绿色通道】")
    shown = texts(window)
    assert "65 周岁及以上老人请刷身份证" in shown and "引导员确认" in shown
    shoot(window, "green")
    tap(qtbot, window, "引导员确认")
    kiosk.type("clerk11")
    kiosk.p.focus(Field.PASSWORD)
    kiosk.type("demo")
    shown = texts(window)
    assert "clerk11" in shown and "●●●●" in shown and "demo" not in shown
    shoot(window, "guide-sign-in")


def test_appointment_page_lists_the_queues_that_take_bookings(kiosk, window, qtbot):
    tap(qtbot, window, "【预约签到】")
    tap(qtbot, window, "G 公积金")
    kiosk.type("ACDE")
    shown = texts(window)
    assert "请选择您预约的业务" in shown and "ACDE" in shown and "C 统一出件" not in shown
    shoot(window, "appointment")


def _all_texts(window) -> str:
    """Every label's text, shown or on a hidden page."""
    return "\n".join(w.text() for w in window.findChildren(QLabel))


def test_after_the_timeouts_no_page_still_holds_the_citizens_data(kiosk, window):
    kiosk.p.choose_queue("B")
    kiosk.p.card_read("张三丰", OLD)
    kiosk.p.focus(Field.PHONE)
    kiosk.type("13912345678")
    assert "13912345678" in _all_texts(window)
    kiosk.wait(60)
    left = _all_texts(window)
    assert "13912345678" not in left and "110105****1234" not in left and "张**" not in left
    kiosk.p.choose_queue("B")
    kiosk.p.card_read("张三丰", OLD)
    kiosk.p.take_number()
    assert "110105****1234" in _all_texts(window)
    kiosk.wait(20)
    left = _all_texts(window)
    assert "B001" not in left and "110105****1234" not in left and "张**" not in left
