"""The hall announcer: each call once, in order, with a chime; 重呼; hours; volume; standby."""

from __future__ import annotations

import array
import datetime as dt

import pytest

from display.announcer import HallAnnouncer
from display.config import AnnouncerConfig, parse_hours
from drivers.voice import Announcer, Audio, RecordingSink, announcement_text
from tests.helpers import TZ, FakeClock


class ToneEngine:
    """A stand-in for the clip set: a fixed tone per token, rendered instantly."""

    RATE = 8000

    def render(self, tokens) -> Audio:
        samples = array.array("h", [10000, -10000] * (40 * len(tokens)))
        return Audio(self.RATE, 1, b"").with_samples(samples)

    def chime(self) -> Audio:
        return Audio(self.RATE, 1, b"").with_samples(array.array("h", [3000, -3000] * 400))


def voice(**options) -> tuple[Announcer, RecordingSink]:
    sink = RecordingSink()
    return Announcer(ToneEngine(), sink, **options), sink


def announcer(clock: FakeClock, cfg: AnnouncerConfig | None = None, **voice_opts):
    """An announcer on the hall's clock (the calls it hears are as old as the clock says)."""
    spoken, sink = voice(chime=(cfg or AnnouncerConfig()).chime, **voice_opts)
    a = HallAnnouncer(cfg or AnnouncerConfig(), spoken, clock=clock)
    return a, spoken, sink


def follow(a: HallAnnouncer, feed) -> None:
    """Hand the announcer what the feed has for it."""
    for msg in feed.take():
        a.on_message(msg)


def one_call(a: HallAnnouncer, feed, hall) -> None:
    """The announcer follows the feed while S01 calls the hall's first ticket."""
    follow(a, feed)
    hall("issue", "A")
    hall("call-next", "S01")
    follow(a, feed)


def heard(spoken: Announcer, sink: RecordingSink) -> list[str]:
    assert spoken.wait_idle(10)
    return sink.labels


def test_each_call_is_spoken_once_in_order_and_recalls_say_chonghu(feed, hall, clock):
    a, spoken, sink = announcer(clock)
    follow(a, feed)
    for _ in range(3):
        hall("issue", "A")
    hall("call-next", "S01")
    hall("call-next", "S03")
    hall("recall", "S01")
    messages = feed.take()
    for msg in messages + messages:  # a resend after a reconnect changes nothing
        a.on_message(msg)
    assert heard(spoken, sink) == [
        announcement_text("A001", "S01"),
        announcement_text("A002", "S03"),
        announcement_text("A001", "S01", recall=True),
    ]
    assert sink.labels[2].startswith("重呼 请 A零零一 号到 S零一 号窗口办理")


def test_calls_in_a_snapshot_are_history_and_never_spoken(feed, hall, clock):
    hall("issue", "A")
    hall("call-next", "S01")
    a, spoken, sink = announcer(clock)
    follow(a, feed)  # a fresh announcer: snapshot only
    hall("issue", "A")
    hall("call-next", "S02")
    follow(a, feed)
    assert heard(spoken, sink) == [announcement_text("A002", "S02")]


def test_a_backlog_of_calls_is_spoken_in_order_not_dropped(feed, hall, clock):
    a, spoken, sink = announcer(clock)
    follow(a, feed)
    for _ in range(12):
        hall("issue", "A")
    for _ in range(3):
        for code in ("S01", "S02", "S03", "S04"):
            hall("call-next", code)
            hall("outcome", code, outcome="accepted")
    follow(a, feed)  # all at once, as after a reconnect
    labels = heard(spoken, sink)
    assert len(labels) == 12
    assert labels == [announcement_text(f"A{i:03d}", f"S0{(i - 1) % 4 + 1}") for i in range(1, 13)]


def test_each_announcement_starts_with_the_chime(feed, hall, clock):
    a, spoken, sink = announcer(clock, AnnouncerConfig(chime=True))
    plain, plain_sink = voice(chime=False)
    one_call(a, feed, hall)
    heard(spoken, sink)
    plain.announce(1, "A001", "S01")
    heard(plain, plain_sink)
    with_chime, without = sink.played[0].audio, plain_sink.played[0].audio
    assert with_chime.duration > without.duration + 0.2
    assert with_chime.samples()[:800].tolist() == ToneEngine().chime().samples().tolist()


