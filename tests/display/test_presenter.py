"""The hall TV presenter (Qt-free): what the screen shows for real live-feed messages."""

from __future__ import annotations

import datetime as dt

from display.config import ScreenConfig
from display.presenter import ScreenPresenter
from server.client import HallLayout
from tests.helpers import TZ, valid_id


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 24, 9, 30, tzinfo=TZ)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def presenter(feed, **options) -> tuple[ScreenPresenter, Clock]:
    clock = Clock()
    p = ScreenPresenter(
        ScreenConfig(**options), HallLayout.from_hall_info(feed.layout()), clock=clock
    )
    p.set_status("connected")
    pump(p, feed)  # the snapshot a screen gets when it connects
    return p, clock


def pump(p: ScreenPresenter, feed) -> None:
    for msg in feed.take():
        p.apply(msg)


def test_a_call_becomes_the_flashing_latest_call_and_tops_the_recent_calls(feed, hall):
    p, _clock = presenter(feed)
    hall("issue", "A", applicant_name="张三")
    hall("call-next", "S03")
    pump(p, feed)
    view = p.view()
    assert view.latest is not None and view.latest.text == "请 A001 号 到 S03 号窗口"
    assert view.latest.name == "张*" and view.flash_on
    assert [(c.number, c.window) for c in view.recent] == [("A001", "S03")]
    s03 = next(t for t in view.windows if t.code == "S03")
    assert (s03.state, s03.text) == ("serving", "A001")
    assert next(q for q in view.queues if q.code == "A").waiting == 0


def test_the_latest_call_blinks_then_stays_still_after_the_flash_time(feed, hall):
    p, clock = presenter(feed, flash_seconds=4)
    hall("issue", "A")
    hall("call-next", "S01")
    pump(p, feed)
    blinks = []
    for _ in range(8):
        blinks.append(p.view().flash_on)
        clock.advance(0.5)
    assert blinks == [True, False] * 4
    assert not p.flashing() and p.view().latest.number == "A001"


def test_every_window_shows_its_number_or_pause_and_closed_windows_pause(feed, hall):
    p, _ = presenter(feed)
    hall("issue", "A")
    hall("call-next", "S01")
    hall("sign-in", "S02")
    hall("pause", "S02", reason="午休")
    pump(p, feed)
    tiles = {t.code: t for t in p.view().windows}
    assert len(tiles) == 26
    assert tiles["S01"].text == "A001"
    assert (tiles["S02"].text, tiles["S02"].reason) == ("暂停服务", "午休")
    assert (tiles["S05"].state, tiles["S05"].text) == ("closed", "暂停服务")


def test_an_idle_open_window_says_it_waits_to_call(feed, hall):
    p, _ = presenter(feed)
    hall("issue", "A")
    hall("call-next", "S01")
    hall("outcome", "S01", outcome="accepted")
    pump(p, feed)
    s01 = next(t for t in p.view().windows if t.code == "S01")
    assert (s01.state, s01.text) == ("idle", "等候叫号")


def test_a_recall_flashes_again_with_its_mark_but_is_not_a_new_recent_call(feed, hall):
    p, clock = presenter(feed, flash_seconds=2)
    hall("issue", "A")
    hall("call-next", "S01")
    pump(p, feed)
    clock.advance(5)
    assert not p.view().flash_on
    hall("recall", "S01")
    pump(p, feed)
    view = p.view()
    assert view.latest.recall and view.flash_on
    assert [c.number for c in view.recent] == ["A001"]
    assert [(c.number, c.recall) for c in p.shown] == [("A001", False), ("A001", True)]


def test_an_area_screen_shows_only_its_windows_queues_and_calls(feed, hall):
    p, _ = presenter(feed, areas=("bdc",), layout="portrait")
    hall("issue", "A")
    hall("issue", "B")
    hall("call-next", "S01")
    hall("call-next", "S13")
    pump(p, feed)
    view = p.view()
    assert view.title == "示例市政务服务中心 · 不动产专区" and view.layout == "portrait"
    assert [t.code for t in view.windows] == ["S13", "S14", "S15"]
    assert [q.code for q in view.queues] == ["B"]
    assert [c.number for c in p.shown] == ["B001"] and view.latest.window == "S13"


def test_a_snapshot_after_a_reconnect_lists_recent_calls_without_flashing_them(feed, hall):
    hall("issue", "A")
    hall("issue", "A")
    hall("call-next", "S01")
    hall("call-next", "S02")
    p, _ = presenter(feed)  # a fresh screen: a snapshot only
    view = p.view()
    assert [c.number for c in view.recent] == ["A002", "A001"]
    assert view.latest.number == "A002" and not view.flash_on
    assert p.shown == []


def test_date_time_and_waiting_counts_read_in_the_halls_time_zone(feed, hall):
    p, _clock = presenter(feed)
    hall("issue", "B")
    hall("issue", "B")
    pump(p, feed)
    view = p.view(dt.datetime(2026, 11, 24, 1, 5, 9, tzinfo=dt.UTC))
    assert (view.date_text, view.time_text) == ("2026年11月24日 星期二", "09:05:09")
    queues = {q.code: (q.name, q.waiting) for q in view.queues}
    assert queues["B"] == ("不动产登记", 2) and len(queues) == 13
    assert "取号后方可办理" in view.notice


def test_a_dropped_connection_is_said_on_screen(feed):
    p, _ = presenter(feed)
    p.set_status("disconnected")
    assert not p.view().online and "重新连接" in p.view().status_text
    p.set_status("resynced")
    assert p.view().online and p.view().status_text == ""


def test_the_screen_never_carries_an_id_number_or_a_full_name(feed, hall):
    p, _ = presenter(feed)
    id_number = valid_id("19750505", "321")
    hall("issue", "A", applicant_name="欧阳娜娜", id_number=id_number, phone="13912345678")
    hall("call-next", "S01")
    pump(p, feed)
    text = repr(p.view()) + repr(p.state)
    assert id_number not in text and id_number[-4:] not in text
    assert "欧阳娜娜" not in text and "13912345678" not in text
    assert "欧阳**" in text


def test_the_date_is_written_one_way_without_zero_padding(feed):
    p, _clock = presenter(feed)
    view = p.view(dt.datetime(2026, 12, 5, 17, 0, 0, tzinfo=dt.UTC))
    assert view.date_text == "2026年12月6日 星期日"


def test_a_transfer_to_a_window_shows_in_the_recent_calls_with_where_to_go(feed, hall):
    p, _clock = presenter(feed)
    hall("sign-in", "S13")
    t = hall("issue", "A", applicant_name="张三")
    hall("call-next", "S01")
    pump(p, feed)
    hall("transfer", "S01", window="S13")
    pump(p, feed)
    top = p.view().recent[0]
    assert (top.number, top.window, top.transfer) == (t["number"], "S13", True)
    assert top.text == f"{t['number']} 号 请到 S13 号窗口（转办）"
    assert p.view().latest is not None and p.view().latest.window == "S01"  # no new flash
