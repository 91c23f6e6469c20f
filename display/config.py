"""The display station's TOML: server, TV screen, LED window signs and the hall announcer.

One file per display host. Unknown keys are errors, so a typo never silently falls back to
a default. See docs/displays.md for a commented example.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LAYOUTS = ("landscape", "portrait")
CONFLICT_MODES = ("standby", "refuse")
ENGINES = ("clips", "espeak")
SPAN = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class DisplayConfigError(ValueError):
    """The display file is wrong: which key and what is wrong."""


@dataclass(frozen=True)
class ServerConfig:
    """Where the hall's server is and how this display signs in (a display device token)."""

    url: str
    hall: str
    token: str


@dataclass(frozen=True)
class ScreenConfig:
    """The hall TV: which areas it shows, orientation, how many recent calls."""

    enabled: bool = True
    areas: tuple[str, ...] = ()  # empty: the whole hall
    layout: str = "landscape"  # 16:9 1080p, or "portrait" for a vertical screen
    recent: int = 8
    flash_seconds: float = 10.0
    fullscreen: bool = True
    title: str = ""  # default: the hall's name (and the area's)


@dataclass(frozen=True)
class SignConfig:
    """One LED window sign: the window it belongs to, its bus, protocol profile and address."""

    window: str
    url: str
    profile: str
    address: int = 1


@dataclass(frozen=True)
class LedConfig:
    """The LED bridge: the signs and what they show when no number is called."""

    signs: tuple[SignConfig, ...] = ()
    idle_text: str = "欢迎光临"
    closed_text: str = "暂停服务"
    refresh_seconds: float = 60.0  # re-send every sign's text (a sign that lost power)
    health_seconds: float = 5.0


@dataclass(frozen=True)
class AnnouncerConfig:
    """The hall announcer: exactly one per hall holds the lease and speaks."""

    enabled: bool = False
    on_conflict: str = "standby"  # or "refuse": do not start while another one announces
    engine: str = "clips"
    clip_dir: str = ""  # empty: the default clip set
    sink: str = "aplay"  # "aplay", "wav:<folder>", "null"
    volume: float = 0.8
    hours: tuple[tuple[dt.time, dt.time], ...] = ()  # empty: always
    chime: bool = True
    lease_seconds: int = 15
    max_age_seconds: float = 60.0  # a call older than this when its turn comes is not spoken

    def in_hours(self, local: dt.datetime) -> bool:
        """True when announcing is allowed at this hall-local time."""
        if not self.hours:
            return True
        now = local.time()
        return any(start <= now < end for start, end in self.hours)


@dataclass(frozen=True)
class DisplayConfig:
    """Everything one display host runs."""

    server: ServerConfig
    screen: ScreenConfig = field(default_factory=ScreenConfig)
    led: LedConfig = field(default_factory=LedConfig)
    announcer: AnnouncerConfig = field(default_factory=AnnouncerConfig)
    timezone: str = "Asia/Shanghai"


