"""A hall's security settings (password rules, idle timeout, retention) and password changes."""

from __future__ import annotations

from typing import Any

from server.domain import passwords, retention
from server.domain.errors import Forbidden, Invalid
from server.domain.retention import SecurityRules
from server.security import hash_password, verify_password
from server.services.context import Context, HallTx, run_in_hall
from server.store.unit import Repositories


def rules_of(repos: Repositories, hall: str) -> SecurityRules:
    """The hall's rules: the hall file's values with the security administrator's changes."""
    file_values, overrides = repos.security.values(hall)
    try:
        return retention.build({**file_values, **overrides})
    except Invalid:  # stored values are checked when set; never lock everyone out
        return SecurityRules()


def read(ctx: Context, hall: str) -> dict[str, Any]:
    """The hall's settings as the security administrator sees them."""
    with ctx.units.read() as repos:
        rules = rules_of(repos, hall)
        file_values, overrides = repos.security.values(hall)
    return {
        "hall": hall,
        "settings": rules.as_dict(),
        "from_hall_file": file_values,
        "changed": overrides,
    }


def update(ctx: Context, hall: str, who: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Change some settings; a value below what a rule needs is refused and nothing changes."""

    def work(tx: HallTx) -> dict[str, Any]:
        file_values, overrides = tx.repos.security.values(hall)
        merged = {**overrides, **changes}
        rules = retention.build({**file_values, **merged})
        tx.repos.security.set_overrides(hall, merged, who, tx.now)
        return {
            "hall": hall,
            "settings": rules.as_dict(),
            "from_hall_file": file_values,
            "changed": merged,
        }

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def change_password(ctx: Context, hall: str, username: str, old: str, new: str) -> dict[str, Any]:
    """A user sets their own password: the old one checked, the new one by the hall's rules."""

    def work(tx: HallTx) -> dict[str, Any]:
        user = tx.repos.sessions.active_user(username)
        if user is None or not verify_password(old, user.password_hash):
            raise Forbidden("wrong_password", "原密码不正确")
        if old == new:
            raise Invalid("weak_password", "密码强度不足：新密码不能与原密码相同")
        passwords.check(new, username, rules_of(tx.repos, hall).passwords)
        tx.repos.sessions.set_password(username, hash_password(new), tx.now)
        return {"ok": True, "password_change_required": False}

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result
