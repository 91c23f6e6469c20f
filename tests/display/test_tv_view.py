"""The PyQt hall TV, offscreen: it draws the presenter's view; screenshots go to docs/screens."""

from __future__ import annotations

from pathlib import Path

import pytest

from display.config import ScreenConfig
from display.presenter import ScreenPresenter
from display.views.tv import TvScreen
from server.client import HallLayout
from tests.display.test_presenter import Clock
from tests.helpers import SCREENS


def busy_morning(hall) -> None:
    """A hall at 09:30: numbers called at several windows, one paused, people waiting."""
    for queue, n in (("A", 14), ("B", 5), ("C", 2), ("G", 3), ("J", 2), ("T", 4)):
        for i in range(n):
            hall("issue", queue, applicant_name="王小明" if i == 0 else None)
    for code in ("S01", "S02", "S03", "S04", "S05", "S06", "S07"):
        hall("call-next", code)
    hall("call-next", "S09")
    hall("call-next", "S13")
    hall("call-next", "S16")
    hall("sign-in", "S08")
    hall("pause", "S08", reason="午休")
    hall("outcome", "S02", outcome="accepted")
    hall("call-next", "S02")


def screen_for(feed, hall, qtbot, **options):
    clock = Clock()
    p = ScreenPresenter(
        ScreenConfig(**options), HallLayout.from_hall_info(feed.layout()), clock=clock
    )
    p.set_status("connected")
    for msg in feed.take():
        p.apply(msg)
    busy_morning(hall)
    for msg in feed.take():
        p.apply(msg)
    tv = TvScreen(p.options.layout, p.options.recent)
    qtbot.addWidget(tv)
    tv.show_view(p.view())
    tv.show()
    qtbot.waitExposed(tv)
    return p, tv, clock


def save(tv: TvScreen, name: str) -> Path:
    from PyQt6.QtWidgets import QApplication

    QApplication.processEvents()  # let the layouts settle, as the app's redraw timer does
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / name
    assert tv.grab().save(str(path))
    return path


@pytest.mark.parametrize("layout", ["landscape", "portrait"])
def test_the_tv_shows_the_flashing_call_windows_counts_and_notice(feed, hall, qtbot, layout):
    _p, tv, _ = screen_for(feed, hall, qtbot, layout=layout)
    assert tv.latest_number.text() == "请 A008 号" and tv.latest_window.text() == "到 S02 号窗口"
    assert tv.latest_caption.text() == "正在叫号"
    assert tv.recent_labels[0].text() == "A008  →  S02"
    texts = {t.code.text(): t.text.text() for t in tv.tiles if t.isVisible()}
    assert texts["S01"] == "A001" and texts["S08"] == "午休" and texts["S26"] == "暂停服务"
    counts = {c.name.text(): c.count.text() for c in tv.chips if c.isVisible()}
    assert counts["无差别综合受理"] == "6 人" and counts["不动产登记"] == "4 人"
    assert "取号后方可办理" in tv.ticker.text()
    save(tv, f"display-{layout}.png")
    size = (1920, 1080) if layout == "landscape" else (1080, 1920)
    assert (tv.width(), tv.height()) == size


def test_an_area_tv_shows_its_own_windows_only(feed, hall, qtbot):
    _p, tv, _ = screen_for(feed, hall, qtbot, areas=("bdc",), layout="landscape")
    visible = [t.code.text() for t in tv.tiles if t.isVisible()]
    assert visible == ["S13", "S14", "S15"]
    assert tv.title.text() == "示例市政务服务中心 · 不动产专区"
    assert tv.latest_number.text() == "请 B001 号"
    save(tv, "display-area-bdc.png")


def test_a_dropped_connection_shows_a_banner_and_a_recall_says_so(feed, hall, qtbot):
    p, tv, clock = screen_for(feed, hall, qtbot)
    hall("recall", "S05")
    for msg in feed.take():
        p.apply(msg)
    p.set_status("disconnected")
    tv.show_view(p.view())
    assert tv.banner.isVisible() and "重新连接" in tv.banner.text()
    assert tv.latest_caption.text().startswith("重呼") and tv.latest_number.text() == "请 A005 号"
    clock.advance(0.6)
    tv.show_view(p.view())  # the blink's "off" half
    save(tv, "display-offline-recall.png")


