"""Fixtures for the driver tests: fresh simulators, a private python-escpos cache."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

# python-escpos reads this at import; keep its capabilities pickle out of /tmp's top level.
os.environ.setdefault(
    "ESCPOS_CAPABILITIES_PICKLE_DIR", tempfile.mkdtemp(prefix="yichuang-escpos-tests-")
)

from drivers.led import Bus
from drivers.serial_link import YcLink
from drivers.sim import reset_simulators


@pytest.fixture(autouse=True)
def fresh_simulators() -> Iterator[None]:
    """Every test starts with new simulated devices and no bus threads."""
    reset_simulators()
    yield
    Bus.close_all()
    YcLink.close_all()
    reset_simulators()
