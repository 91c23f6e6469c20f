"""The hall's one announcer: each event seq spoken once, in order, rendered ahead, never blocking.

`announce()` only queues. A render thread turns the next call into audio while the play thread
is still speaking the previous one, so an announcement starts as soon as the speaker is free.
Seqs at or below the highest already accepted are ignored: a screen that reconnects and
replays the log does not make the hall hear old calls again.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass

from drivers.voice.audio import Audio, chime, join, scale, silence
from drivers.voice.engines import Engine
from drivers.voice.sinks import AudioSink
from drivers.voice.text import announcement_text, announcement_tokens

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Call:
    seq: int
    number: str
    window: str
    recall: bool


def render_call(
    engine: Engine,
    number: str,
    window: str,
    *,
    recall: bool = False,
    chime_first: bool = True,
    volume: float = 1.0,
    repeat: int = 1,
    pause: float = 0.5,
    one: str = "一",
) -> Audio:
    """The audio of one call: chime, the words (`repeat` times, `pause` s apart), at the volume."""
    speech = engine.render(announcement_tokens(number, window, recall=recall, one=one))
    gap = silence(speech.rate, speech.channels, max(0.0, pause))
    audio = join([p for _ in range(max(1, repeat)) for p in (speech, gap)][:-1], gap=0)
    if chime_first:
        bell = engine.chime()
        if (bell.rate, bell.channels) != (audio.rate, audio.channels):
            bell = chime(audio.rate, audio.channels)  # a dropped-in chime.wav of another rate
        audio = join([bell, audio], gap=0.2)
    return scale(audio, volume)


class Announcer:
    """Speak calls through `engine` into `sink` on background threads."""

    def __init__(
        self,
        engine: Engine,
        sink: AudioSink,
        *,
        chime: bool = True,
        volume: float = 1.0,
        repeat: int = 1,
        pause: float = 0.5,
        one: str = "一",
    ) -> None:
        self.engine, self.sink = engine, sink
        self.chime, self.repeat, self.one = chime, max(1, repeat), one
        self.pause = max(0.0, pause)
        self.volume = volume
        self.errors: list[str] = []
        self._highest = -1
        self._closed = False
        self._pending = 0
        self._cond = threading.Condition()
        self._calls: queue.Queue[_Call | None] = queue.Queue()
        self._audio: queue.Queue[tuple[str, Audio] | None] = queue.Queue(maxsize=2)
        self._threads = [
            threading.Thread(target=self._render_loop, name="voice-render", daemon=True),
            threading.Thread(target=self._play_loop, name="voice-play", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def announce(self, seq: int, number: str, window: str, recall: bool = False) -> bool:
        """Queue a call; False when this seq (or a later one) was already announced."""
        with self._cond:
            if seq <= self._highest or self._closed:
                return False
            self._highest = seq
            self._pending += 1
        self._calls.put(_Call(seq, number, window, recall))
        return True

    def set_volume(self, volume: float) -> None:
        """0.0 (mute, e.g. quiet hours) … 1.0 (as recorded); applies to calls not yet rendered."""
        self.volume = max(0.0, volume)

    def set_repeat(self, repeat: int, pause: float) -> None:
        """Say each call `repeat` times, `pause` s apart (calls not yet rendered)."""
        self.repeat, self.pause = max(1, repeat), max(0.0, pause)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until everything queued has been played (tests, shutdown)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending, timeout)

    def close(self) -> None:
        """Stop after the calls already queued; later calls are refused."""
        with self._cond:
            self._closed = True
        self._calls.put(None)
        for thread in self._threads:
            thread.join(timeout=10)

    def render(self, number: str, window: str, recall: bool = False) -> Audio:
        """The audio of one call with this announcer's settings."""
        return render_call(
            self.engine,
            number,
            window,
            recall=recall,
            chime_first=self.chime,
            volume=self.volume,
            repeat=self.repeat,
            pause=self.pause,
            one=self.one,
        )

    def _render_loop(self) -> None:
        while (call := self._calls.get()) is not None:
            try:
                label = announcement_text(
                    call.number, call.window, recall=call.recall, one=self.one
                )
                self._audio.put((label, self.render(call.number, call.window, call.recall)))
            except Exception as exc:  # an unreadable code or a broken clip must not stop the hall
                self._fail(f"seq {call.seq}: {exc}")
        self._audio.put(None)

    def _play_loop(self) -> None:
        while (item := self._audio.get()) is not None:
            label, audio = item
            try:
                self.sink.play(audio, label)
            except Exception as exc:  # the speaker may come back; keep going
                self._fail(f"{label}: {exc}", done=False)
            self._done()

    def _fail(self, message: str, *, done: bool = True) -> None:
        log.warning("announcement failed: %s", message)
        self.errors.append(message)
        if done:
            self._done()

    def _done(self) -> None:
        with self._cond:
            self._pending -= 1
            self._cond.notify_all()
