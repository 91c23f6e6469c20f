"""Build the default clip set once with espeak-ng (an operator may replace it with recordings)."""

from __future__ import annotations

import os
from pathlib import Path

from drivers.voice.audio import chime, normalise
from drivers.voice.engines import EspeakEngine
from drivers.voice.text import CLIP_TOKENS, PINYIN

DEFAULT_CLIP_DIR = Path("var") / "voice-clips"


def default_clip_dir() -> Path:
    """$YICHUANG_VOICE_CLIPS, else var/voice-clips under the working directory."""
    return Path(os.environ.get("YICHUANG_VOICE_CLIPS", DEFAULT_CLIP_DIR))


def build_clips(out: Path | None = None, *, engine: EspeakEngine | None = None) -> list[Path]:
    """Write one normalised, trimmed WAV per token plus chime.wav; returns the files."""
    target = out or default_clip_dir()
    target.mkdir(parents=True, exist_ok=True)
    speaker = engine or EspeakEngine()
    written = []
    for token in CLIP_TOKENS:
        audio = normalise(speaker.speak(PINYIN.get(token, token)))
        path = target / f"{token}.wav"
        path.write_bytes(audio.to_wav())
        written.append(path)
    bell = chime(22050, 1)
    (target / "chime.wav").write_bytes(bell.to_wav())
    written.append(target / "chime.wav")
    return written
