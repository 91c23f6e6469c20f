"""What must hold across all hall files served together, checked before any is loaded."""

from __future__ import annotations

from server.hallfile import HallSpec
from server.security import token_hash
from server.tomlreader import ConfigError


def check_together(specs: list[HallSpec]) -> None:
    """Raise ConfigError naming both files when two hall files claim one hall, user or token.

    The store would refuse them anyway, but halfway through loading and with a database
    error; a token is named by its device, never by its value.
    """
    halls: dict[str, str] = {}
    users: dict[str, str] = {}
    tokens: dict[str, tuple[str, str]] = {}
    for spec in specs:
        _claim(halls, spec.code, spec.source, "hall", f"hall code {spec.code!r}")
        for user in spec.users:
            _claim(users, user.username, spec.source, "users", f"user name {user.username!r}")
        for device in spec.devices:
            hashed = device.token_hash or token_hash(device.token or "")
            first = tokens.setdefault(hashed, (spec.source, device.id))
            if first != (spec.source, device.id):
                raise ConfigError(
                    spec.source,
                    "devices",
                    f"device {device.id!r} has the token of device {first[1]!r} in {first[0]}",
                )


def _claim(seen: dict[str, str], key: str, source: str, table: str, what: str) -> None:
    first = seen.setdefault(key, source)
    if first != source:
        raise ConfigError(source, table, f"{what} is also in {first}; each may be in one file only")
