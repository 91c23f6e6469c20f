"""16-bit PCM audio with the standard library only: read/write WAV, trim, join, scale, chime."""

from __future__ import annotations

import array
import io
import math
import sys
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Audio:
    """Mono or stereo 16-bit PCM frames at `rate` Hz."""

    rate: int
    channels: int
    frames: bytes

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.frames) / (2 * self.channels * self.rate)

    def samples(self) -> array.array[int]:
        """The samples as signed 16-bit integers (native order)."""
        out = array.array("h")
        out.frombytes(self.frames)
        if sys.byteorder == "big":
            out.byteswap()  # WAV is little-endian
        return out

    def with_samples(self, samples: array.array[int]) -> Audio:
        """The same format with other samples."""
        if sys.byteorder == "big":
            samples = array.array("h", samples)
            samples.byteswap()
        return Audio(self.rate, self.channels, samples.tobytes())

    def to_wav(self) -> bytes:
        """A complete WAV file."""
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as w:
            w.setnchannels(self.channels)
            w.setsampwidth(2)
            w.setframerate(self.rate)
            w.writeframes(self.frames)
        return buffer.getvalue()


def read_wav(source: bytes | Path) -> Audio:
    """A WAV file (bytes or path); only 16-bit PCM is accepted."""
    handle = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")  # noqa: SIM115
    with handle, wave.open(handle, "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{source if isinstance(source, Path) else 'WAV'}: need 16-bit PCM")
        return Audio(w.getframerate(), w.getnchannels(), w.readframes(w.getnframes()))


def silence(rate: int, channels: int, seconds: float) -> Audio:
    """Digital silence."""
    return Audio(rate, channels, bytes(2 * channels * int(rate * seconds)))


def trim(audio: Audio, threshold: int = 500) -> Audio:
    """Cut leading and trailing samples quieter than `threshold` (espeak pads ~0.3 s each)."""
    samples = audio.samples()
    loud = [i for i, s in enumerate(samples) if abs(s) > threshold]
    if not loud:
        return Audio(audio.rate, audio.channels, b"")
    start = loud[0] - loud[0] % audio.channels
    end = loud[-1] + audio.channels - loud[-1] % audio.channels
    return audio.with_samples(samples[start:end])


def join(parts: Sequence[Audio], gap: float = 0.06) -> Audio:
    """Concatenate with `gap` seconds of silence between parts; formats must match."""
    if not parts:
        raise ValueError("nothing to join")
    first = parts[0]
    for part in parts:
        if (part.rate, part.channels) != (first.rate, first.channels):
            raise ValueError("clips differ in rate or channels")
    pause = silence(first.rate, first.channels, gap).frames
    return Audio(first.rate, first.channels, pause.join(p.frames for p in parts))


def scale(audio: Audio, volume: float) -> Audio:
    """Multiply by `volume` (0..1 quieter, >1 louder), clipped to 16 bits."""
    if volume == 1.0:
        return audio
    out = array.array("h", (max(-32768, min(32767, int(s * volume))) for s in audio.samples()))
    return audio.with_samples(out)


def normalise(audio: Audio, peak: int = 26000) -> Audio:
    """Scale so the loudest sample reaches `peak` (clips of one set sound equally loud)."""
    loudest = max((abs(s) for s in audio.samples()), default=0)
    return scale(audio, peak / loudest) if loudest else audio


def chime(rate: int, channels: int = 1) -> Audio:
    """叮咚: two decaying tones (E6 then C6), 0.5 s."""
    samples = array.array("h")
    for freq in (1318.5, 1046.5):
        count = int(rate * 0.25)
        for i in range(count):
            value = 0.45 * math.exp(-5 * i / count) * math.sin(2 * math.pi * freq * i / rate)
            samples.extend([int(value * 32767)] * channels)
    return Audio(rate, channels, b"").with_samples(samples)
