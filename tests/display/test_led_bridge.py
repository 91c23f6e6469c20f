"""The LED bridge against simulated C-Power and Onbon signs (drivers.sim), fed real messages."""

from __future__ import annotations

import time

from display.config import LedConfig, SignConfig
from display.led_bridge import LedBridge, SignScreen, sign_screen
from tests.helpers import SCREENS

CPOWER = "sim://cpower?name=zh-bus"
ONBON = "sim://onbon-bx5?name=S13"


def shows_call(screen: str, number: str, window: str) -> bool:
    """The sign shows this call in whatever format its profile uses (drivers.led.call_lines)."""
    return number in screen and window in screen


def bridge_for(signs, **options) -> tuple[LedBridge, list]:
    reports: list[tuple[str, str, str]] = []
    config = LedConfig(signs=tuple(signs), **options)
    bridge = LedBridge(config, on_health=lambda *r: reports.append(r))
    return bridge, reports


def settle(bridge: LedBridge) -> None:
    for sign in bridge.signs.values():
        assert sign.bus.wait_idle(5)


def pump(bridge: LedBridge, feed) -> None:
    for msg in feed.take():
        bridge.apply(msg)
    settle(bridge)


def hall_signs(sims):
    """S01 and S02 share one C-Power RS-485 bus (addresses 1, 2); S13 has an Onbon BX-5."""
    sims(CPOWER).set_addresses({1, 2})
    return [
        SignConfig("S01", CPOWER, "cpower", 1),
        SignConfig("S02", CPOWER, "cpower", 2),
        SignConfig("S13", ONBON, "onbon-bx5", 1),
    ]


def test_each_sign_shows_its_own_windows_called_number(feed, hall, sims):
    bridge, _ = bridge_for(hall_signs(sims))
    pump(bridge, feed)
    hall("issue", "A")
    hall("issue", "A")
    hall("issue", "B")
    hall("call-next", "S01")
    hall("call-next", "S02")
    hall("call-next", "S13")
    pump(bridge, feed)
    cpower, onbon = sims(CPOWER), sims(ONBON)
    assert shows_call(cpower.screen_of(1), "A001", "S01")
    assert shows_call(cpower.screen_of(2), "A002", "S02")
    assert shows_call(onbon.screen_of(1), "B001", "S13")
    assert bridge.showing("S13") == SignScreen("call", ("B001",), "B001", "S13")


def test_a_paused_window_says_so_an_idle_one_welcomes_and_a_closed_one_pauses(feed, hall, sims):
    bridge, _ = bridge_for(hall_signs(sims), idle_text="欢迎光临")
    hall("issue", "A")
    hall("call-next", "S01")
    hall("outcome", "S01", outcome="accepted")
    hall("sign-in", "S02")
    hall("pause", "S02", reason="午休")
    pump(bridge, feed)
    cpower = sims(CPOWER)
    assert cpower.screen_of(1) == "欢迎光临"
    assert cpower.screen_of(2) == "暂停服务\n午休"
    assert sims(ONBON).screen_of(1) == "暂停服务"  # S13: nobody signed in


def test_only_changes_are_sent_but_a_recall_is_sent_again(feed, hall, sims):
    bridge, _ = bridge_for(hall_signs(sims))
    pump(bridge, feed)
    hall("issue", "A")
    hall("call-next", "S01")
    pump(bridge, feed)
    before = bridge.sends
    hall("issue", "A")  # waiting counts change; no sign does
    pump(bridge, feed)
    assert bridge.sends == before
    sims(CPOWER).screens.clear()
    hall("recall", "S01")
    pump(bridge, feed)
    assert bridge.sends == before + 1 and shows_call(sims(CPOWER).screen_of(1), "A001", "S01")


def test_a_restarted_bridge_puts_the_right_text_back_on_every_sign(feed, hall, sims):
    signs = hall_signs(sims)
    first, _ = bridge_for(signs)
    hall("issue", "A")
    hall("call-next", "S02")
    pump(first, feed)
    for sim in (sims(CPOWER), sims(ONBON)):
        sim.screens.clear()  # the bridge host rebooted and so did the signs
    second, _ = bridge_for(signs)
    feed.last = None  # a fresh process starts with a snapshot
    pump(second, feed)
    assert shows_call(sims(CPOWER).screen_of(2), "A001", "S02")
    assert sims(CPOWER).screen_of(1) == "暂停服务" and sims(ONBON).screen_of(1) == "暂停服务"


