"""Staff accounts, sessions and failed sign-ins (the login throttle) in the store."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, delete, select, update

from server.domain.records import StaffSession, StaffUser
from server.store import clerk_queries, logins
from server.store.tables import sessions, users


class SessionsRepo:
    """The `users`, `sessions` and `login_failures` tables of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._cards: dict[str, dict[str, Any] | None] = {}  # read along with the hall lock

    def prime(self, cards: dict[str, dict[str, Any] | None]) -> None:
        """Take staff cards read along with the hall lock (PostgreSQL)."""
        self._cards = dict(cards)

    def forget(self) -> None:
        """Drop them (they served the transaction's first use case)."""
        self._cards = {}

    def allowed_windows(self, username: str) -> list[str]:
        """The windows a clerk may serve (empty: any window)."""
        found = self.conn.execute(select(users.c.windows).where(users.c.username == username))
        return list(found.scalar_one_or_none() or [])

    def name_of(self, username: str | None) -> str | None:
        """A staff member's display name (None for unknown users)."""
        return clerk_queries.user_name(self.conn, username)

    def card_of(self, username: str | None) -> dict[str, str | None] | None:
        """Name and 工号 of a staff member, as the evaluator shows them (None if unknown)."""
        if username is not None and username in self._cards:
            return self._cards.pop(username)
        return clerk_queries.staff_card(self.conn, username)

    def active_user(self, username: str) -> StaffUser | None:
        """An active staff account by user name."""
        row = self.conn.execute(
            select(users).where(users.c.username == username, users.c.active.is_(True))
        ).first()
        if row is None:
            return None
        return StaffUser(
            row.username,
            row.hall,
            row.name,
            row.role,
            row.password_hash,
            tuple(row.windows),
            row.password_changed_at,
        )

    def drop_expired(self, now: dt.datetime) -> None:
        """Delete the sessions that have run out."""
        self.conn.execute(delete(sessions).where(sessions.c.expires_at < now))

    def open_session(
        self,
        token_hash: str,
        username: str,
        now: dt.datetime,
        expires: dt.datetime,
        must_change: bool = False,
    ) -> None:
        """Store a new session (one that must change its password may do nothing else)."""
        self.conn.execute(
            sessions.insert().values(
                token_hash=token_hash,
                username=username,
                created_at=now,
                expires_at=expires,
                last_seen_at=now,
                must_change=must_change,
            )
        )

    def touch(self, token_hash: str, now: dt.datetime) -> None:
        """Note that a session was used (the idle timeout starts again)."""
        self.conn.execute(
            update(sessions).where(sessions.c.token_hash == token_hash).values(last_seen_at=now)
        )

    def set_password(self, username: str, password_hash: str, now: dt.datetime) -> None:
        """Store a user's own new password; their sessions may do everything again."""
        self.conn.execute(
            update(users)
            .where(users.c.username == username)
            .values(password_hash=password_hash, password_changed_at=now)
        )
        self.conn.execute(
            update(sessions).where(sessions.c.username == username).values(must_change=False)
        )

    def end(self, token_hash: str) -> None:
        """End a session."""
        self.conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))

    def live(self, token_hash: str) -> StaffSession | None:
        """The session of a token hash with its active user (expired ones too): one read."""
        row = logins.live_session(self.conn, token_hash)
        if row is None:
            return None
        expires_at, last_seen_at, must_change, username, role, hall, name = row
        return StaffSession(username, role, hall, name, expires_at, last_seen_at, bool(must_change))

    def pair_failures(
        self, username: str, client: str, since: dt.datetime
    ) -> tuple[int, dt.datetime | None]:
        """Failed sign-ins of a user name from an address after `since`: count and latest."""
        return logins.pair_failures(self.conn, username, client, since)

    def client_failures(self, client: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
        """Failed sign-ins from an address after `since`: count and oldest."""
        return logins.client_failures(self.conn, client, since)

    def record_failure(self, username: str, client: str, at: dt.datetime) -> None:
        """Remember one failed sign-in."""
        logins.record_failure(self.conn, username, client, at)

    def forget_pair(self, username: str, client: str) -> None:
        """Forget a pair's failures once it signed in."""
        logins.forget_pair(self.conn, username, client)

    def forget_failures_before(self, cutoff: dt.datetime) -> None:
        """Delete the failed sign-ins that no longer count."""
        logins.forget_failures_before(self.conn, cutoff)
