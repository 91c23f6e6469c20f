"""Kiosk station settings: one TOML file per kiosk (server, devices, screen, timeouts).

Unknown keys are refused so a typo ("idle_timout") does not silently fall back to a default.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEMO_TOKEN = "demo-kiosk"
DEMO_DEVICE = "kiosk-1"
DEMO_IDCARD_PROFILE = "ga467-sam-reader"  # the GA 467 reader profile drivers/ ships


class KioskConfigError(ValueError):
    """The station file is wrong: which key and why."""


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


# TOML section -> {key: (KioskConfig field, expected type)}
_SECTIONS: dict[str, dict[str, tuple[str, type | tuple[type, ...]]]] = {
    "server": {
        "url": ("server_url", str),
        "token": ("token", str),
        "hall": ("hall", str),
        "device_id": ("device_id", str),
    },
    "printer": {"profile": ("printer_profile", str), "url": ("printer_url", str)},
    "idcard": {"profile": ("idcard_profile", str), "url": ("idcard_url", str)},
    "screen": {
        "width": ("width", int),
        "height": ("height", int),
        "fullscreen": ("fullscreen", bool),
    },
    "behaviour": {
        "idle_timeout_s": ("idle_timeout_s", (int, float)),
        "ticket_timeout_s": ("ticket_timeout_s", (int, float)),
        "status_interval_s": ("status_interval_s", (int, float)),
        "require_id": ("require_id", bool),
        "green_age": ("green_age", int),
        "language": ("language", str),
        "home_queues": ("home_queues", list),
    },
}
_BOUNDS = {
    "width": (320, 7680),
    "height": (240, 4320),
    "idle_timeout_s": (5, 3600),
    "ticket_timeout_s": (3, 600),
    "status_interval_s": (0.1, 30),
    "green_age": (50, 100),
}


def load_config(path: Path) -> KioskConfig:
    """Read a station file; raises KioskConfigError naming the bad key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KioskConfigError(f"{path}: {exc}") from exc
    return config_from_dict(data, str(path))


def config_from_dict(data: dict[str, Any], source: str = "kiosk.toml") -> KioskConfig:
    """Build a KioskConfig from parsed TOML, checking keys, types and bounds."""
    values: dict[str, Any] = {}
    for section, table in data.items():
        spec = _SECTIONS.get(section)
        if spec is None or not isinstance(table, dict):
            raise KioskConfigError(f"{source}: unknown section [{section}]")
        for key, value in table.items():
            if key not in spec:
                raise KioskConfigError(f"{source}: [{section}] unknown key {key!r}")
            name, kind = spec[key]
            values[name] = _checked(source, f"{section}.{key}", name, value, kind)
    for required in ("server_url", "token"):
        if required not in values:
            raise KioskConfigError(f"{source}: [server] {required.split('_')[-1]} is required")
    if values.get("language", "zh") not in ("zh", "en"):
        raise KioskConfigError(f"{source}: behaviour.language must be zh or en")
    return KioskConfig(**values)


def _checked(source: str, key: str, name: str, value: Any, kind: Any) -> Any:
    # bool is an int in Python; a width of `true` must still be refused
    if isinstance(value, bool) and kind is not bool:
        raise KioskConfigError(f"{source}: {key} has the wrong type")
    if not isinstance(value, kind):
        raise KioskConfigError(f"{source}: {key} has the wrong type")
    if name in _BOUNDS:
        lo, hi = _BOUNDS[name]
        if not lo <= value <= hi:
            raise KioskConfigError(f"{source}: {key} must be between {lo} and {hi}")
    if name == "home_queues":
        if not all(isinstance(code, str) for code in value):
            raise KioskConfigError(f"{source}: {key} must be a list of queue codes")
        return tuple(value)
    return value


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