def test_a_sign_that_lost_power_gets_its_text_back_when_it_answers_again(feed, hall, sims):
    bridge, reports = bridge_for(hall_signs(sims))
    hall("issue", "A")
    hall("call-next", "S01")
    pump(bridge, feed)
    cpower = sims(CPOWER)
    cpower.set_silent(True)  # power cut: no answers, and the RAM text is gone
    cpower.screens.clear()
    for _ in range(3):
        bridge.tick()
        settle(bridge)
    assert ("S01", "offline", "屏幕无应答") in reports
    assert cpower.screen_of(1) == ""
    cpower.set_silent(False)  # power is back
    for _ in range(3):
        bridge.tick()
        settle(bridge)
    assert shows_call(cpower.screen_of(1), "A001", "S01")
    assert reports[-1][:2] in (("S01", "ok"), ("S02", "ok"))
    assert {r[:2] for r in reports} >= {("S01", "offline"), ("S01", "ok")}


def test_a_periodic_refresh_resends_every_sign(feed, hall, sims):
    clock = [0.0]
    config = LedConfig(signs=tuple(hall_signs(sims)), refresh_seconds=60)
    bridge = LedBridge(config, clock=lambda: clock[0])
    hall("issue", "A")
    hall("call-next", "S01")
    pump(bridge, feed)
    sims(CPOWER).screens.clear()  # a sign that rebooted between two pings
    bridge.tick()
    settle(bridge)
    assert sims(CPOWER).screen_of(1) == ""
    clock[0] = 61
    bridge.tick()
    settle(bridge)
    assert shows_call(sims(CPOWER).screen_of(1), "A001", "S01")


def test_healthy_signs_are_reported_again_at_each_refresh(feed, hall, sims):
    clock = [0.0]
    reports: list[tuple[str, str, str]] = []
    config = LedConfig(signs=tuple(hall_signs(sims)), refresh_seconds=60)
    bridge = LedBridge(config, clock=lambda: clock[0], on_health=lambda *r: reports.append(r))
    pump(bridge, feed)
    for _ in range(2):
        bridge.tick()
        settle(bridge)
    first = sorted(r[:2] for r in reports)
    assert first == [("S01", "ok"), ("S02", "ok"), ("S13", "ok")]
    bridge.tick()
    settle(bridge)
    assert len(reports) == 3  # no change, no refresh: nothing said
    clock[0] = 61
    bridge.tick()
    assert sorted(r[:2] for r in reports[3:]) == first


def test_a_dead_sign_never_holds_up_the_feed(feed, hall, sims):
    bridge, _ = bridge_for(hall_signs(sims))
    sims(ONBON).set_connected(False)  # cable pulled
    for _ in range(5):
        hall("issue", "B")
    messages = feed.take()
    for _ in range(5):
        hall("call-next", "S13")
        hall("outcome", "S13", outcome="no_show")
    messages += feed.take()
    started = time.monotonic()
    for msg in messages:
        bridge.apply(msg)
    assert time.monotonic() - started < 0.2
    settle(bridge)
    assert bridge.signs["S13"].health().state == "offline"


def test_the_sign_screen_rule_for_each_window_state():
    base = {"code": "S03", "paused_reason": None, "current_number": None}
    assert sign_screen({**base, "status": "closed"}, "欢迎", "暂停服务").kind == "closed"
    assert sign_screen({**base, "status": "open"}, "欢迎", "暂停服务").lines == ("欢迎",)
    called = sign_screen({**base, "status": "open", "current_number": "A012"}, "欢迎", "x")
    assert (called.kind, called.number, called.window) == ("call", "A012", "S03")
    paused = {**base, "status": "paused", "current_number": "A012", "paused_reason": "培训会议"}
    assert sign_screen(paused, "欢迎", "x").lines == ("暂停服务", "培训会议")


def test_the_simulated_signs_render_what_the_window_shows(feed, hall, sims):

    screens = SCREENS
    bridge, _ = bridge_for(hall_signs(sims))
    hall("issue", "A")
    hall("issue", "B")
    hall("call-next", "S01")
    hall("call-next", "S13")
    hall("sign-in", "S02")
    hall("pause", "S02", reason="午休")
    pump(bridge, feed)
    shots = [
        sims(CPOWER).render_png(screens / "led-cpower-S01-call.png", 1),
        sims(CPOWER).render_png(screens / "led-cpower-S02-paused.png", 2),
        sims(ONBON).render_png(screens / "led-onbon-bx5-S13-call.png", 1),
    ]
    assert all(p.stat().st_size > 1000 for p in shots)
