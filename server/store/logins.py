"""Sign-in queries: live sessions and the failed attempts behind the login throttle."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, select

from server.store.fast import Fast
from server.store.tables import login_failures, sessions, users

_SESSION = (
    select(
        sessions.c.expires_at,
        sessions.c.last_seen_at,
        sessions.c.must_change,
        users.c.username,
        users.c.role,
        users.c.hall,
        users.c.name,
    )
    .join(users, users.c.username == sessions.c.username)
    .where(sessions.c.token_hash == bindparam("token_hash"), users.c.active.is_(True))
)
_PAIR = and_(
    login_failures.c.username == bindparam("username"),
    login_failures.c.client == bindparam("client"),
)
_FAILURES_OF_PAIR = select(func.count(), func.max(login_failures.c.at)).where(
    _PAIR, login_failures.c.at > bindparam("since")
)
_FAILURES_OF_CLIENT = select(func.count(), func.min(login_failures.c.at)).where(
    login_failures.c.client == bindparam("client"), login_failures.c.at > bindparam("since")
)
KEY_LENGTH = 64  # both columns are String(64); longer names share a counter with their prefix


_LIVE_SESSION = Fast(_SESSION)  # every staff request reads it


def live_session(conn: Connection, hashed: str) -> tuple[Any, ...] | None:
    """The session (expiry + its active user) of a token hash, or None: one indexed read.

    The columns are those of `_SESSION`, in its order.
    """
    return _LIVE_SESSION.first(conn, {"token_hash": hashed})


def _keys(username: str, client: str) -> dict[str, Any]:
    return {"username": username[:KEY_LENGTH], "client": client[:KEY_LENGTH]}


def pair_failures(
    conn: Connection, username: str, client: str, since: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """Failed sign-ins of this user name from this address after `since`: count and latest."""
    count, latest = conn.execute(
        _FAILURES_OF_PAIR, {**_keys(username, client), "since": since}
    ).one()
    return int(count), latest


def client_failures(
    conn: Connection, client: str, since: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """Failed sign-ins from this address (any user name) after `since`: count and oldest."""
    params = {"client": client[:KEY_LENGTH], "since": since}
    count, oldest = conn.execute(_FAILURES_OF_CLIENT, params).one()
    return int(count), oldest


def record_failure(conn: Connection, username: str, client: str, at: dt.datetime) -> None:
    """Remember one failed sign-in."""
    conn.execute(login_failures.insert().values(**_keys(username, client), at=at))


def forget_pair(conn: Connection, username: str, client: str) -> None:
    """Forget a pair's failures once it signed in: the next typo starts without a delay."""
    conn.execute(delete(login_failures).where(_PAIR), _keys(username, client))


def forget_failures_before(conn: Connection, cutoff: dt.datetime) -> None:
    """Delete the failed sign-ins that no longer count (keeps the table to the window's worth)."""
    conn.execute(delete(login_failures).where(login_failures.c.at <= cutoff))
