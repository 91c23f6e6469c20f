"""Exactly one announcer per hall: the lease keeper against the real API (TestClient)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from display.announcer import HallAnnouncer
from display.config import AnnouncerConfig
from display.lease import LeaseKeeper, LeaseRefused
from server.client import HallClient


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def api(client):
    """HallClients of the demo display that talk to the TestClient's app."""
    made: list[HallClient] = []

    def build() -> HallClient:
        c = HallClient("http://testserver", "demo", "demo-display", transport=client._transport)
        made.append(c)
        return c

    yield build
    for c in made:
        c.close()


def keeper(api, holder: str, changes: list, seq=lambda: 0, clock=None) -> LeaseKeeper:
    return LeaseKeeper(
        api(),
        holder,
        15,
        seq_now=seq,
        on_change=lambda active, floor: changes.append((holder, active, floor)),
        clock=clock or Clock(),
    )


def test_the_first_announcer_holds_and_the_second_stands_by(api):
    changes: list = []
    first, second = keeper(api, "tv-1", changes), keeper(api, "tv-2", changes)
    first.first_try(refuse=False)
    second.first_try(refuse=False)
    assert first.holds() and not second.holds()
    assert second.other == "tv-1" and changes == [("tv-1", True, 0)]


def test_a_second_announcer_configured_to_refuse_does_not_start(api):
    keeper(api, "tv-1", []).first_try(refuse=True)
    with pytest.raises(LeaseRefused) as refused:
        keeper(api, "tv-2", []).first_try(refuse=True)
    assert refused.value.holder == "tv-1" and "播报" in str(refused.value)


def test_a_standby_takes_over_when_the_first_lets_go_with_the_seq_it_was_last_seen_at(api, clock):
    changes: list = []
    seq = [10]
    first = keeper(api, "tv-1", changes)
    second = keeper(api, "tv-2", changes, seq=lambda: seq[0])
    first.first_try(refuse=False)
    second.renew()  # sees tv-1 at seq 10
    clock.advance(seconds=5)
    first.renew()
    seq[0] = 14
    second.renew()  # tv-1 renewed since: it was alive after seq 10
    seq[0] = 17
    clock.advance(seconds=16)  # tv-1 died; its lease runs out
    second.renew()
    assert second.holds() and changes[-1] == ("tv-2", True, 10)


def test_the_lease_lapses_locally_before_the_server_would_give_it_away(api):
    local = Clock()
    changes: list = []
    k = keeper(api, "tv-1", changes, clock=local)
    k.first_try(refuse=False)
    local.t += 14.9
    assert k.holds()
    local.t += 0.2
    assert not k.holds()


def test_a_released_lease_goes_to_the_standby_at_once(api):
    changes: list = []
    first, second = keeper(api, "tv-1", changes), keeper(api, "tv-2", changes)
    first.first_try(refuse=False)
    second.renew()
    first.stop(release=True)
    second.renew()
    assert second.holds() and not first.active


class Voice:
    """Records what it was asked to say."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def announce(self, seq: int, number: str, window: str, recall: bool = False) -> bool:
        self.said.append(number)
        return True


def test_a_call_in_the_gap_after_the_lease_lapsed_locally_is_spoken_when_renewal_wins_it_back(
    api, feed, hall, clock
):
    """The server is back but the next renewal tick has not come yet when a call arrives."""
    local, voice = Clock(), Voice()
    a = HallAnnouncer(AnnouncerConfig(), voice, active=False, clock=clock)
    k = LeaseKeeper(
        api(), "tv-1", 15, seq_now=lambda: a.seq, on_change=a.on_lease_change, clock=local
    )
    a.holds_lease = k.holds
    k.first_try(refuse=False)
    for msg in feed.take():
        a.on_message(msg)
    hall("issue", "A")
    local.t += 15.5  # renewals failed while the server was down; the local deadline passed
    hall("call-next", "S01")
    for msg in feed.take():
        a.on_message(msg)
    assert voice.said == [] and [c.number for c in a.missed] == ["A001"]
    k.renew()  # the server answers again
    assert voice.said == ["A001"] and a.missed == [] and a.skipped == []


def test_renew_soon_renews_at_once_rather_than_at_the_next_tick(api):
    renewed = threading.Event()
    k = keeper(api, "tv-1", [])
    k.first_try(refuse=False)
    plain = k.renew

    def renew() -> None:
        plain()
        renewed.set()

    k.renew = renew  # type: ignore[method-assign]
    k.start()
    try:
        k.renew_soon()
        assert renewed.wait(1.0)  # the tick is 5 s at a 15 s lease
    finally:
        k.stop()


def test_a_resynced_feed_asks_for_the_lease_at_once(api):
    """After an outage longer than the lease, the calls since wait for it: do not wait a tick."""
    from display.config import DisplayConfig, ServerConfig
    from display.wiring import Display

    config = DisplayConfig(server=ServerConfig("http://testserver", "demo", "demo-display"))
    display = Display(config, led=False, announce=False, client=api())
    assert display.load_layout() is not None
    asked: list[str] = []
    display.lease = keeper(api, "tv-1", [])
    display.lease.renew_soon = lambda: asked.append("renew")  # type: ignore[method-assign]
    display.feed.on_status("connected")
    display.feed.on_status("disconnected")
    assert asked == []
    display.feed.on_status("resynced")
    assert asked == ["renew"]


def test_a_host_whose_clock_is_ten_minutes_fast_still_speaks_fresh_calls(api, feed, hall, clock):
    """A call's age is judged by the server's clock, learnt from each lease renewal."""
    voice = Voice()
    a = HallAnnouncer(AnnouncerConfig(max_age_seconds=60), voice, active=False)
    k = LeaseKeeper(
        api(),
        "tv-1",
        15,
        seq_now=lambda: a.seq,
        on_change=a.on_lease_change,
        clock=Clock(),
        wall=lambda: clock.now + dt.timedelta(minutes=10),
    )
    a.holds_lease, a.clock = k.holds, k.server_now
    k.first_try(refuse=False)
    assert abs((k.server_now() - clock.now).total_seconds()) <= 1
    for msg in feed.take():
        a.on_message(msg)
    hall("issue", "A")
    hall("call-next", "S01")
    for msg in feed.take():
        a.on_message(msg)
    assert voice.said == ["A001"] and a.skipped == []
