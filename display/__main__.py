"""`yichuang display …`: the hall TV, the LED window-sign bridge and the hall announcer.

- `--config display.toml`: the TV (plus signs and announcer as configured);
- `--config display.toml --led`: the LED bridge only;
- `--config display.toml --headless`: LED bridge and announcer, no TV window;
- `--demo --server URL`: the demo hall, simulated signs, voice to the speaker or WAV files.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import sys
import threading
from pathlib import Path

from display.config import DisplayConfig, DisplayConfigError, load_config, parse_config

log = logging.getLogger("yichuang.display")
DEMO_WINDOWS = 26
# The demo hall's windows in 综合窗口区 get C-Power signs, the rest Onbon BX-5.
DEMO_CPOWER = {f"S{i:02d}" for i in (*range(1, 13), 26)}


def main(argv: list[str] | None = None) -> int:
    """Run the display host; returns the exit status."""
    ns = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per lease renewal is noise
    try:
        config = _config(ns)
    except DisplayConfigError as exc:
        print(f"yichuang display: {exc}", file=sys.stderr)
        return 2
    from display.wiring import Display, run_tv

    tv = not (ns.led or ns.headless) and config.screen.enabled
    display = Display(config, announce=not ns.led)
    if tv:
        return run_tv(display, fullscreen=config.screen.fullscreen and not ns.windowed)
    return _run_headless(display, has_other_work=bool(display.led))


def demo_config(
    server: str,
    *,
    layout: str = "landscape",
    areas: tuple[str, ...] = (),
    voice_dir: Path = Path("var") / "display",
) -> DisplayConfig:
    """The demo hall's display: simulated C-Power/Onbon signs per window, the announcer."""
    signs = []
    for i in range(1, DEMO_WINDOWS + 1):
        code = f"S{i:02d}"
        profile = "cpower" if code in DEMO_CPOWER else "onbon-bx5"
        signs.append({"window": code, "profile": profile, "url": f"sim://{profile}?name={code}"})
    speaker = shutil.which("aplay") and Path("/dev/snd").exists()
    return parse_config(
        {
            "server": {"url": server, "hall": "demo", "token": "demo-display"},
            "screen": {"layout": layout, "areas": list(areas), "fullscreen": False},
            "led": {"signs": signs},
            "announcer": {
                "enabled": True,
                "sink": "aplay" if speaker else f"wav:{voice_dir / 'announcements'}",
                "clip_dir": str(voice_dir / "voice-clips"),
            },
        },
        "<demo>",
    )


def _config(ns: argparse.Namespace) -> DisplayConfig:
    if ns.demo:
        return demo_config(ns.server, layout=ns.layout or "landscape", areas=tuple(ns.area or ()))
    if ns.config is None:
        raise DisplayConfigError("give --config FILE (or --demo --server URL)")
    return load_config(ns.config)


def _run_headless(display: object, *, has_other_work: bool) -> int:
    from display.wiring import Display

    assert isinstance(display, Display)
    display.start()
    if display.refused is not None and not has_other_work:
        display.stop()
        print(f"yichuang display: {display.refused}", file=sys.stderr)
        return 3
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    parts = [p for p, on in (("LED", display.led), ("播报", display.announcer)) if on]
    log.info("display running headless: %s (pid %d)", " + ".join(parts) or "-", os.getpid())
    done.wait()
    display.stop()
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yichuang display", description="大厅综合屏，窗口屏，叫号播报")
    p.add_argument("--config", type=Path, help="display TOML (see docs/displays.md)")
    p.add_argument("--demo", action="store_true", help="the demo hall with simulated signs")
    p.add_argument("--server", default="http://127.0.0.1:8000", help="server URL (with --demo)")
    p.add_argument("--led", action="store_true", help="run the LED window-sign bridge only")
    p.add_argument("--headless", action="store_true", help="LED bridge and announcer, no TV")
    p.add_argument("--layout", choices=("landscape", "portrait"), help="TV layout (--demo)")
    p.add_argument("--area", action="append", help="show one area only (--demo; repeatable)")
    p.add_argument("--windowed", action="store_true", help="a window instead of full screen")
    return p


if __name__ == "__main__":
    raise SystemExit(main())
