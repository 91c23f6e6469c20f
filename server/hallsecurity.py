"""The hall file's `[security]` table: password rules, idle timeout, retention (issue 19)."""

from __future__ import annotations

from typing import Any

from drivers.strict_toml import Table
from server.domain import retention
from server.domain.errors import Invalid


def parse_security(root: Table) -> dict[str, Any]:
    """The `[security]` values given (unset keys take the defaults of SecurityRules)."""
    table = root.table("security", None)
    if table is None:
        return {}
    values: dict[str, Any] = {}
    limits = {
        "password_min_length": (6, 64),
        "password_classes": (1, 4),
        "password_expiry_days": (0, 3650),
        "idle_minutes": (1, 24 * 60),
        "names_keep_days": (0, 36500),
        "id_hash_keep_days": (0, 36500),
        "audit_keep_days": (0, 36500),
        "login_free_failures": (0, 20),
    }
    for name, (lo, hi) in limits.items():
        if table.has(name):
            values[name] = table.integer(name, lo=lo, hi=hi)
    if table.has("password_force_change"):
        values["password_force_change"] = table.flag("password_force_change")
    table.done()
    try:
        retention.build(values)
    except Invalid as exc:  # a retention shorter than a rule needs: the file is refused
        raise table.error("security", f"{exc.code}: {exc.message}") from None
    return values
