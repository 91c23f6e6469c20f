"""How long personal fields and the audit trail are kept, and the shortest each rule allows."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from server.domain.errors import Invalid
from server.domain.passwords import PasswordRules

AUDIT_MIN_DAYS = 180  # 网络安全法 第二十一条：network logs at least six months
# Per-ID limits count one business day; a ticket's notice, recall and transfer need the name
# on its own day. So one day after the ticket's day is the shortest either may be.
PERSONAL_MIN_DAYS = 1


@dataclass(frozen=True)
class SecurityRules:
    """A hall's security settings: password rules, idle timeout, retention."""

    password_min_length: int = 8
    password_classes: int = 3
    password_force_change: bool = True
    password_expiry_days: int = 0
    idle_minutes: int = 30  # supervisors, admins, security admins, auditors; never clerks
    names_keep_days: int = 30  # names, phones and masked IDs, days after the ticket's day
    id_hash_keep_days: int = 1  # ID hashes, days after the ticket's day (appointments: slot)
    audit_keep_days: int = AUDIT_MIN_DAYS
    login_free_failures: int = 0  # failed sign-ins before the delays start; 0: the server's

    @property
    def passwords(self) -> PasswordRules:
        """The password part."""
        return PasswordRules(
            self.password_min_length,
            self.password_classes,
            self.password_force_change,
            self.password_expiry_days,
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain values (for JSON)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


NAMES = frozenset(f.name for f in fields(SecurityRules))


def build(values: dict[str, Any]) -> SecurityRules:
    """Rules from plain values, refusing unknown keys, wrong types and too short retention."""
    unknown = sorted(set(values) - NAMES)
    if unknown:
        raise Invalid("invalid_request", f"未知的安全设置：{'、'.join(unknown)}")
    for key, value in values.items():
        want = bool if key == "password_force_change" else int
        if type(value) is not want:
            kind = "true 或 false" if want is bool else "整数"
            raise Invalid("invalid_request", f"安全设置 {key} 应为{kind}")
    rules = SecurityRules(**values)
    check(rules)
    return rules


def check(rules: SecurityRules) -> None:
    """Refuse settings below what the law or a rule of the system needs (nothing changes)."""
    if rules.audit_keep_days < AUDIT_MIN_DAYS:
        raise Invalid(
            "retention_too_short",
            f"审计记录至少保存 {AUDIT_MIN_DAYS} 天（网络安全法要求不少于六个月）",
        )
    if rules.id_hash_keep_days < PERSONAL_MIN_DAYS:
        raise Invalid(
            "retention_too_short",
            "身份证号摘要至少保存到取号次日：同一证件的每日取号限制要用到它",
        )
    if rules.names_keep_days < PERSONAL_MIN_DAYS:
        raise Invalid(
            "retention_too_short", "姓名和电话至少保存到取号次日：当天的告知书和叫号要用到它们"
        )
    if not 6 <= rules.password_min_length <= 64:
        raise Invalid("invalid_request", "密码最短长度应在 6 到 64 之间")
    if not 1 <= rules.password_classes <= 4:
        raise Invalid("invalid_request", "密码字符类别数应在 1 到 4 之间")
    if not 0 <= rules.login_free_failures <= 20:
        raise Invalid(
            "invalid_request", "登录失败免延迟次数应在 0 到 20 之间（0 表示用服务器设置）"
        )
    if rules.password_expiry_days < 0 or rules.idle_minutes < 1:
        raise Invalid("invalid_request", "密码有效期不能为负，空闲超时至少 1 分钟")
