"""Acceptance of the hall displays: the real server, a TV presenter, an LED bridge on simulated
C-Power and Onbon signs and the announcer with a recording sink, all on one live feed; 100 calls
from 8 windows with a kill -9 of the server in the middle. Nothing lost, repeated or reordered.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from display.config import (
    AnnouncerConfig,
    DisplayConfig,
    LedConfig,
    ScreenConfig,
    ServerConfig,
    SignConfig,
)
from display.presenter import ScreenPresenter
from display.wiring import Display
from drivers.led import Bus
from drivers.sim import get_simulator, reset_simulators
from drivers.voice import Announcer, ClipEngine, RecordingSink, announcement_text, build_clips
from server.client import ApiError, HallClient
from tests.live_server import ServerProcess

pytestmark = pytest.mark.db  # also runs on the PostgreSQL pass

WINDOWS = [f"S0{i}" for i in range(1, 9)]
CPOWER_BUS = "sim://cpower?name=hall-bus"  # S01–S04 on one RS-485 line, addresses 1–4
CALLS = 100
NUMBER = re.compile(r"(?<![A-Z0-9])[A-Z]\d{3}(?!\d)")  # A012, not the S03 of a window
WINDOW = re.compile(r"(?<![A-Z0-9])S\d{2}(?!\d)")


def wait_for(predicate, timeout: float = 10.0, what: str = "condition") -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.01)
    raise AssertionError(f"{what} not met within {timeout} s")


def signs() -> list[SignConfig]:
    get_simulator(CPOWER_BUS).set_addresses({1, 2, 3, 4})
    out = [SignConfig(code, CPOWER_BUS, "cpower", i) for i, code in enumerate(WINDOWS[:4], 1)]
    out += [
        SignConfig(code, f"sim://onbon-bx5?name={code}", "onbon-bx5", 1) for code in WINDOWS[4:]
    ]
    return out


def sign_text(spec: SignConfig) -> str:
    return get_simulator(spec.url).screen_of(spec.address)


def sign_history(spec: SignConfig) -> list[str]:
    """Every text the sign at this address received, in order (the simulator keeps frames)."""
    frames = get_simulator(spec.url).frames
    return ["\n".join(f.lines) for f in frames if f.address == spec.address and f.command == "text"]


def numbers_shown(history: list[str]) -> list[str]:
    """The ticket numbers a sign showed, a re-send of the same text counted once."""
    out: list[str] = []
    for number in (n for text in history for n in NUMBER.findall(text)):
        if not out or out[-1] != number:
            out.append(number)
    return out


def in_order_within(shown: list[str], called: list[str]) -> bool:
    """`shown` is `called` with some left out, nothing added and nothing moved."""
    rest = iter(called)
    return all(number in rest for number in shown)


class Clerks:
    """Eight clerks at S01–S08 calling in turn, each recording an outcome before the next."""

    def __init__(self, url: str) -> None:
        self.pads: dict[str, HallClient] = {}
        for code in WINDOWS:
            pad = HallClient(url, "demo")
            pad.login(f"clerk{int(code[1:]):02d}", "demo1234")
            pad.sign_in(code)
            self.pads[code] = pad
        self.busy: set[str] = set()

    def call(self, code: str) -> tuple[str, str]:
        pad = self.pads[code]
        if code in self.busy:
            pad.outcome(code, "accepted")
        number = retry(lambda: pad.call_next(code))["number"]
        self.busy.add(code)
        return number, code

    def recall(self, code: str) -> None:
        self.pads[code].window(code, "recall")

    def close(self) -> None:
        for pad in self.pads.values():
            pad.close()


def retry(action, attempts: int = 50):
    """Right after a restart the first request may meet a closed keep-alive connection."""
    for _ in range(attempts):
        try:
            return action()
        except ApiError as exc:
            if exc.code != "server_unreachable":
                raise
            time.sleep(0.1)
    return action()


@pytest.fixture
def clips(tmp_path_factory) -> Path:
    return Path(build_clips(tmp_path_factory.mktemp("clips"))[0]).parent


@pytest.fixture
def simulated():
    reset_simulators()
    yield
    Bus.close_all()
    reset_simulators()


def test_100_calls_from_8_windows_reach_tv_signs_and_voice_once_each_in_order_across_a_crash(
    tmp_path, clips, simulated
):
    server = ServerProcess(tmp_path / "data").start()
    config = DisplayConfig(
        server=ServerConfig(server.url, "demo", "demo-display"),
        screen=ScreenConfig(recent=8),
        led=LedConfig(signs=tuple(signs()), health_seconds=1),
        announcer=AnnouncerConfig(enabled=True, sink="null", chime=True, lease_seconds=15),
    )
    sink = RecordingSink()
    voice = Announcer(ClipEngine(clips), sink, chime=True)
    display = Display(config, voice=voice)
    tv = ScreenPresenter(config.screen)
    display.handlers.append(tv.apply)  # the one feed of this host serves all three
    display.status_handlers.append(tv.set_status)
    statuses: list[str] = []
    display.status_handlers.append(statuses.append)
    kiosk = HallClient(server.url, "demo", "demo-kiosk")
    clerks = None
    try:
        display.start()
        assert display.lease is not None and display.lease.holds()
        for _ in range(CALLS):
            kiosk.issue(queue="A")
        clerks = Clerks(server.url)
        wait_for(lambda: tv.online and display.feed.connected.is_set(), what="feed up")
        expected: list[tuple[str, str, bool]] = []  # (number, window, recall) in call order
        for i in range(CALLS):
            if i == CALLS // 2:
                server.kill9()
                wait_for(lambda: not tv.online, what="TV notices the crash")
                server.start()
                number, code = clerks.call(WINDOWS[i % 8])
                expected.append((number, code, False))
                took = wait_for(
                    lambda n=number: tv.latest is not None and tv.latest.number == n,
                    timeout=2.0,
                    what="TV right within 2 s of the restart",
                )
                assert took < 2.0
                continue
            if i == 80:  # a network drop: calls made meanwhile arrive after the reconnect
                display.feed.drop_connection()
            number, code = clerks.call(WINDOWS[i % 8])
            expected.append((number, code, False))
            if i == 80:
                wait_for(
                    lambda n=number: tv.latest is not None and tv.latest.number == n,
                    timeout=2.0,
                    what="TV right within 2 s of a network drop",
                )
            if i in (10, 77):  # a clerk recalls: 重呼, once, in its place
                clerks.recall(code)
                expected.append((number, code, True))

        wait_for(lambda: len(tv.shown) >= len(expected), what="TV caught up")
        assert statuses.count("resynced") == 2  # after the crash and after the drop
        shown = [(c.number, c.window, c.recall) for c in tv.shown]
        assert shown == expected  # once each, in order, across the crash
        calls = [e for e in expected if not e[2]]
        assert len(calls) == CALLS and len({n for n, _, _ in calls}) == CALLS
        assert [(c.number, c.window) for c in tv.recent] == [(n, w) for n, w, _ in calls[::-1][:8]]

        assert voice.wait_idle(30)
        assert sink.labels == [announcement_text(n, w, recall=r) for n, w, r in expected]
        assert all(p.audio.duration > 1.0 for p in sink.played)  # chime + words
        assert display.announcer is not None and display.announcer.skipped == []

        last = {w: n for n, w, _ in calls}
        for sign in display.led.signs.values():
            assert sign.bus.wait_idle(5)
        for spec in config.led.signs:
            text = sign_text(spec)
            assert last[spec.window] in text and spec.window in text, (spec.window, text)
            # Each sign only ever showed its own window: its own numbers, in call order.
            history = sign_history(spec)
            own = [n for n, w, _ in calls if w == spec.window]
            assert {w for t in history for w in WINDOW.findall(t)} == {spec.window}, history
            shown = numbers_shown(history)
            assert set(shown) <= set(own) and in_order_within(shown, own), (spec.window, shown)
            assert shown[-1] == own[-1]
    finally:
        if clerks is not None:
            clerks.close()
        kiosk.close()
        display.stop()
        voice.close()
        server.stop()


def test_the_demo_display_announces_and_a_second_announcer_refuses_to_start(tmp_path):
    """`yichuang display --demo --headless` (as `make demo` starts it) and a refusing second."""
    server = ServerProcess(tmp_path / "data").start()
    boss = HallClient(server.url, "demo")
    boss.login("supervisor", "demo1234")
    lease = "/api/v1/halls/demo/leases/announcer"
    cmd = [sys.executable, "-m", "server", "display"]
    first = subprocess.Popen(
        [*cmd, "--demo", "--headless", "--server", server.url],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: holder(boss, lease).startswith("display@"), 20, "demo announcer")
        with HallClient(server.url, "demo", "demo-kiosk") as kiosk:
            kiosk.issue(queue="A")
        clerk = HallClient(server.url, "demo")
        clerk.login("clerk01", "demo1234")
        clerk.sign_in("S01")
        clerk.call_next("S01")
        clerk.close()
        wav = tmp_path / "var" / "display" / "announcements" / "0001.wav"
        wait_for(wav.exists, 20, "the call spoken into a WAV file")

        second = tmp_path / "second.toml"
        second.write_text(
            f'[server]\nurl = "{server.url}"\nhall = "demo"\ntoken = "demo-display"\n'
            '[announcer]\non_conflict = "refuse"\nsink = "null"\n',
            encoding="utf-8",
        )
        refused = subprocess.run(
            [*cmd, "--config", str(second), "--headless"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert refused.returncode == 3 and "播报" in refused.stderr

        first.send_signal(signal.SIGTERM)
        assert first.wait(15) == 0
        assert holder(boss, lease) == ""  # released on the way out: a standby takes over at once
    finally:
        if first.poll() is None:
            first.kill()
        boss.close()
        server.stop()


def holder(client: HallClient, path: str) -> str:
    try:
        return str(client.get(path)["holder"])
    except ApiError as exc:
        if exc.code == "unknown_lease":
            return ""
        raise


def test_a_standby_announcer_takes_over_when_the_first_dies_and_speaks_what_it_missed(
    tmp_path, clips
):
    server = ServerProcess(tmp_path / "data").start()
    config = DisplayConfig(
        server=ServerConfig(server.url, "demo", "demo-display"),
        announcer=AnnouncerConfig(enabled=True, sink="null", chime=False, lease_seconds=3),
    )
    sinks = [RecordingSink(), RecordingSink()]
    voices = [Announcer(ClipEngine(clips), sink, chime=False) for sink in sinks]
    first, second = (Display(config, voice=v, led=False) for v in voices)
    kiosk = HallClient(server.url, "demo", "demo-kiosk")
    clerk = HallClient(server.url, "demo")
    try:
        first.start()
        second.start()
        assert first.lease.holds() and not second.lease.holds()
        for _ in range(4):
            kiosk.issue(queue="A")
        clerk.login("clerk01", "demo1234")
        clerk.sign_in("S01")
        clerk.call_next("S01")
        wait_for(lambda: len(sinks[0].labels) == 1 and second.announcer.missed, 5, "first spoke")
        first.feed.stop()  # the first host dies: no feed, no renewals, no release
        first.lease.stop(release=False)
        clerk.outcome("S01", "accepted")
        clerk.call_next("S01")  # nobody holds a live lease yet: the standby keeps it
        wait_for(lambda: second.lease.holds(), 8, "take-over after the lease ran out")
        assert voices[1].wait_idle(10)
        a1, a2 = announcement_text("A001", "S01"), announcement_text("A002", "S01")
        assert sinks[0].labels == [a1]
        # Nothing is lost at a failover. A call made after the first's last renewal may be
        # said once more (it cannot be known whether the first spoke it before it died).
        assert sinks[1].labels in ([a2], [a1, a2])
    finally:
        kiosk.close()
        clerk.close()
        for d in (first, second):
            d.stop()
        server.stop()
