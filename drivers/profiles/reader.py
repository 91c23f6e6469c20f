"""A strict reader for one TOML table: typed getters with bounds; unknown keys are refused."""

from __future__ import annotations

from typing import Any

_MISSING: Any = object()


class ProfileError(ValueError):
    """A firmware profile is wrong: which file, which key, and what is wrong."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}")
        self.file, self.key, self.problem = file, key, problem


class Table:
    """One table being read; remembers the keys used so `finish()` can refuse the rest."""

    def __init__(
        self,
        data: dict[str, Any],
        file: str,
        path: str = "",
        origins: dict[str, str] | None = None,
    ) -> None:
        self.data, self.file, self.path = data, file, path
        # dotted key -> the file of an `inherits` chain that set it, so errors name that file
        self.origins = origins or {}
        self._used: set[str] = set()

    def key(self, name: str) -> str:
        """The dotted name of a key of this table, for messages."""
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, problem: str) -> ProfileError:
        """An error about `name` in this table."""
        key = self.key(name)
        return ProfileError(self.origins.get(key, self.file), key, problem)

    def has(self, name: str) -> bool:
        """True when the key is present."""
        return name in self.data

    def raw(self, name: str, default: Any = _MISSING) -> Any:
        """The value as parsed, marking the key used."""
        self._used.add(name)
        if name in self.data:
            return self.data[name]
        if default is _MISSING:
            raise self.error(name, "is required")
        return default

    def text(
        self,
        name: str,
        default: Any = _MISSING,
        *,
        max_len: int = 200,
        choices: tuple[str, ...] | None = None,
    ) -> str:
        """A non-empty string, optionally one of `choices`."""
        value = self.raw(name, default)
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, "must be a non-empty string")
        if len(value) > max_len:
            raise self.error(name, f"is longer than {max_len} characters")
        if choices is not None and value not in choices:
            raise self.error(name, f"must be one of {', '.join(choices)} (got {value!r})")
        return value

    def integer(self, name: str, lo: int, hi: int, default: Any = _MISSING) -> int:
        """An integer within [lo, hi]."""
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, "must be an integer")
        if not lo <= value <= hi:
            raise self.error(name, f"must be between {lo} and {hi} (got {value})")
        return value

    def number(self, name: str, lo: float, hi: float, default: Any = _MISSING) -> float:
        """A number within [lo, hi]."""
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(name, "must be a number")
        if not lo <= value <= hi:
            raise self.error(name, f"must be between {lo} and {hi} (got {value})")
        return float(value)

    def boolean(self, name: str, default: Any = _MISSING) -> bool:
        """True or false."""
        value = self.raw(name, default)
        if not isinstance(value, bool):
            raise self.error(name, "must be true or false")
        return value

    def hexbytes(self, name: str, default: Any = _MISSING, *, max_len: int = 32) -> bytes:
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

    def strings(self, name: str, *, max_items: int = 20) -> tuple[str, ...]:
        """A list of non-empty strings (empty when absent)."""
        value = self.raw(name, [])
        if not isinstance(value, list) or len(value) > max_items:
            raise self.error(name, f"must be a list of at most {max_items} strings")
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(name, "must contain only non-empty strings")
        return tuple(value)

    def table(self, name: str, *, required: bool = False) -> Table:
        """A sub-table (an empty one when absent and not required)."""
        value = self.raw(name, _MISSING if required else {})
        if not isinstance(value, dict):
            raise self.error(name, "must be a table")
        return Table(value, self.file, self.key(name), self.origins)

    def subtables(self) -> dict[str, Table]:
        """Every remaining key whose value is a table, by name."""
        return {k: self.table(k) for k, v in self.data.items() if isinstance(v, dict)}

    def finish(self) -> None:
        """Refuse keys nobody asked for (a typo would otherwise be silently ignored)."""
        unknown = sorted(set(self.data) - self._used)
        if unknown:
            raise self.error(unknown[0], "unknown key")
