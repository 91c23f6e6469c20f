"""Kiosk station settings: one TOML file per kiosk (server, devices, screen, timeouts).

Unknown keys are refused so a typo ("idle_timout") does not silently fall back to a default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.strict_toml import Table, TomlFileError, read_toml

DEMO_TOKEN = "demo-kiosk"
DEMO_DEVICE = "kiosk-1"
DEMO_IDCARD_PROFILE = "ga467-sam-reader"  # the GA 467 reader profile drivers/ ships


class KioskConfigError(TomlFileError):
    """The station file is wrong: which file, which key and why."""


@dataclass(frozen=True)
class KioskConfig:
    """Everything one kiosk needs to run; defaults suit an 80 mm printer on a 1080p screen."""

    server_url: str
    token: str
    hall: str = "demo"
    device_id: str = DEMO_DEVICE
    printer_profile: str = "xprinter-xp80c"
    printer_url: str = "sim://xprinter-xp80c?name=kiosk-1"
    idcard_profile: str | None = None
    idcard_url: str | None = None
    width: int = 1920
    height: int = 1080
    fullscreen: bool = True
    idle_timeout_s: float = 60.0
    ticket_timeout_s: float = 20.0
    status_interval_s: float = 0.5
    require_id: bool = True
    green_age: int = 65
    language: str = "zh"
    home_queues: tuple[str, ...] = field(default_factory=tuple)

    @property
    def printer_device(self) -> str:
        """The id the printer reports its status under (`kiosk-1.printer`)."""
        return f"{self.device_id}.printer"

    @property
    def idcard_device(self) -> str:
        """The id the ID-card reader reports its status under (`kiosk-1.idcard`)."""
        return f"{self.device_id}.idcard"


def load_config(path: Path) -> KioskConfig:
    """Read a station file; raises KioskConfigError naming the file and the bad key."""
    return config_from_dict(read_toml(path, KioskConfigError), str(path))


def config_from_dict(data: dict[str, Any], source: str = "kiosk.toml") -> KioskConfig:
    """Build a KioskConfig from parsed TOML, checking keys, types and bounds."""
    d = _DEFAULTS
    root = Table(data, source, error=KioskConfigError)
    server, printer, idcard = (
        root.table("server"),
        root.table("printer", {}),
        root.table("idcard", {}),
    )
    screen, b = root.table("screen", {}), root.table("behaviour", {})
    language = b.text("language", d.language)
    if language not in ("zh", "en"):
        raise b.error("language", "must be zh or en")
    cfg = KioskConfig(
        server_url=server.text("url", max_len=500),
        token=server.text("token", max_len=1000),
        hall=server.text("hall", d.hall),
        device_id=server.text("device_id", d.device_id),
        printer_profile=printer.text("profile", d.printer_profile),
        printer_url=printer.text("url", d.printer_url, max_len=500),
        idcard_profile=idcard.text("profile", None),
        idcard_url=idcard.text("url", None, max_len=500),
        width=screen.integer("width", d.width, lo=320, hi=7680),
        height=screen.integer("height", d.height, lo=240, hi=4320),
        fullscreen=screen.flag("fullscreen", d.fullscreen),
        idle_timeout_s=b.number("idle_timeout_s", d.idle_timeout_s, lo=5, hi=3600),
        ticket_timeout_s=b.number("ticket_timeout_s", d.ticket_timeout_s, lo=3, hi=600),
        status_interval_s=b.number("status_interval_s", d.status_interval_s, lo=0.1, hi=30),
        require_id=b.flag("require_id", d.require_id),
        green_age=b.integer("green_age", d.green_age, lo=50, hi=100),
        language=language,
        home_queues=tuple(b.texts("home_queues", [])),
    )
    for table in (server, printer, idcard, screen, b, root):
        table.done()
    return cfg


_DEFAULTS = KioskConfig(server_url="", token="")


def demo_config(server_url: str) -> KioskConfig:
    """The demo kiosk: demo hall, demo token, simulated printer and ID reader, a window."""
    return KioskConfig(
        server_url=server_url,
        token=DEMO_TOKEN,
        hall="demo",
        device_id=DEMO_DEVICE,
        printer_profile="xprinter-xp80c",
        printer_url="sim://xprinter-xp80c?name=kiosk-1",
        idcard_profile=DEMO_IDCARD_PROFILE,
        idcard_url=f"sim://{DEMO_IDCARD_PROFILE}?name=kiosk-1",
        width=1280,
        height=720,
        fullscreen=False,
    )
