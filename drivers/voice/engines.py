"""Offline speech: clips concatenated (the default) or espeak-ng's cmn-latn-pinyin voice.

espeak-ng's plain `cmn` voice in Debian 12 (1.51) reads tone digits aloud in English
(espeak-ng#1236), so only `cmn-latn-pinyin` is used, fed pinyin with tone numbers.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from drivers.errors import DeviceNotFound
from drivers.voice.audio import Audio, chime, join, read_wav, trim
from drivers.voice.text import espeak_input

ESPEAK_VOICE = "cmn-latn-pinyin"


class Engine(Protocol):
    """Turns announcement tokens into audio."""

    def render(self, tokens: Sequence[str]) -> Audio:
        """The spoken tokens."""

    def chime(self) -> Audio:
        """The 叮咚 played before a call, in the same format as `render`."""


class ClipEngine:
    """A folder of WAVs, one per token ("请.wav", "A.wav", "零.wav" …, optional "chime.wav").

    Every clip must be 16-bit PCM with the same rate and channels; silence at both ends is
    trimmed when a clip is first used, and clips are joined with ~60 ms gaps.
    """

    def __init__(self, clip_dir: str | Path, *, gap: float = 0.06) -> None:
        self.clip_dir = Path(clip_dir)
        self.gap = gap
        if not self.clip_dir.is_dir():
            raise DeviceNotFound(
                "找不到语音片段目录（先运行 yichuang voice build-clips）", detail=str(self.clip_dir)
            )
        self._cache: dict[str, Audio] = {}
        self._lock = threading.Lock()

    def clip(self, token: str) -> Audio:
        """The trimmed clip of one token."""
        with self._lock:
            if token not in self._cache:
                path = self.clip_dir / f"{token}.wav"
                if not path.is_file():
                    raise DeviceNotFound(f"语音片段缺失：{token}.wav", detail=str(self.clip_dir))
                self._cache[token] = trim(read_wav(path))
            return self._cache[token]

    def render(self, tokens: Sequence[str]) -> Audio:
        """The clips of the tokens, joined."""
        return join([self.clip(t) for t in tokens], self.gap)

    def chime(self) -> Audio:
        """chime.wav when the set has one, else a synthesised 叮咚 in the set's format."""
        if (self.clip_dir / "chime.wav").is_file():
            return self.clip("chime")
        sample = self.clip("请")
        return chime(sample.rate, sample.channels)


class EspeakEngine:
    """espeak-ng run per announcement (robotic but intelligible, and needs no clip set)."""

    def __init__(self, *, executable: str = "espeak-ng", speed: int = 150, timeout: float = 10):
        found = shutil.which(executable)
        if found is None:
            raise DeviceNotFound("未安装 espeak-ng（apt-get install espeak-ng）", detail=executable)
        self.executable, self.speed, self.timeout = found, speed, timeout

    def speak(self, text: str) -> Audio:
        """Any pinyin/hanzi text through the cmn-latn-pinyin voice, silence trimmed."""
        with tempfile.TemporaryDirectory(prefix="yichuang-espeak-") as tmp:
            out = Path(tmp) / "say.wav"
            # -w writes a proper header; --stdout's header carries a bogus length
            subprocess.run(
                [self.executable, "-v", ESPEAK_VOICE, "-s", str(self.speed), "-w", str(out), text],
                check=True,
                capture_output=True,
                timeout=self.timeout,
            )
            return trim(read_wav(out))

    def render(self, tokens: Sequence[str]) -> Audio:
        """The tokens spelled in pinyin, spoken in one run."""
        return self.speak(espeak_input(list(tokens)))

    def chime(self) -> Audio:
        """A synthesised 叮咚 at espeak's rate (22050 Hz mono)."""
        return chime(22050, 1)
