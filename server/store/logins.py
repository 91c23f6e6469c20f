"""Sign-in queries: live sessions and the failed attempts behind the login rate limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select

from server.store.tables import login_failures, sessions, users

_SESSION = (
    select(sessions.c.expires_at, users.c.username, users.c.role, users.c.hall, users.c.name)
    .join(users, users.c.username == sessions.c.username)
    .where(sessions.c.token_hash == bindparam("token_hash"), users.c.active.is_(True))
)
_FAILURES_BY_USER = select(func.count()).where(
    login_failures.c.username == bindparam("username"), login_failures.c.at > bindparam("since")
)
_FAILURES_BY_CLIENT = select(func.count()).where(
    login_failures.c.client == bindparam("client"), login_failures.c.at > bindparam("since")
)
KEY_LENGTH = 64  # both columns are String(64); longer names share a counter with their prefix


def live_session(conn: Connection, hashed: str) -> Any:
    """The session row (expiry + its active user) of a token hash, or None: one indexed read."""
    return conn.execute(_SESSION, {"token_hash": hashed}).first()


def recent_failures(
    conn: Connection, username: str, client: str, since: dt.datetime
) -> tuple[int, int]:
    """Failed sign-ins after `since`: (for this user name, from this client address)."""
    params = {"username": username[:KEY_LENGTH], "client": client[:KEY_LENGTH], "since": since}
    by_user = conn.execute(_FAILURES_BY_USER, params).scalar_one()
    by_client = conn.execute(_FAILURES_BY_CLIENT, params).scalar_one()
    return int(by_user), int(by_client)


def record_failure(conn: Connection, username: str, client: str, at: dt.datetime) -> None:
    """Remember one failed sign-in."""
    conn.execute(
        login_failures.insert().values(
            username=username[:KEY_LENGTH], client=client[:KEY_LENGTH], at=at
        )
    )


def forget_failures_before(conn: Connection, cutoff: dt.datetime) -> None:
    """Delete the failed sign-ins that no longer count (keeps the table to one minute's worth)."""
    conn.execute(delete(login_failures).where(login_failures.c.at <= cutoff))
