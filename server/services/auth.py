"""Staff sign-in (hashed passwords, expiring tokens, rate limits) and device tokens."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from server.domain.errors import DomainError, Unauthorized
from server.protocol.views import iso
from server.security import new_token, token_hash, verify_password
from server.services.context import Context
from server.store import logins
from server.store.tables import devices, sessions, users

STAFF_ROLES = ("clerk", "supervisor", "admin")
_DEVICE_CACHE_SECONDS = 30.0
_FAILURE_WINDOW = dt.timedelta(minutes=1)


class RateLimited(DomainError):
    """Too many attempts in a short time."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in staff member or a device."""

    kind: str  # "user" | "device"
    name: str  # username or device id
    role: str  # clerk / supervisor / admin, or the device kind
    hall: str
    display_name: str

    @property
    def is_staff(self) -> bool:
        """True for signed-in people."""
        return self.kind == "user"


class Authenticator:
    """Checks bearer tokens and signs staff in; sessions and failed sign-ins live in the store.

    Every worker and host of one database sees the same sessions and the same failure counts,
    so a logout or a lock-out holds everywhere at once. Only device tokens (which come from the
    hall file and never log out) are remembered in memory, for 30 s.
    """

    def __init__(
        self,
        ctx: Context,
        session_hours: float,
        attempts_per_minute: int,
        attempts_per_client_per_minute: int = 100,
    ) -> None:
        self.ctx = ctx
        self.session = dt.timedelta(hours=session_hours)
        self.limit = attempts_per_minute
        self.client_limit = attempts_per_client_per_minute
        self._devices: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def login(self, username: str, password: str, client: str) -> dict[str, Any]:
        """Check the password and issue a session token.

        Failed attempts are counted per user name (the limit) and per client address (a
        higher limit, so one hall behind one address is not locked out by one person); past
        either limit the attempt is refused until the window's oldest failure is a minute old.
        """
        now = self.ctx.clock()
        self._refuse_if_flooded(username, client, now)
        with self.ctx.db.read() as conn:
            row = conn.execute(
                select(users).where(users.c.username == username, users.c.active.is_(True))
            ).first()
        if row is None or not verify_password(password, row.password_hash):
            with self.ctx.db.write() as conn:
                logins.forget_failures_before(conn, now - _FAILURE_WINDOW)
                logins.record_failure(conn, username, client, now)
            raise Unauthorized("login_failed", "用户名或密码错误")
        token = new_token()
        expires = now + self.session
        with self.ctx.db.write() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at < now))
            logins.forget_failures_before(conn, now - _FAILURE_WINDOW)
            conn.execute(
                sessions.insert().values(
                    token_hash=token_hash(token),
                    username=username,
                    created_at=now,
                    expires_at=expires,
                )
            )
        return {
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
        with self.ctx.db.write() as conn:
            conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash(token)))

    def cached(self, token: str) -> Principal | None:
        """A device seen in the last 30 s, without touching the store; never a staff session."""
        hit = self._devices.get(token_hash(token))
        if hit is None or time.monotonic() - hit[1] >= _DEVICE_CACHE_SECONDS:
            return None
        return hit[0]

    def authenticate(self, token: str) -> Principal | None:
        """The principal behind a bearer token, or None when it is unknown, expired or ended.

        A staff token costs one indexed read of its session on every request, so that a
        logout on another worker or host ends it at once.
        """
        cached = self.cached(token)
        if cached is not None:
            return cached
        hashed = token_hash(token)
        with self.ctx.db.read() as conn:
            row = logins.live_session(conn, hashed)
            if row is not None:
                if row.expires_at <= self.ctx.clock():
                    return None
                return Principal("user", row.username, row.role, row.hall, row.name)
            device = conn.execute(
                select(devices).where(devices.c.token_hash == hashed, devices.c.active.is_(True))
            ).first()
        if device is None:
            return None
        principal = Principal(
            "device", device.id, device.kind, device.hall, device.name or device.id
        )
        with self._lock:
            self._devices[hashed] = (principal, time.monotonic())
        return principal

    def _refuse_if_flooded(self, username: str, client: str, now: dt.datetime) -> None:
        with self.ctx.db.read() as conn:
            by_user, by_client = logins.recent_failures(
                conn, username, client, now - _FAILURE_WINDOW
            )
        if by_user >= self.limit or by_client >= self.client_limit:
            raise RateLimited("too_many_attempts", "登录失败次数过多，请一分钟后再试")
