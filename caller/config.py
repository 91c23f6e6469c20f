"""Station configuration of a clerk pad (one TOML file per window PC or tablet).

```toml
[server]
url = "http://10.0.0.5:8000"
hall = "demo"

[station]
window = "S01"            # the window this pad belongs to (omit: the clerk chooses)
user = "clerk01"          # pre-filled user name (optional)

[printer]                 # optional: the window's receipt printer, for notices
profile = "xprinter-xp80c"
url = "socket://10.0.0.31:9100"

[evaluator]               # optional: the window's evaluator (评价器)
profile = "yc485-evaluator"
url = "/dev/ttyUSB1"
address = 1               # its address on the RS-485 line (default: the profile's)
token = "…"               # the evaluator's device token from the hall file
```
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEMO_PASSWORD = "demo1234"
DEMO_EVALUATOR_TOKEN = "demo-evaluator"
DEMO_PRINTER_PROFILE = "xprinter-xp80c"
DEMO_EVALUATOR_PROFILE = "yc485-evaluator"


class ConfigError(ValueError):
    """The station file is wrong: which file, which key, what is wrong."""


@dataclass(frozen=True)
class DeviceConfig:
    """A device by firmware profile and connection URL (sim://… runs a simulator)."""

    profile: str
    url: str
    token: str | None = None
    address: int | None = None  # the device's bus address (evaluators on a shared line)


@dataclass(frozen=True)
class StationConfig:
    """Where the pad connects and which devices sit at its window."""

    server: str
    hall: str
    window: str | None = None
    user: str | None = None
    password: str | None = None  # only in demo mode; never read from a file
    printer: DeviceConfig | None = None
    evaluator: DeviceConfig | None = None


_KEYS = {
    "server": {"url", "hall"},
    "station": {"window", "user"},
    "printer": {"profile", "url"},
    "evaluator": {"profile", "url", "token", "address"},
}


def load(path: Path) -> StationConfig:
    """Read and check a station file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return parse(data, str(path))


def parse(data: dict[str, Any], file: str = "station.toml") -> StationConfig:
    """Check the tables and keys (unknown keys are errors, so typos never pass silently)."""
    for table, value in data.items():
        if table not in _KEYS or not isinstance(value, dict):
            raise ConfigError(f"{file}: {table}: unknown table")
        for key in value:
            if key not in _KEYS[table]:
                raise ConfigError(f"{file}: {table}.{key}: unknown key")
    server = data.get("server") or {}
    station = data.get("station") or {}
    return StationConfig(
        server=_text(server, "url", file, "server", required=True).rstrip("/"),
        hall=_text(server, "hall", file, "server", required=True),
        window=_text(station, "window", file, "station") or None,
        user=_text(station, "user", file, "station") or None,
        printer=_device(data, "printer", file),
        evaluator=_device(data, "evaluator", file),
    )


def demo(server: str, user: str = "clerk01", window: str = "S01") -> StationConfig:
    """The demo hall with simulated devices and the demo password (yichuang caller --demo)."""
    return StationConfig(
        server=server.rstrip("/"),
        hall="demo",
        window=window,
        user=user,
        password=DEMO_PASSWORD,
        printer=DeviceConfig(DEMO_PRINTER_PROFILE, f"sim://{DEMO_PRINTER_PROFILE}?name={window}"),
        evaluator=DeviceConfig(
            DEMO_EVALUATOR_PROFILE,
            f"sim://{DEMO_EVALUATOR_PROFILE}?name={window}",
            token=DEMO_EVALUATOR_TOKEN,
        ),
    )


def _device(data: dict[str, Any], table: str, file: str) -> DeviceConfig | None:
    if table not in data:
        return None
    section = data[table]
    address = section.get("address")
    if address is not None and (not isinstance(address, int) or not 0 <= address <= 255):
        raise ConfigError(f"{file}: {table}.address: must be a number 0..255")
    return DeviceConfig(
        profile=_text(section, "profile", file, table, required=True),
        url=_text(section, "url", file, table, required=True),
        token=_text(section, "token", file, table) or None,
        address=address,
    )


def _text(section: dict[str, Any], key: str, file: str, table: str, required: bool = False) -> str:
    value = section.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{file}: {table}.{key}: required")
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{file}: {table}.{key}: must be a non-empty string")
    return value.strip()
