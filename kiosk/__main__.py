"""`yichuang kiosk`: the self-service ticket kiosk (自助取号机, PyQt6)."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path

from drivers.errors import DeviceError
from drivers.profiles import ProfileError
from kiosk.config import KioskConfig, KioskConfigError, demo_config, load_config


def main(argv: list[str] | None = None) -> int:
    """Run the kiosk: `--config kiosk.toml` (full screen) or `--demo --server URL`."""
    ns = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not one line per request
    try:
        config = _config(ns)
    except KioskConfigError as exc:
        print(f"yichuang kiosk: {exc}", file=sys.stderr)
        return 2
    from PyQt6.QtWidgets import QApplication

    from kiosk.views.theme import install_font
    from kiosk.wiring import KioskApp

    app = QApplication(sys.argv[:1])
    install_font(app)
    try:
        kiosk = KioskApp(config)
    except (DeviceError, ProfileError) as exc:  # a wrong printer profile or URL
        print(f"yichuang kiosk: {exc}", file=sys.stderr)
        return 2
    if ns.demo:
        kiosk.enable_demo_card()
    kiosk.show()
    kiosk.start()
    try:
        return int(app.exec())
    finally:
        kiosk.close()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yichuang kiosk", description="自助取号机（PyQt6）")
    p.add_argument("--config", type=Path, help="station TOML file (see docs/kiosk.md)")
    p.add_argument("--demo", action="store_true", help="demo hall, simulated printer and reader")
    p.add_argument("--server", default="http://127.0.0.1:8000", help="server URL (demo)")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    return p


def _config(ns: argparse.Namespace) -> KioskConfig:
    if ns.config is not None:
        config = load_config(ns.config)
    elif ns.demo:
        config = demo_config(ns.server)
    else:
        raise KioskConfigError("give --config kiosk.toml, or --demo --server URL")
    if ns.windowed:
        config = dataclasses.replace(config, fullscreen=False)
    return config


if __name__ == "__main__":
    sys.exit(main())
