"""`yichuang demo`: the demo hall plus its companions (simulation, kiosk, pad, TV, signs)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

log = logging.getLogger("yichuang.demo")


def has_screen() -> bool:
    """True when a desktop app can open a window here."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def companion_commands(base_url: str, screen: bool) -> dict[str, list[str]]:
    """The apps the demo starts next to the server: windows only when there is a screen."""
    me = [sys.executable, "-m", "server"]
    if not screen:
        # Headless: the LED bridge on simulated signs and the announcer still run.
        return {"display": [*me, "display", "--demo", "--headless", "--server", base_url]}
    return {
        "kiosk": [*me, "kiosk", "--demo", "--server", base_url],
        "caller": [*me, "caller", "--demo", "--server", base_url],
        "display": [*me, "display", "--demo", "--server", base_url],
    }


class Companions:
    """Starts the simulation and the companion apps once the server answers; stops them."""

    def __init__(
        self,
        base_url: str,
        log_dir: Path,
        *,
        simulate: bool,
        speed: float,
        apps: bool,
        banner: str = "",
    ) -> None:
        self.base_url, self.log_dir, self.banner = base_url, log_dir, banner
        self.simulate, self.speed, self.apps = simulate, speed, apps
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        """Begin in the background (the server starts in the foreground meanwhile)."""
        threading.Thread(target=self._run, daemon=True, name="demo-companions").start()

    def stop(self) -> None:
        """Terminate the companion apps."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()

    def _run(self) -> None:
        if not _wait_until_up(self.base_url):
            return
        print(self.banner, flush=True)
        if self.simulate:
            from server.demo.simulation import start_in_background

            start_in_background(self.base_url, speed=self.speed)
            print(f"demo: simulating citizens and clerks at {self.speed:g}x speed", flush=True)
        if self.apps:
            self._spawn_apps()

    def _spawn_apps(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name, cmd in companion_commands(self.base_url, has_screen()).items():
            log_file = self.log_dir / f"{name}.log"
            with open(log_file, "ab") as out:
                self.procs[name] = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
            time.sleep(1.0)
            if self.procs[name].poll() is not None:
                print(f"demo: {name} did not start, see {log_file}", flush=True)
            else:
                print(f"demo: started {name} (log {log_file})", flush=True)


def _wait_until_up(base_url: str, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            time.sleep(0.2)
    log.error("demo: the server did not come up at %s", base_url)
    return False
