"""`yichuang caller`: the desktop clerk pad (PyQt6)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from caller import config as station


def main(argv: list[str] | None = None) -> int:
    """Run the pad: `--config FILE`, or `--demo --server URL [--user clerk01 --window S01]`."""
    ns = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise
    try:
        cfg = _config(ns)
    except station.ConfigError as exc:
        print(f"yichuang caller: {exc}", file=sys.stderr)
        return 2
    from PyQt6.QtWidgets import QApplication

    from caller.views import theme
    from caller.wiring import PadApp

    app = QApplication(sys.argv[:1])
    theme.install(app)
    pad = PadApp(cfg)
    pad.window.show()
    pad.auto_login()
    try:
        return int(app.exec())
    finally:
        pad.close()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yichuang caller", description="窗口叫号 pad (PyQt6)")
    p.add_argument("--config", type=Path, help="station TOML file (see docs/clerk-pad.md)")
    p.add_argument("--demo", action="store_true", help="the demo hall with demo credentials")
    p.add_argument("--server", default="http://127.0.0.1:8000", help="server URL (demo)")
    p.add_argument("--user", default="clerk01", help="demo user (demo)")
    p.add_argument("--window", default="S01", help="window code (demo)")
    return p


def _config(ns: argparse.Namespace) -> station.StationConfig:
    if ns.config is not None:
        return station.load(ns.config)
    if ns.demo:
        return station.demo(ns.server, ns.user, ns.window)
    raise station.ConfigError("give --config FILE, or --demo --server URL")


if __name__ == "__main__":
    sys.exit(main())
