"""Hall-file errors; the strict reader itself is the one in drivers/strict_toml.py."""

from __future__ import annotations

from drivers.strict_toml import Table, TomlFileError

__all__ = ["ConfigError", "Table"]


class ConfigError(TomlFileError):
    """A hall file is wrong: which file, which key, and what is wrong."""