def load_config(path: Path) -> DisplayConfig:
    """Read and check a display file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DisplayConfigError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise DisplayConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, str(path))


def parse_config(data: dict[str, Any], source: str = "<display>") -> DisplayConfig:
    """Check the parsed TOML of a display file."""
    root = _Reader(data, "", source)
    server = root.table("server")
    cfg = DisplayConfig(
        server=ServerConfig(
            url=server.text("url").rstrip("/"),
            hall=server.text("hall"),
            token=_token(server),
        ),
        screen=_screen(root.optional("screen")),
        led=_led(root.optional("led")),
        announcer=_announcer(root.optional("announcer")),
        timezone=root.text("timezone", "Asia/Shanghai"),
    )
    server.done()
    root.done()
    return cfg


def parse_hours(spans: list[str]) -> tuple[tuple[dt.time, dt.time], ...]:
    """["08:30-12:00", …] -> ((08:30, 12:00), …); raises ValueError on a bad span."""
    out = []
    for span in spans:
        m = SPAN.match(span.strip())
        if m is None:
            raise ValueError(f"{span!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(x) for x in m.groups())
        start, end = dt.time(h1, m1), dt.time(h2, m2) if h2 < 24 else dt.time.max
        if end <= start:
            raise ValueError(f"{span!r} ends before it starts")
        out.append((start, end))
    return tuple(out)


def _token(server: _Reader) -> str:
    if server.has("token_file"):
        path = Path(server.text("token_file"))
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise server.error("token_file", f"cannot read {path}: {exc}") from None
    return server.text("token")


def _screen(t: _Reader | None) -> ScreenConfig:
    if t is None:
        return ScreenConfig()
    cfg = ScreenConfig(
        enabled=t.flag("enabled", True),
        areas=tuple(t.texts("areas", [])),
        layout=t.choice("layout", LAYOUTS, "landscape"),
        recent=t.integer("recent", 8, 1, 20),
        flash_seconds=t.number("flash_seconds", 10.0, 0, 120),
        fullscreen=t.flag("fullscreen", True),
        title=t.text("title", ""),
    )
    t.done()
    return cfg


def _led(t: _Reader | None) -> LedConfig:
    if t is None:
        return LedConfig()
    signs = []
    for s in t.tables("signs"):
        signs.append(
            SignConfig(
                window=s.text("window"),
                url=s.text("url"),
                profile=s.text("profile"),
                address=s.integer("address", 1, 0, 255),
            )
        )
        s.done()
    windows = [s.window for s in signs]
    if len(set(windows)) != len(windows):
        raise t.error("signs", "a window may have one sign only")
    cfg = LedConfig(
        signs=tuple(signs),
        idle_text=t.text("idle_text", "欢迎光临"),
        closed_text=t.text("closed_text", "暂停服务"),
        refresh_seconds=t.number("refresh_seconds", 60.0, 1, 3600),
        health_seconds=t.number("health_seconds", 5.0, 0.2, 600),
    )
    t.done()
    return cfg


def _announcer(t: _Reader | None) -> AnnouncerConfig:
    if t is None:
        return AnnouncerConfig()
    try:
        hours = parse_hours(t.texts("hours", []))
    except ValueError as exc:
        raise t.error("hours", str(exc)) from None
    cfg = AnnouncerConfig(
        enabled=t.flag("enabled", True),
        on_conflict=t.choice("on_conflict", CONFLICT_MODES, "standby"),
        engine=t.choice("engine", ENGINES, "clips"),
        clip_dir=t.text("clip_dir", ""),
        sink=t.text("sink", "aplay"),
        volume=t.number("volume", 0.8, 0, 1),
        hours=hours,
        chime=t.flag("chime", True),
        lease_seconds=int(t.integer("lease_seconds", 15, 3, 600)),
        max_age_seconds=t.number("max_age_seconds", 60, 5, 3600),
    )
    if not (cfg.sink in ("aplay", "null") or cfg.sink.startswith("wav:")):
        raise t.error("sink", 'must be "aplay", "null" or "wav:<folder>"')
    t.done()
    return cfg


class _Reader:
    """One TOML table being read; the keys left unread at `done()` are errors."""

    def __init__(self, data: Any, path: str, source: str) -> None:
        if not isinstance(data, dict):
            raise DisplayConfigError(f"{source}: {path or '(top)'}: must be a table")
        self.data, self.path, self.source = data, path, source
        self.used: set[str] = set()

    def error(self, key: str, problem: str) -> DisplayConfigError:
        where = f"{self.path}.{key}" if self.path else key
        return DisplayConfigError(f"{self.source}: {where}: {problem}")

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, default: Any = ...) -> Any:
        self.used.add(key)
        if key in self.data:
            return self.data[key]
        if default is ...:
            raise self.error(key, "is required")
        return default

    def text(self, key: str, default: Any = ...) -> str:
        value = self.get(key, default)
        if not isinstance(value, str) or (default is ... and not value.strip()):
            raise self.error(key, "must be a non-empty string")
        return value

    def texts(self, key: str, default: list[str]) -> list[str]:
        value = self.get(key, default)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "must be a list of strings")
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(key, default)
        if value not in choices:
            raise self.error(key, f"must be one of {', '.join(choices)}")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def number(self, key: str, default: float, lo: float, hi: float) -> float:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise self.error(key, f"must be a number from {lo:g} to {hi:g}")
        return float(value)

    def integer(self, key: str, default: int, lo: int, hi: int) -> int:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise self.error(key, f"must be a whole number from {lo} to {hi}")
        return value

    def table(self, key: str) -> _Reader:
        return _Reader(self.get(key), f"{self.path}.{key}".lstrip("."), self.source)

    def optional(self, key: str) -> _Reader | None:
        self.used.add(key)
        return self.table(key) if key in self.data else None

    def tables(self, key: str) -> list[_Reader]:
        value = self.get(key, [])
        if not isinstance(value, list):
            raise self.error(key, "must be an array of tables ([[…]])")
        return [_Reader(v, f"{self.path}.{key}[{i}]", self.source) for i, v in enumerate(value)]

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise self.error(unknown[0], "unknown key")
