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

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drivers.strict_toml import Table, TomlFileError, read_toml

DEMO_PASSWORD = "demo1234"
DEMO_EVALUATOR_TOKEN = "demo-evaluator"
DEMO_PRINTER_PROFILE = "xprinter-xp80c"
DEMO_EVALUATOR_PROFILE = "yc485-evaluator"


class ConfigError(TomlFileError):
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


def load(path: Path) -> StationConfig:
    """Read and check a station file."""
    return parse(read_toml(path, ConfigError), str(path))


def parse(data: dict[str, Any], file: str = "station.toml") -> StationConfig:
    """Check the tables and keys (unknown keys are errors, so typos never pass silently)."""
    root = Table(data, file, error=ConfigError)
    server, station = root.table("server"), root.table("station", {})
    cfg = StationConfig(
        server=server.text("url", max_len=500).strip().rstrip("/"),
        hall=server.text("hall").strip(),
        window=_optional(station, "window"),
        user=_optional(station, "user"),
        printer=_device(root.table("printer", None), with_token=False),
        evaluator=_device(root.table("evaluator", None), with_token=True),
    )
    for table in (server, station, root):
        table.done()
    return cfg


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


def _device(t: Table | None, *, with_token: bool) -> DeviceConfig | None:
    if t is None:
        return None
    device = DeviceConfig(
        profile=t.text("profile").strip(),
        url=t.text("url", max_len=500).strip(),
        token=_optional(t, "token") if with_token else None,
        address=t.integer("address", None, lo=0, hi=255) if with_token else None,
    )
    t.done()
    return device


def _optional(t: Table, key: str) -> str | None:
    value = t.text(key, None, max_len=1000)
    return value.strip() if value is not None else None
