"""Where announcements go: the speaker (aplay/paplay), WAV files, a recorder for tests, nothing."""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from drivers.errors import DeviceNotFound, DeviceOffline
from drivers.voice.audio import Audio


class AudioSink(Protocol):
    """Plays one piece of audio to the end before returning."""

    def play(self, audio: Audio, label: str = "") -> None:
        """Play `audio`; `label` says what it is (the announcement text)."""


@dataclass(frozen=True)
class Played:
    """One thing a RecordingSink was asked to play."""

    label: str
    audio: Audio


class RecordingSink:
    """Keeps what was played, in order (tests assert on it)."""

    def __init__(self) -> None:
        self.played: list[Played] = []
        self._lock = threading.Lock()

    def play(self, audio: Audio, label: str = "") -> None:
        """Record instead of playing."""
        with self._lock:
            self.played.append(Played(label, audio))

    @property
    def labels(self) -> list[str]:
        """The labels played so far."""
        with self._lock:
            return [p.label for p in self.played]


class NullSink:
    """Plays nothing (a display without a speaker)."""

    def play(self, audio: Audio, label: str = "") -> None:
        """Do nothing."""


class WavFileSink:
    """Writes each announcement to `<dir>/<n>.wav`, or always to one file path."""

    def __init__(self, target: str | Path) -> None:
        self.target = Path(target)
        self.count = 0
        self.written: list[Path] = []

    def play(self, audio: Audio, label: str = "") -> None:
        """Write a WAV file."""
        if self.target.suffix.lower() == ".wav":
            path = self.target
        else:
            self.count += 1
            path = self.target / f"{self.count:04d}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(audio.to_wav())
        self.written.append(path)


class AplaySink:
    """The speaker, through ALSA's aplay (or PulseAudio's paplay)."""

    def __init__(self, command: str | None = None, *, timeout: float = 60) -> None:
        found = (
            shutil.which(command) if command else shutil.which("aplay") or shutil.which("paplay")
        )
        if found is None:
            raise DeviceNotFound("找不到 aplay/paplay（apt-get install alsa-utils）")
        self.command, self.timeout = found, timeout

    def play(self, audio: Audio, label: str = "") -> None:
        """Pipe the WAV to the player and wait for it to finish."""
        args = [self.command, "-q", "-"] if Path(self.command).name == "aplay" else [self.command]
        try:
            subprocess.run(
                args, input=audio.to_wav(), check=True, capture_output=True, timeout=self.timeout
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise DeviceOffline("扬声器播放失败", detail=str(exc)) from exc
