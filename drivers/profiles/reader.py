"""Firmware-profile errors; profiles are read by the one strict reader, drivers/strict_toml.py."""

from __future__ import annotations

from drivers.strict_toml import Table, TomlFileError

__all__ = ["ProfileError", "Table"]


class ProfileError(TomlFileError):
    """A firmware profile is wrong: which file, which key, and what is wrong."""