def test_volume_comes_from_the_config(feed, hall, clock):
    a, spoken, sink = announcer(clock, AnnouncerConfig(chime=False), volume=0.5)
    one_call(a, feed, hall)
    heard(spoken, sink)
    assert max(sink.played[0].audio.samples()) == 5000


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [(8, 29, 0), (8, 30, 1), (11, 59, 1), (12, 0, 0), (13, 30, 1), (17, 31, 0)],
)
def test_outside_the_hours_it_stays_silent(feed, hall, clock, hour, minute, expected):
    cfg = AnnouncerConfig(hours=parse_hours(["08:30-12:00", "13:30-17:30"]))
    clock.now = dt.datetime(2026, 11, 24, hour, minute, tzinfo=TZ)
    a, spoken, sink = announcer(clock, cfg)
    one_call(a, feed, hall)
    assert len(heard(spoken, sink)) == expected
    assert len(a.skipped) == 1 - expected


def standby(clock):
    """An announcer standing by, and the lever that hands it the lease."""
    holds = [False]
    spoken, sink = voice(chime=False)
    a = HallAnnouncer(
        AnnouncerConfig(), spoken, holds_lease=lambda: holds[0], active=False, clock=clock
    )
    return a, holds, spoken, sink


def test_a_standby_keeps_calls_and_speaks_what_the_old_announcer_missed(feed, hall, clock):
    a, holds, spoken, sink = standby(clock)
    follow(a, feed)
    for _ in range(4):
        hall("issue", "A")
    seqs = []
    for code in ("S01", "S02", "S03", "S04"):
        hall("call-next", code)
        msgs = feed.take()
        seqs.append(next(m["seq"] for m in msgs if m["type"] == "ticket.called"))
        for msg in msgs:
            a.on_message(msg)
    assert heard(spoken, sink) == []  # standing by
    holds[0] = True
    a.on_lease_change(True, floor=seqs[1])  # the old one was alive after the second call
    assert heard(spoken, sink) == [
        announcement_text("A003", "S03"),
        announcement_text("A004", "S04"),
    ]
    hall("issue", "A")
    hall("call-next", "S05")
    follow(a, feed)
    assert heard(spoken, sink)[-1] == announcement_text("A005", "S05")


def test_a_call_older_than_the_bound_when_its_turn_comes_is_let_go_as_stale(feed, hall, clock):
    a, spoken, sink = announcer(clock, AnnouncerConfig(max_age_seconds=60))
    follow(a, feed)
    hall("issue", "A")
    hall("issue", "A")
    hall("call-next", "S01")  # made at 09:00:00
    clock.advance(seconds=61)  # a long network drop: it reaches the announcer a minute late
    hall("call-next", "S02")
    follow(a, feed)
    assert heard(spoken, sink) == [announcement_text("A002", "S02")]
    assert [(c.number, why) for c, why in a.skipped] == [("A001", "stale")]


def test_a_kept_call_whose_ticket_was_finished_meanwhile_is_stale_and_the_rest_are_spoken(
    feed, hall, clock
):
    a, holds, spoken, sink = standby(clock)
    follow(a, feed)
    for _ in range(3):
        hall("issue", "A")
    hall("call-next", "S01")
    hall("call-next", "S02")
    hall("outcome", "S01", outcome="accepted")  # A001 served while nobody could announce
    hall("call-next", "S03")
    follow(a, feed)
    holds[0] = True
    a.on_lease_change(True, floor=0)
    assert heard(spoken, sink) == [
        announcement_text("A002", "S02"),
        announcement_text("A003", "S03"),
    ]
    assert [(c.number, why) for c, why in a.skipped] == [("A001", "stale")]


def test_a_call_the_voice_refuses_is_not_counted_as_spoken(feed, hall, clock):
    a, spoken, sink = announcer(clock)
    spoken.close()  # e.g. shutting down: the voice takes no more calls
    one_call(a, feed, hall)
    assert sink.labels == [] and a.spoken == []
    assert [(c.number, why) for c, why in a.skipped] == [("A001", "voice_refused")]


class BrokenEngine(ToneEngine):
    """Cannot render the window S02 (say, a clip missing from the set)."""

    def render(self, tokens) -> Audio:
        tokens = list(tokens)
        if tokens[tokens.index("号到") + 1 : -1] == ["S", "零", "二"]:
            raise OSError("clip missing")
        return super().render(tokens)


def test_a_call_the_voice_failed_to_render_is_reported_and_not_counted_as_spoken(
    feed, hall, clock, caplog
):
    sink = RecordingSink()
    broken = Announcer(BrokenEngine(), sink, chime=False)
    a = HallAnnouncer(AnnouncerConfig(chime=False), broken, clock=clock)
    follow(a, feed)
    for _ in range(2):
        hall("issue", "A")
    hall("call-next", "S01")
    hall("call-next", "S02")
    follow(a, feed)
    assert broken.wait_idle(10)
    assert a.check_voice() and "clip missing" in a.errors[0]
    assert [c.number for c in a.spoken] == ["A001"] and sink.labels == [
        announcement_text("A001", "S01")
    ]
    assert [(c.number, why) for c, why in a.skipped] == [("A002", "voice_error")]
    assert "announcement not played" in caplog.text
