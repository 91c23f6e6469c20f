"""Voice: deterministic announcement text, offline engines, sinks and the hall announcer."""

from drivers.voice.announcer import Announcer, render_call
from drivers.voice.audio import Audio, read_wav
from drivers.voice.clips import build_clips, default_clip_dir
from drivers.voice.engines import ClipEngine, Engine, EspeakEngine
from drivers.voice.sinks import AplaySink, AudioSink, NullSink, Played, RecordingSink, WavFileSink
from drivers.voice.text import CLIP_TOKENS, announcement_text, announcement_tokens, spell

__all__ = [
    "CLIP_TOKENS",
    "Announcer",
    "AplaySink",
    "Audio",
    "AudioSink",
    "ClipEngine",
    "Engine",
    "EspeakEngine",
    "NullSink",
    "Played",
    "RecordingSink",
    "WavFileSink",
    "announcement_text",
    "announcement_tokens",
    "build_clips",
    "default_clip_dir",
    "read_wav",
    "render_call",
    "spell",
]
