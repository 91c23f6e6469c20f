"""A strict reader for TOML tables: typed getters with bounds, unknown keys rejected."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_MISSING: Any = object()


class ConfigError(ValueError):
    """A configuration file is wrong: which file, which key, and what is wrong."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}")
        self.file, self.key, self.problem = file, key, problem


class Table:
    """One TOML table being read; remembers which keys were used so the rest can be refused."""

    def __init__(self, data: dict[str, Any], path: str, file: str) -> None:
        self.data, self.path, self.file = data, path, file
        self._used: set[str] = set()

    def error(self, key: str, problem: str) -> ConfigError:
        """Build an error for `key` of this table."""
        return ConfigError(self.file, self._key(key), problem)

    def has(self, key: str) -> bool:
        """True when the key is present."""
        return key in self.data

    def raw(self, key: str, default: Any = _MISSING) -> Any:
        """Return the value as parsed, marking the key used."""
        self._used.add(key)
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise self.error(key, "is required")
        return default

    def text(
        self,
        key: str,
        default: Any = _MISSING,
        *,
        max_len: int = 200,
        pattern: str | None = None,
        choices: tuple[str, ...] | None = None,
    ) -> Any:
        """Read a string, optionally checked against a regex or a set of choices."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string")
        if len(value) > max_len:
            raise self.error(key, f"must be at most {max_len} characters")
        if pattern and not re.fullmatch(pattern, value):
            raise self.error(key, f"must match {pattern}")
        if choices and value not in choices:
            raise self.error(key, f"must be one of {', '.join(choices)}")
        return value

    def integer(self, key: str, default: Any = _MISSING, *, lo: int = 0, hi: int = 10**9) -> Any:
        """Read an integer within [lo, hi]."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, "must be an integer")
        if not lo <= value <= hi:
            raise self.error(key, f"must be between {lo} and {hi}")
        return value

    def number(self, key: str, default: Any = _MISSING, *, lo: float = 0, hi: float = 1e9) -> Any:
        """Read a number within [lo, hi]."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, "must be a number")
        if not lo <= value <= hi:
            raise self.error(key, f"must be between {lo} and {hi}")
        return float(value)

    def flag(self, key: str, default: Any = _MISSING) -> Any:
        """Read a boolean."""
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def texts(self, key: str, default: Any = _MISSING, *, pattern: str | None = None) -> Any:
        """Read a list of strings."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, "must be a list of strings")
        for v in value:
            if pattern and not re.fullmatch(pattern, v):
                raise self.error(key, f"{v!r} must match {pattern}")
        return value

    def spans(self, key: str, default: Any = _MISSING) -> Any:
        """Read a list of "HH:MM-HH:MM" time spans."""
        value = self.texts(key, default)
        if value is default and default is not _MISSING:
            return value
        return tuple(self._span(key, v) for v in value)

    def time(self, key: str) -> dt.time:
        """Read a "HH:MM" time of day."""
        value = self.text(key, pattern=r"\d{2}:\d{2}")
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            raise self.error(key, f"{value!r} is not a time of day") from None

    def table(self, key: str, default: Any = _MISSING) -> Any:
        """Read a sub-table."""
        value = self.raw(key, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, dict):
            raise self.error(key, "must be a table")
        return Table(value, self._key(key), self.file)

    def tables(self, key: str, *, required: bool = False) -> list[Table]:
        """Read an array of tables (`[[key]]`)."""
        value = self.raw(key, _MISSING if required else [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, "must be an array of tables ([[...]])")
        return [Table(v, f"{self._key(key)}[{i}]", self.file) for i, v in enumerate(value)]

    def done(self) -> None:
        """Refuse keys nobody read: a typo must not be silently ignored."""
        unknown = sorted(set(self.data) - self._used)
        if unknown:
            raise self.error(unknown[0], "unknown key")

    def _span(self, key: str, text: str) -> tuple[dt.time, dt.time]:
        match = re.fullmatch(r"(\d{2}:\d{2})-(\d{2}:\d{2})", text)
        try:
            assert match
            start, end = dt.time.fromisoformat(match[1]), dt.time.fromisoformat(match[2])
        except (AssertionError, ValueError):
            raise self.error(key, f"{text!r} must look like 08:30-12:00") from None
        if end <= start:
            raise self.error(key, f"{text!r} ends before it starts")
        return (start, end)

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key
