"""The display station's TOML: server, TV screen, LED window signs and the hall announcer.

One file per display host. Unknown keys are errors, so a typo never silently falls back to
a default. See docs/displays.md for a commented example.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.strict_toml import Table, TomlFileError, read_toml

LAYOUTS = ("landscape", "portrait")
CONFLICT_MODES = ("standby", "refuse")
ENGINES = ("clips", "espeak")
SPAN = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class DisplayConfigError(TomlFileError):
    """The display file is wrong: which file, which key and what is wrong."""


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
    return parse_config(read_toml(path, DisplayConfigError), str(path))


def parse_config(data: dict[str, Any], source: str = "<display>") -> DisplayConfig:
    """Check the parsed TOML of a display file."""
    root = Table(data, source, error=DisplayConfigError)
    server = root.table("server")
    cfg = DisplayConfig(
        server=ServerConfig(
            url=server.text("url", max_len=500).rstrip("/"),
            hall=server.text("hall"),
            token=_token(server),
        ),
        screen=_screen(root.table("screen", None)),
        led=_led(root.table("led", None)),
        announcer=_announcer(root.table("announcer", None)),
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


def _token(server: Table) -> str:
    if server.has("token_file"):
        path = Path(server.text("token_file", max_len=1000))
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise server.error("token_file", f"cannot read {path}: {exc}") from None
    return str(server.text("token", max_len=1000))


def _screen(t: Table | None) -> ScreenConfig:
    if t is None:
        return ScreenConfig()
    cfg = ScreenConfig(
        enabled=t.flag("enabled", True),
        areas=tuple(t.texts("areas", [], single_ok=True)),
        layout=t.text("layout", "landscape", choices=LAYOUTS),
        recent=t.integer("recent", 8, lo=1, hi=20),
        flash_seconds=t.number("flash_seconds", 10.0, lo=0, hi=120),
        fullscreen=t.flag("fullscreen", True),
        title=t.text("title", "", empty_ok=True),
    )
    t.done()
    return cfg


def _led(t: Table | None) -> LedConfig:
    if t is None:
        return LedConfig()
    signs = []
    for s in t.tables("signs"):
        signs.append(
            SignConfig(
                window=s.text("window"),
                url=s.text("url", max_len=500),
                profile=s.text("profile"),
                address=s.integer("address", 1, lo=0, hi=255),
            )
        )
        s.done()
    windows = [s.window for s in signs]
    if len(set(windows)) != len(windows):
        raise t.error("signs", "a window may have one sign only")
    cfg = LedConfig(
        signs=tuple(signs),
        idle_text=t.text("idle_text", "欢迎光临", empty_ok=True),
        closed_text=t.text("closed_text", "暂停服务", empty_ok=True),
        refresh_seconds=t.number("refresh_seconds", 60.0, lo=1, hi=3600),
        health_seconds=t.number("health_seconds", 5.0, lo=0.2, hi=600),
    )
    t.done()
    return cfg


def _announcer(t: Table | None) -> AnnouncerConfig:
    if t is None:
        return AnnouncerConfig()
    try:
        hours = parse_hours(t.texts("hours", [], single_ok=True))
    except ValueError as exc:
        raise t.error("hours", str(exc)) from None
    cfg = AnnouncerConfig(
        enabled=t.flag("enabled", True),
        on_conflict=t.text("on_conflict", "standby", choices=CONFLICT_MODES),
        engine=t.text("engine", "clips", choices=ENGINES),
        clip_dir=t.text("clip_dir", "", empty_ok=True, max_len=1000),
        sink=t.text("sink", "aplay", empty_ok=True, max_len=1000),
        volume=t.number("volume", 0.8, lo=0, hi=1),
        hours=hours,
        chime=t.flag("chime", True),
        lease_seconds=t.integer("lease_seconds", 15, lo=3, hi=600),
        max_age_seconds=t.number("max_age_seconds", 60, lo=5, hi=3600),
    )
    if not (cfg.sink in ("aplay", "null") or cfg.sink.startswith("wav:")):
        raise t.error("sink", 'must be "aplay", "null" or "wav:<folder>"')
    t.done()
    return cfg
