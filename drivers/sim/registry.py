"""sim://<profile-id>[?name=<instance>]: one simulator per (profile, name) in this process."""

from __future__ import annotations

import importlib
import threading
from urllib.parse import parse_qs, urlsplit

from drivers.errors import DeviceNotFound
from drivers.profiles import Profile, ProfileError, load_profile
from drivers.sim.base import SimTransport, Simulator

# Device kind -> "module:Class" of its simulator (imported on first use).
_CLASSES = {
    "printer": "drivers.sim.printer:PrinterSimulator",
    "led": "drivers.sim.sign:SignSimulator",
    "evaluator": "drivers.sim.serial_devices:EvaluatorSimulator",
    "keypad": "drivers.sim.serial_devices:KeypadSimulator",
    "idcard": "drivers.sim.idcard:IdCardSimulator",
}
_sims: dict[tuple[str, str], Simulator] = {}
_lock = threading.Lock()


def sim_options(url: str) -> dict[str, str]:
    """The query of a sim:// URL other than `name` (framing=network, firmware=3.2 …)."""
    query = parse_qs(urlsplit(url).query)
    return {key: values[0] for key, values in query.items() if key != "name"}


def parse_sim_url(url: str) -> tuple[str, str]:
    """("xprinter-xp80c", "kiosk1") from sim://xprinter-xp80c?name=kiosk1 (name "default")."""
    parts = urlsplit(url)
    if parts.scheme != "sim" or not parts.netloc:
        raise DeviceNotFound("模拟设备地址应为 sim://<型号>", detail=url)
    name = parse_qs(parts.query).get("name", ["default"])[0]
    return parts.netloc, name


def create_simulator(profile: Profile, name: str = "default") -> Simulator:
    """A new simulator of the right kind for this profile (not registered)."""
    module, cls = _CLASSES[profile.kind].split(":")
    sim_class: type[Simulator] = getattr(importlib.import_module(module), cls)
    return sim_class(profile, name)


def get_simulator(url: str) -> Simulator:
    """The simulator behind a sim:// URL, started on first use, so tests can set faults first."""
    profile_id, name = parse_sim_url(url)
    with _lock:
        sim = _sims.get((profile_id, name))
        if sim is None:
            try:
                profile = load_profile(profile_id)
            except ProfileError as exc:
                raise DeviceNotFound(f"没有型号 {profile_id}", detail=str(exc)) from exc
            sim = _sims[(profile_id, name)] = create_simulator(profile, name)
            sim.configure(sim_options(url))
        return sim


def open_sim_transport(url: str, *, timeout: float = 1.0) -> SimTransport:
    """The transport `open_transport("sim://…")` returns."""
    return SimTransport(get_simulator(url), url, timeout)


def reset_simulators() -> None:
    """Forget every simulator (tests start from a fresh device)."""
    with _lock:
        _sims.clear()