def test_messages_from_the_feed_thread_reach_the_screen_on_the_gui_thread_in_order(
    feed, hall, qtbot
):
    import threading

    from display.views.feed import FeedSignals

    p = ScreenPresenter(ScreenConfig(), HallLayout.from_hall_info(feed.layout()))
    threads: set[str] = set()

    def apply(msg):
        threads.add(threading.current_thread().name)
        p.apply(msg)

    signals = FeedSignals()
    signals.message.connect(apply)
    signals.status.connect(p.set_status)
    messages = feed.take()
    for _ in range(20):
        hall("issue", "A")
    for i in range(20):
        code = f"S0{i % 8 + 1}"
        hall("call-next", code)
        hall("outcome", code, outcome="accepted")
    messages += feed.take()
    worker = threading.Thread(
        target=lambda: (
            [signals.send_status("connected")] + [signals.send_message(m) for m in messages]
        ),
        name="live-demo",
    )
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: len(p.shown) == 20, timeout=5000)
    assert [c.number for c in p.shown] == [f"A{i:03d}" for i in range(1, 21)]
    assert threads == {threading.main_thread().name} and p.online


def test_an_app_wide_style_sheet_cannot_shrink_the_tv(feed, hall, qtbot, qapp):
    """Another app's theme on the same QApplication (as in one test session) leaves it alone."""
    before = qapp.styleSheet()
    qapp.setStyleSheet("QWidget { font-size: 11px; } QLabel#number { font-size: 20px; }")
    try:
        _, tv, _ = screen_for(feed, hall, qtbot)
        assert tv.latest_number.font().pixelSize() == tv.m.number_px
        assert tv.latest_window.font().pixelSize() == tv.m.window_px
        assert tv.tiles[0].text.font().pixelSize() == tv.m.tile_text_px
    finally:
        qapp.setStyleSheet(before)


def cramped(tv: TvScreen) -> list[str]:
    """Texts that do not fit their label or the screen, and queue names that touch their count."""
    from PyQt6.QtCore import QPoint, QRect

    from display.views.widgets import TvLabel

    problems = []
    for lab in tv.findChildren(TvLabel):
        if not lab.isVisible() or not lab.text():
            continue
        metrics = lab.fontMetrics()
        need = metrics.size(0, lab.text())
        box = lab.contentsRect()
        where = QRect(lab.mapTo(tv, QPoint(0, 0)), lab.size())
        if need.width() > box.width() or metrics.height() > box.height():
            problems.append(f"{lab.text()!r} needs {need.width()}x{metrics.height()}, has {box}")
        elif not tv.rect().contains(where):
            problems.append(f"{lab.text()!r} at {where} is off the screen")
    for chip in (c for c in tv.chips if c.isVisible()):
        name_end = chip.name.x() + chip.name.fontMetrics().horizontalAdvance(chip.name.text())
        count_start = chip.count.x() + chip.count.width()
        count_start -= chip.count.fontMetrics().horizontalAdvance(chip.count.text())
        if count_start - name_end < chip.name.px // 2:
            problems.append(f"{chip.name.text()!r} is {count_start - name_end} px from its count")
    return problems


@pytest.mark.parametrize("layout", ["landscape", "portrait"])
def test_window_codes_and_queue_names_are_big_and_nothing_is_cut_or_touching(
    feed, hall, qtbot, layout
):
    from PyQt6.QtWidgets import QApplication

    p, tv, _ = screen_for(feed, hall, qtbot, layout=layout)
    hall("sign-in", "S10")
    hall("pause", "S10", reason="签退待处理")  # the longest reason a clerk can pick
    for msg in feed.take():
        p.apply(msg)
    tv.show_view(p.view())
    QApplication.processEvents()
    assert cramped(tv) == []
    assert (tv.width(), tv.height()) == (tv.m.width, tv.m.height)  # nothing pushed it bigger
    codes = {t.code.text(): t.code.font().pixelSize() for t in tv.tiles if t.isVisible()}
    assert set(codes.values()) == {48}  # a window's code is never shrunk
    reasons = {t.code.text(): t.text for t in tv.tiles if t.isVisible()}
    assert reasons["S10"].text() == "签退待处理"
    assert 20 <= reasons["S10"].font().pixelSize() < 48  # shrunk to fit, not cut
    assert {c.name.font().pixelSize() for c in tv.chips if c.isVisible()} == {40}
