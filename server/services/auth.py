"""Staff sign-in (hashed passwords, expiring tokens, rate limits) and device tokens."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from server.domain.errors import DomainError, Unauthorized
from server.protocol.views import iso
from server.security import new_token, token_hash, verify_password
from server.services.context import Context
from server.store.tables import devices, sessions, users

STAFF_ROLES = ("clerk", "supervisor", "admin")
_CACHE_SECONDS = 30.0


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
    """Checks bearer tokens (cached briefly) and signs staff in."""

    def __init__(self, ctx: Context, session_hours: float, attempts_per_minute: int) -> None:
        self.ctx = ctx
        self.session = dt.timedelta(hours=session_hours)
        self.limit = attempts_per_minute
        self._attempts: dict[str, deque[float]] = {}
        self._cache: dict[str, tuple[Principal, dt.datetime | None, float]] = {}
        self._lock = threading.Lock()

    def login(self, username: str, password: str, client: str) -> dict[str, Any]:
        """Check the password and issue a session token.

        Failed attempts are counted per user name and per client address; past the limit
        both are refused for a minute, so guessing is slow while a busy hall signs in freely.
        """
        keys = (f"user:{username}", f"client:{client}")
        self._refuse_if_flooded(keys)
        with self.ctx.db.read() as conn:
            row = conn.execute(
                select(users).where(users.c.username == username, users.c.active.is_(True))
            ).first()
        if row is None or not verify_password(password, row.password_hash):
            self._count_failure(keys)
            raise Unauthorized("login_failed", "用户名或密码错误")
        token = new_token()
        now = self.ctx.clock()
        expires = now + self.session
        with self.ctx.db.write() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at < now))
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
        """End a staff session."""
        hashed = token_hash(token)
        with self._lock:
            self._cache.pop(hashed, None)
        with self.ctx.db.write() as conn:
            conn.execute(delete(sessions).where(sessions.c.token_hash == hashed))

    def cached(self, token: str) -> Principal | None:
        """The principal of a recently seen, still valid token, without touching the store."""
        hit = self._cache.get(token_hash(token))
        if hit is None or time.monotonic() - hit[2] >= _CACHE_SECONDS:
            return None
        principal, expires, _ = hit
        return principal if expires is None or expires > self.ctx.clock() else None

    def authenticate(self, token: str) -> Principal | None:
        """The principal behind a bearer token, or None when it is unknown or expired."""
        cached = self.cached(token)
        if cached is not None:
            return cached
        hashed = token_hash(token)
        now = self.ctx.clock()
        found = self._lookup(hashed, now)
        if found is not None:
            with self._lock:
                self._cache[hashed] = (found[0], found[1], time.monotonic())
            return found[0]
        return None

    def _lookup(self, hashed: str, now: dt.datetime) -> tuple[Principal, dt.datetime | None] | None:
        with self.ctx.db.read() as conn:
            device = conn.execute(
                select(devices).where(devices.c.token_hash == hashed, devices.c.active.is_(True))
            ).first()
            if device is not None:
                name = device.name or device.id
                return Principal("device", device.id, device.kind, device.hall, name), None
            row = conn.execute(
                select(sessions.c.expires_at, users)
                .join(users, users.c.username == sessions.c.username)
                .where(sessions.c.token_hash == hashed, users.c.active.is_(True))
            ).first()
        if row is None or row.expires_at <= now:
            return None
        return Principal("user", row.username, row.role, row.hall, row.name), row.expires_at

    def _refuse_if_flooded(self, keys: tuple[str, ...]) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                recent = self._attempts.get(key)
                while recent and now - recent[0] > 60:
                    recent.popleft()
                if recent is not None and len(recent) >= self.limit:
                    raise RateLimited("too_many_attempts", "登录失败次数过多, 请一分钟后再试")

    def _count_failure(self, keys: tuple[str, ...]) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._attempts.setdefault(key, deque()).append(now)
