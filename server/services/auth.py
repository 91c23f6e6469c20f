"""Staff sign-in (hashed passwords, expiring tokens, rate limits) and device tokens."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

from server.domain import passwords, signin
from server.domain.errors import DomainError, Unauthorized
from server.domain.records import StaffSession
from server.domain.retention import SecurityRules
from server.protocol.views import iso
from server.security import new_token, token_hash, verify_password
from server.services import audit
from server.services.context import Context
from server.services.security_settings import rules_of

STAFF_ROLES = ("clerk", "supervisor", "admin")
_TOUCH_EVERY = dt.timedelta(minutes=1)  # a session's last use is stored at most this often
_RULES_CACHE_SECONDS = 30.0
_NO_IDLE = frozenset({"clerk"})  # a clerk's pad stays signed in through the shift
_DEVICE_CACHE_SECONDS = 30.0
_FAILURE_MEMORY = dt.timedelta(minutes=15)  # a pair's failures count this long
_CLIENT_WINDOW = dt.timedelta(minutes=1)  # the per-address limit counts failures per minute


class RateLimited(DomainError):
    """Too many failed attempts: try again after `retry_after` seconds."""

    def __init__(self, code: str, message: str, *, retry_after: int) -> None:
        super().__init__(code, message, {"retry_after": retry_after})
        self.retry_after = retry_after


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in staff member or a device."""

    kind: str  # "user" | "device"
    name: str  # username or device id
    role: str  # clerk / supervisor / admin, or the device kind
    hall: str
    display_name: str
    must_change: bool = False  # may only change the password (and see who it is, log out)

    @property
    def is_staff(self) -> bool:
        """True for signed-in people."""
        return self.kind == "user"


