"""Voice: deterministic Mandarin text, clip and espeak engines, the announcer's queue."""

from __future__ import annotations

import array
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from drivers.errors import DeviceNotFound
from drivers.voice import (
    CLIP_TOKENS,
    Announcer,
    AplaySink,
    Audio,
    ClipEngine,
    EspeakEngine,
    RecordingSink,
    WavFileSink,
    announcement_text,
    announcement_tokens,
    build_clips,
    read_wav,
)
from drivers.voice.audio import chime, silence
from drivers.voice.text import espeak_input

RATE = 8000


def tone(seconds: float, level: int = 8000) -> Audio:
    """A square wave with silence around it, like a clip fresh from a recorder."""
    body = Audio(RATE, 1, b"").with_samples(
        array.array("h", [level if i % 20 < 10 else -level for i in range(int(RATE * seconds))])
    )
    pad = silence(RATE, 1, 0.3)
    return Audio(RATE, 1, pad.frames + body.frames + pad.frames)


@pytest.fixture
def tone_clips(tmp_path: Path) -> Path:
    """A clip set whose every token is a 0.1 s tone padded with 0.3 s of silence."""
    for token in CLIP_TOKENS:
        (tmp_path / f"{token}.wav").write_bytes(tone(0.1).to_wav())
    return tmp_path


@pytest.fixture(scope="session")
def espeak_clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clips")
    build_clips(out)
    return out


def test_a_call_is_read_digit_by_digit() -> None:
    assert announcement_text("A012", "S03") == "请 A零一二 号到 S零三 号窗口办理"
    assert (
        announcement_text("a1000", "s26", recall=True) == "重呼 请 A一零零零 号到 S二六 号窗口办理"
    )
    assert announcement_text("A011", "S01", one="幺") == "请 A零幺幺 号到 S零幺 号窗口办理"


def test_tokens_name_the_clips() -> None:
    assert announcement_tokens("A012", "S03") == [
        "请",
        "A",
        "零",
        "一",
        "二",
        "号到",
        "S",
        "零",
        "三",
        "号窗口办理",
    ]
    assert announcement_tokens("B7", "S1", recall=True)[0] == "重呼"
    assert set(announcement_tokens("Z987", "Q654", recall=True, one="幺")) <= set(CLIP_TOKENS)


def test_something_unreadable_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot read"):
        announcement_text("A#1", "S01")


def test_espeak_gets_pinyin_so_polyphones_are_not_guessed() -> None:
    assert espeak_input(["重呼", "请", "A", "零"]) == "chong2 hu1 qing3 A ling2"


def test_clips_are_trimmed_and_joined_with_short_gaps(tone_clips: Path) -> None:
    audio = ClipEngine(tone_clips).render(["请", "A", "零"])
    assert audio.duration == pytest.approx(3 * 0.1 + 2 * 0.06, abs=0.01)


def test_a_missing_clip_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "请.wav").write_bytes(tone(0.1).to_wav())
    with pytest.raises(DeviceNotFound, match=r"A\.wav"):
        ClipEngine(tmp_path).render(["请", "A"])
    with pytest.raises(DeviceNotFound, match="build-clips"):
        ClipEngine(tmp_path / "nowhere")


def test_build_clips_makes_a_complete_set_with_espeak(espeak_clips: Path) -> None:
    names = {p.stem for p in espeak_clips.glob("*.wav")}
    assert names == set(CLIP_TOKENS) | {"chime"}
    audio = ClipEngine(espeak_clips).render(announcement_tokens("A012", "S03"))
    assert (audio.rate, audio.channels) == (22050, 1) and 2.5 < audio.duration < 9


def test_espeak_speaks_a_call_directly() -> None:
    audio = EspeakEngine().render(announcement_tokens("A012", "S03"))
    assert (audio.rate, audio.channels) == (22050, 1) and 2.5 < audio.duration < 9
    assert max(abs(s) for s in audio.samples()) > 1000


class SlowEngine:
    """Renders tones, slowly, and remembers when each render started."""

    def __init__(self, delay: float = 0.05) -> None:
        self.delay, self.started = delay, []

    def render(self, tokens: Sequence[str]) -> Audio:
        self.started.append((time.monotonic(), tokens[1]))
        time.sleep(self.delay)
        if tokens[1] == "X":
            raise RuntimeError("clip X is broken")
        return Audio(RATE, 1, b"").with_samples(array.array("h", [9000] * 800))

    def chime(self) -> Audio:
        return chime(RATE)


