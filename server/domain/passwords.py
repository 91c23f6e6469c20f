"""Password rules (等保 身份鉴别): length, character classes, no user name inside, expiry."""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass

from server.domain.errors import Invalid

CLASSES = (
    ("小写字母", frozenset(string.ascii_lowercase)),
    ("大写字母", frozenset(string.ascii_uppercase)),
    ("数字", frozenset(string.digits)),
    ("符号", frozenset(string.punctuation)),
)


@dataclass(frozen=True)
class PasswordRules:
    """A hall's password rules (hall file `[security]`, changed by the security admin)."""

    min_length: int = 8
    classes: int = 3  # of lower case, upper case, digits, symbols
    force_change: bool = True  # the hall file's (initial) password must be changed at first use
    expiry_days: int = 0  # 0: passwords do not expire


def missing(password: str, username: str, rules: PasswordRules) -> list[str]:
    """What a password lacks under the rules, in Chinese (empty: strong enough)."""
    lacks: list[str] = []
    if len(password) < rules.min_length:
        lacks.append(f"至少 {rules.min_length} 个字符")
    present = [name for name, chars in CLASSES if any(c in chars for c in password)]
    if len(present) < rules.classes:
        absent = "、".join(name for name, _ in CLASSES if name not in present)
        lacks.append(f"至少包含 {rules.classes} 类字符（还可加入：{absent}）")
    if username and username.lower() in password.lower():
        lacks.append("不能包含用户名")
    return lacks


def check(password: str, username: str, rules: PasswordRules) -> None:
    """Refuse a weak password with 422 `weak_password` saying what is missing."""
    lacks = missing(password, username, rules)
    if lacks:
        raise Invalid("weak_password", "密码强度不足：" + "；".join(lacks), {"missing": lacks})


def must_change(changed_at: dt.datetime | None, rules: PasswordRules, now: dt.datetime) -> bool:
    """Whether a user must set a new password before doing anything else."""
    if changed_at is None:
        return rules.force_change
    if rules.expiry_days > 0:
        return now - changed_at >= dt.timedelta(days=rules.expiry_days)
    return False
