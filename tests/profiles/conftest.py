"""The profile tests use the driver tests' fixtures: fresh simulators, a private escpos cache."""

from tests.drivers.conftest import fresh_simulators

__all__ = ["fresh_simulators"]
