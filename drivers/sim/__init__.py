"""Simulators for every device, chosen by URL: sim://<profile-id>[?name=<instance>] (DESIGN §5)."""

from drivers.sim.base import SimTransport, Simulator
from drivers.sim.registry import (
    create_simulator,
    get_simulator,
    open_sim_transport,
    parse_sim_url,
    reset_simulators,
)

__all__ = [
    "SimTransport",
    "Simulator",
    "create_simulator",
    "get_simulator",
    "open_sim_transport",
    "parse_sim_url",
    "reset_simulators",
]