class Authenticator:
    """Checks bearer tokens and signs staff in; sessions and failed sign-ins live in the store.

    Every worker and host of one database sees the same sessions and the same failure counts,
    so a logout or a sign-in delay holds everywhere at once. Only device tokens (which come from the
    hall file and never log out) are remembered in memory, for 30 s.
    """

    def __init__(
        self,
        ctx: Context,
        session_hours: float,
        free_failures: int = 5,
        attempts_per_client_per_minute: int = 100,
    ) -> None:
        self.ctx = ctx
        self.session = dt.timedelta(hours=session_hours)
        self.free_failures = free_failures
        self.client_limit = attempts_per_client_per_minute
        self._devices: dict[str, tuple[Principal, float]] = {}
        self._rules: dict[str, tuple[SecurityRules, float]] = {}
        self._lock = threading.Lock()

    def login(self, username: str, password: str, client: str) -> dict[str, Any]:
        """Check the password and issue a session token.

        Guessing is slowed per (user name, address) pair: after a few failures each attempt
        waits for a delay that doubles with every failure, so a guesser elsewhere never stops
        the clerk at the hall. Failures from one address (any name) have a per-minute limit
        high enough for a whole hall behind one NAT; successful sign-ins never count.
        """
        now = self.ctx.clock()
        with self.ctx.units.read() as repos:
            row = repos.sessions.active_user(username)
        if row is not None:
            audit.note_account(row.hall, row.role)
        # The security administrator may set the hall's free failures (0: the server's).
        free = self.rules(row.hall).login_free_failures if row is not None else 0
        self._refuse_if_guessing(username, client, now, free or self.free_failures)
        if row is None or not verify_password(password, row.password_hash):
            with self.ctx.units.write() as repos:
                repos.sessions.forget_failures_before(now - _FAILURE_MEMORY)
                repos.sessions.record_failure(username, client, now)
            raise Unauthorized("login_failed", "用户名或密码错误")
        token = new_token()
        expires = now + self.session
        rules = self.rules(row.hall)
        change = passwords.must_change(row.password_changed_at, rules.passwords, now)
        with self.ctx.units.write() as repos:
            repos.sessions.drop_expired(now)
            repos.sessions.forget_failures_before(now - _FAILURE_MEMORY)
            repos.sessions.forget_pair(username, client)
            repos.sessions.open_session(token_hash(token), username, now, expires, change)
        return {
            "password_change_required": change,
            "token": token,
            "role": row.role,
            "expires_at": iso(expires),
            "username": username,
            "name": row.name,
            "hall": row.hall,
            "windows": list(row.windows),
        }

    def logout(self, token: str) -> None:
        """End a staff session (on every worker and host: they all read the sessions table)."""
        with self.ctx.units.write() as repos:
            repos.sessions.end(token_hash(token))

    def cached(self, token: str) -> Principal | None:
        """A device seen in the last 30 s, without touching the store; never a staff session."""
        hit = self._devices.get(token_hash(token))
        if hit is None or time.monotonic() - hit[1] >= _DEVICE_CACHE_SECONDS:
            return None
        return hit[0]

    def authenticate(self, token: str, *, touch: bool = True) -> Principal | None:
        """The principal behind a bearer token, or None when it is unknown, expired or ended.

        A staff token costs one indexed read of its session on every request, so that a
        logout on another worker or host ends it at once.
        """
        cached = self.cached(token)
        if cached is not None:
            return cached
        hashed = token_hash(token)
        device = None
        with self.ctx.units.glance() as repos:  # one or two independent reads
            session = repos.sessions.live(hashed)
            if session is None:
                device = repos.devices.by_token(hashed)
        if session is not None:
            return self._staff(hashed, session, touch)
        if device is None:
            return None
        principal = Principal(
            "device", device.id, device.kind, device.hall, device.name or device.id
        )
        with self._lock:
            self._devices[hashed] = (principal, time.monotonic())
        return principal

    def rules(self, hall: str) -> SecurityRules:
        """A hall's security rules (kept 30 s: every staff request needs the idle timeout)."""
        hit = self._rules.get(hall)
        if hit is not None and time.monotonic() - hit[1] < _RULES_CACHE_SECONDS:
            return hit[0]
        with self.ctx.units.read() as repos:
            rules = rules_of(repos, hall)
        with self._lock:
            self._rules[hall] = (rules, time.monotonic())
        return rules

    def forget_rules(self) -> None:
        """Drop the cached rules (after the security administrator changed them)."""
        with self._lock:
            self._rules.clear()

    def _staff(self, hashed: str, session: StaffSession, touch: bool) -> Principal | None:
        """A staff session's principal; an expired or idle one ends here, and is audited."""
        now = self.ctx.clock()
        last = session.last_seen_at or now
        idle = now - last
        limit = dt.timedelta(minutes=self.rules(session.hall).idle_minutes)
        if session.expires_at <= now or (session.role not in _NO_IDLE and idle >= limit):
            with self.ctx.units.write() as repos:
                repos.sessions.end(hashed)
                why = "expired" if session.expires_at <= now else "idle"
                repos.audit.append(
                    audit.person_fields(
                        self.ctx,
                        session.username,
                        session.role,
                        session.hall,
                        "session_expired",
                        why,
                    )
                )
            return None
        if touch and idle >= _TOUCH_EVERY:
            with self.ctx.units.write() as repos:
                repos.sessions.touch(hashed, now)
        return Principal(
            "user",
            session.username,
            session.role,
            session.hall,
            session.name,
            session.must_change,
        )

    def _refuse_if_guessing(
        self, username: str, client: str, now: dt.datetime, free_failures: int
    ) -> None:
        with self.ctx.units.read() as repos:
            failures, latest = repos.sessions.pair_failures(username, client, now - _FAILURE_MEMORY)
            by_client, oldest = repos.sessions.client_failures(client, now - _CLIENT_WINDOW)
        wait, delay = 0, signin.retry_delay(failures, free_failures)
        if latest is not None:
            wait = signin.seconds_left(latest, delay, now)
        if wait:
            raise RateLimited(
                "too_many_attempts", f"登录失败次数过多，请 {wait} 秒后再试", retry_after=wait
            )
        if by_client >= self.client_limit and oldest is not None:
            wait = signin.seconds_left(oldest, _CLIENT_WINDOW.total_seconds(), now) or 1
            raise RateLimited(
                "too_many_attempts",
                f"本机所在网络登录失败次数过多，请 {wait} 秒后再试",
                retry_after=wait,
            )