class SlowSink(RecordingSink):
    """Takes a while to play, like a speaker."""

    def __init__(self, delay: float = 0.1) -> None:
        super().__init__()
        self.delay, self.started = delay, []

    def play(self, audio: Audio, label: str = "") -> None:
        self.started.append(time.monotonic())
        time.sleep(self.delay)
        super().play(audio, label)


def test_each_seq_is_announced_once_and_in_order() -> None:
    sink = RecordingSink()
    announcer = Announcer(SlowEngine(0.0), sink)
    assert announcer.announce(5, "A001", "S01")
    assert not announcer.announce(5, "A001", "S01")  # the same event again
    assert announcer.announce(7, "A002", "S02", recall=True)
    assert not announcer.announce(6, "A003", "S03")  # older than what was announced
    assert announcer.wait_idle()
    assert sink.labels == [
        "请 A零零一 号到 S零一 号窗口办理",
        "重呼 请 A零零二 号到 S零二 号窗口办理",
    ]
    announcer.close()


def test_announce_never_blocks_and_the_next_call_is_rendered_while_one_plays() -> None:
    engine, sink = SlowEngine(0.05), SlowSink(0.2)
    announcer = Announcer(engine, sink)
    started = time.monotonic()
    for seq in range(1, 4):
        announcer.announce(seq, f"A00{seq}", "S01")
    assert time.monotonic() - started < 0.02
    assert announcer.wait_idle()
    assert engine.started[1][0] < sink.started[0] + 0.2  # call 2 rendered during call 1
    assert sink.started[1] - sink.started[0] < 0.2 + 0.05  # and played right after it
    announcer.close()


def test_a_chime_comes_before_each_call() -> None:
    sink = RecordingSink()
    announcer = Announcer(SlowEngine(0.0), sink)
    announcer.announce(1, "A001", "S01")
    announcer.wait_idle()
    played = sink.played[0].audio
    bell = chime(RATE)
    assert played.frames.startswith(bell.frames)
    assert played.duration == pytest.approx(bell.duration + 0.2 + 0.1, abs=0.01)
    announcer.close()


def test_volume_scales_and_zero_mutes() -> None:
    sink = RecordingSink()
    announcer = Announcer(SlowEngine(0.0), sink, chime=False, volume=0.5)
    announcer.announce(1, "A001", "S01")
    announcer.wait_idle()
    announcer.set_volume(0.0)
    announcer.announce(2, "A002", "S01")
    announcer.wait_idle()
    assert max(sink.played[0].audio.samples()) == 4500
    assert max(sink.played[1].audio.samples()) == 0
    announcer.close()


def test_a_broken_clip_skips_one_call_but_not_the_next() -> None:
    sink = RecordingSink()
    announcer = Announcer(SlowEngine(0.0), sink, chime=False)
    announcer.announce(1, "X001", "S01")
    announcer.announce(2, "A002", "S01")
    assert announcer.wait_idle()
    assert sink.labels == ["请 A零零二 号到 S零一 号窗口办理"]
    assert "clip X is broken" in announcer.errors[0]
    announcer.close()


def test_an_unreadable_code_skips_one_call_but_not_the_next() -> None:
    sink = RecordingSink()
    announcer = Announcer(SlowEngine(0.0), sink, chime=False)
    assert announcer.announce(1, "A#1", "综合1")
    assert announcer.announce(2, "A002", "S01")
    assert announcer.wait_idle(2.0)
    assert sink.labels == ["请 A零零二 号到 S零一 号窗口办理"]
    assert announcer.errors and announcer.errors[0].startswith("seq 1:")
    announcer.close()


def test_wav_file_sink_writes_one_file_per_announcement(tmp_path: Path) -> None:
    sink = WavFileSink(tmp_path / "out")
    announcer = Announcer(SlowEngine(0.0), sink, chime=False)
    announcer.announce(1, "A001", "S01")
    announcer.announce(2, "A002", "S01")
    announcer.wait_idle()
    announcer.close()
    assert [p.name for p in sink.written] == ["0001.wav", "0002.wav"]
    assert read_wav(sink.written[0]).duration == pytest.approx(0.1, abs=0.01)


def test_a_missing_player_is_reported() -> None:
    with pytest.raises(DeviceNotFound):
        AplaySink("no-such-player")


def test_many_announcers_threads_stop_on_close() -> None:
    before = threading.active_count()
    announcer = Announcer(SlowEngine(0.0), RecordingSink())
    announcer.close()
    assert threading.active_count() == before


def test_a_closed_announcer_refuses_new_calls() -> None:
    announcer = Announcer(SlowEngine(0.0), RecordingSink())
    announcer.close()
    assert not announcer.announce(1, "A001", "S01")
    assert announcer.wait_idle(0.1)
