"""The one strict TOML reader: hall files, firmware profiles and station files all read through it.

A `Table` hands out typed values with bounds and remembers which keys were read, so `done()` can
refuse the rest: a typo ("idle_timout_s") is an error naming the file and the key, never a silent
default. Each kind of file raises its own subclass of `TomlFileError`.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

MISSING: Any = object()


class TomlFileError(ValueError):
    """A TOML file is wrong: which file, which key, and what is wrong."""

    def __init__(self, file: str, key: str | None = None, problem: str | None = None) -> None:
        if key is None:  # one argument: a usage mistake before any file ("give --config FILE")
            super().__init__(file)
            self.file, self.key, self.problem = "", "", file
            return
        super().__init__(f"{file}: {key}: {problem}")
        self.file, self.key, self.problem = file, key, problem or ""


def read_toml(path: Path, error: type[TomlFileError] = TomlFileError) -> dict[str, Any]:
    """Parse a TOML file; a missing or unparsable file is an `error` naming the file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(str(path), "-", "file not found") from None
    except OSError as exc:
        raise error(str(path), "-", f"cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise error(str(path), "-", f"not valid TOML: {exc}") from None


class Table:
    """One TOML table being read; remembers which keys were used so the rest can be refused."""

    def __init__(
        self,
        data: dict[str, Any],
        file: str,
        path: str = "",
        *,
        origins: dict[str, str] | None = None,
        error: type[TomlFileError] = TomlFileError,
    ) -> None:
        self.data, self.file, self.path = data, file, path
        # dotted key -> the file (of an `inherits` chain) that set it, so errors name that file
        self.origins = origins or {}
        self.error_type = error
        self._used: set[str] = set()

    def key(self, name: str) -> str:
        """The dotted name of a key of this table, for messages."""
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> TomlFileError:
        """An error about `name` in this table."""
        key = self.key(name)
        return self.error_type(self.origins.get(key, self.file), key, problem)

    def has(self, name: str) -> bool:
        """True when the key is present."""
        return name in self.data

    def raw(self, name: str, default: Any = MISSING) -> Any:
        """The value as parsed, marking the key used."""
        self._used.add(name)
        if name in self.data:
            return self.data[name]
        if default is MISSING:
            raise self.error(name, "is required")
        return default

    def text(
        self,
        name: str,
        default: Any = MISSING,
        *,
        max_len: int = 200,
        pattern: str | None = None,
        choices: tuple[str, ...] | None = None,
        empty_ok: bool = False,
    ) -> Any:
        """A string (non-empty unless `empty_ok`), optionally matching a regex or in `choices`."""
        if name not in self.data and default is not MISSING:
            self._used.add(name)
            return default
        value = self.raw(name)
        if not isinstance(value, str) or not (empty_ok or value.strip()):
            raise self.error(name, "must be a non-empty string")
        if len(value) > max_len:
            raise self.error(name, f"must be at most {max_len} characters")
        if pattern and not re.fullmatch(pattern, value):
            raise self.error(name, f"must match {pattern}")
        if choices is not None and value not in choices:
            raise self.error(name, f"must be one of {', '.join(choices)} (got {value!r})")
        return value

    def integer(self, name: str, default: Any = MISSING, *, lo: int, hi: int) -> Any:
        """A whole number within [lo, hi]."""
        if name not in self.data and default is not MISSING:
            self._used.add(name)
            return default
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, "has the wrong type: must be a whole number")
        if not lo <= value <= hi:
            raise self.error(name, f"must be a whole number between {lo} and {hi} (got {value})")
        return value

    def number(self, name: str, default: Any = MISSING, *, lo: float, hi: float) -> Any:
        """A number within [lo, hi], as a float."""
        if name not in self.data and default is not MISSING:
            self._used.add(name)
            return default if default is None else float(default)
        value = self.raw(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(name, "has the wrong type: must be a number")
        if not lo <= value <= hi:
            raise self.error(name, f"must be a number between {lo:g} and {hi:g} (got {value:g})")
        return float(value)

    def flag(self, name: str, default: Any = MISSING) -> bool:
        """True or false."""
        value = self.raw(name, default)
        if not isinstance(value, bool):
            raise self.error(name, "must be true or false")
        return value

    def texts(
        self,
        name: str,
        default: Any = MISSING,
        *,
        pattern: str | None = None,
        max_items: int = 1000,
        single_ok: bool = False,
    ) -> Any:
        """A list of non-empty strings; `single_ok` also takes one bare string as a list of one."""
        if name not in self.data and default is not MISSING:
            self._used.add(name)
            return default
        value = self.raw(name)
        if single_ok and isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(name, "must be a list of strings")
        if len(value) > max_items:
            raise self.error(name, f"must be a list of at most {max_items} strings")
        if not all(v.strip() for v in value):
            raise self.error(name, "must contain only non-empty strings")
        for v in value:
            if pattern and not re.fullmatch(pattern, v):
                raise self.error(name, f"{v!r} must match {pattern}")
        return value

    def hexbytes(self, name: str, default: Any = MISSING, *, max_len: int = 32) -> bytes:
        """Bytes written as hex pairs, e.g. "1B 40 1C 26"."""
        value = self.raw(name, default)
        if isinstance(value, bytes):
            return value
        if not isinstance(value, str):
            raise self.error(name, 'must be hex bytes such as "1B 40"')
        try:
            out = bytes.fromhex(value)
        except ValueError as exc:
            raise self.error(name, f'must be hex bytes such as "1B 40" ({exc})') from exc
        if len(out) > max_len:
            raise self.error(name, f"is longer than {max_len} bytes")
        return out

    def spans(self, name: str, default: Any = MISSING) -> Any:
        """A list of "HH:MM-HH:MM" time spans."""
        value = self.texts(name, default)
        if value is default and default is not MISSING:
            return value
        return tuple(self._span(name, v) for v in value)

    def time(self, name: str) -> dt.time:
        """A "HH:MM" time of day."""
        value = self.text(name, pattern=r"\d{2}:\d{2}")
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            raise self.error(name, f"{value!r} is not a time of day") from None

    def table(self, name: str, default: Any = MISSING) -> Any:
        """A sub-table; `default` (None, or {} for an empty table) when absent."""
        value = self.raw(name, default)
        if value is None and default is None:
            return None
        if not isinstance(value, dict):
            raise self.error(name, "must be a table")
        return self._child(value, self.key(name))

    def tables(self, name: str, *, required: bool = False) -> list[Table]:
        """An array of tables (`[[name]]`), empty when absent and not required."""
        value = self.raw(name, MISSING if required else [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(name, "must be an array of tables ([[...]])")
        return [self._child(v, f"{self.key(name)}[{i}]") for i, v in enumerate(value)]

    def subtables(self) -> dict[str, Table]:
        """Every key whose value is a table, by name."""
        return {k: self.table(k) for k, v in self.data.items() if isinstance(v, dict)}

    def done(self) -> None:
        """Refuse keys nobody read: a typo must not be silently ignored."""
        unknown = sorted(set(self.data) - self._used)
        if unknown:
            kind = "table" if isinstance(self.data[unknown[0]], dict) else "key"
            raise self.error(unknown[0], f"unknown {kind}")

    def _child(self, data: dict[str, Any], path: str) -> Table:
        return Table(data, self.file, path, origins=self.origins, error=self.error_type)

    def _span(self, name: str, text: str) -> tuple[dt.time, dt.time]:
        match = re.fullmatch(r"(\d{2}:\d{2})-(\d{2}:\d{2})", text)
        try:
            assert match
            start, end = dt.time.fromisoformat(match[1]), dt.time.fromisoformat(match[2])
        except (AssertionError, ValueError):
            raise self.error(name, f"{text!r} must look like 08:30-12:00") from None
        if end <= start:
            raise self.error(name, f"{text!r} ends before it starts")
        return (start, end)
