"""我的号码 on screen: the number, people ahead, the step buttons，我回来了 while away."""

from __future__ import annotations

from kiosk.state import Screen
from tests.helpers import valid_id
from tests.kiosk.conftest import shoot, take
from tests.kiosk.test_views import tap, texts

ID = valid_id("19880808", "888")


def _scan_busy_day(kiosk) -> None:
    """A scanned stub on a busy day: 128 people ahead (drawn from the state the page gets)."""
    url = take(kiosk, "B", ID)["progress_url"]
    kiosk.p.home()
    kiosk.p.scan(url)
    busy = {**kiosk.s.mine, "number": "B129", "waiting_ahead": 128, "estimated_wait_min": 214}
    kiosk.p._core.update(mine=busy)


def test_my_number_shows_the_steps_and_a_tap_steps_back(kiosk, window, qtbot):
    _scan_busy_day(kiosk)
    page = window.pages[Screen.MINE]
    assert window.stack.currentWidget() is page
    shown = texts(window)
    assert "我的号码" in shown and "B129" in shown
    assert "前面还有 128 人等候 · 预计等候约 3 小时 34 分钟" in shown
    for label in ("让后面 1 位先办", "让后面 3 位先办", "暂离 10 分钟", "暂离 30 分钟", "首页"):
        assert label in shown
    assert "我回来了" not in shown
    for b in page.step_buttons + page.away_buttons:  # touch-sized
        assert b.height() >= 60
    shoot(window, "mine")
    tap(qtbot, window, "让后面 1 位先办")
    assert kiosk.s.mine["step_backs"] == 1 and "已让后面 1 位先办" in texts(window)


def test_while_away_the_one_button_is_i_am_back(kiosk, window, qtbot):
    _scan_busy_day(kiosk)
    tap(qtbot, window, "暂离 10 分钟")
    shown = texts(window)
    assert "位置保留至" in shown and "回来后请点「我回来了」" in shown
    assert "让后面 1 位先办" not in shown and "暂离 30 分钟" not in shown
    shoot(window, "mine-away")
    tap(qtbot, window, "我回来了")
    assert kiosk.s.mine["away_till"] is None and "让后面 3 位先办" in texts(window)


def test_elderly_and_english_my_number(kiosk, window, qtbot):
    tap(qtbot, window, "长辈模式")
    _scan_busy_day(kiosk)
    assert "让后面 1 位先办" in texts(window)
    shoot(window, "elderly-mine")
    kiosk.p.toggle_language()
    shown = texts(window)
    assert "My number" in shown and "Let the next 3 go first" in shown
    tap(qtbot, window, "Home")
    assert kiosk.s.screen is Screen.HOME and kiosk.s.mine is None
    assert "B129" not in texts(window)  # the page left keeps nothing of the citizen


def test_once_the_away_time_is_up_the_steps_come_back_by_themselves(kiosk, window, qtbot):
    _scan_busy_day(kiosk)
    tap(qtbot, window, "暂离 10 分钟")
    assert "我回来了" in texts(window)
    kiosk.clock.advance(minutes=10)
    kiosk.p.tick()  # the clock: the place is no longer held, nothing to come back from
    shown = texts(window)
    assert "我回来了" not in shown and "让后面 1 位先办" in shown
