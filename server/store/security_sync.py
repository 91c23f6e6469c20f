"""Loading a hall file's passwords and `[security]` values without undoing users' changes."""

from __future__ import annotations

from sqlalchemy import Connection, or_, select, update

from server.hallfile import HallSpec
from server.store.tables import hall_security, users


def sync_security(conn: Connection, spec: HallSpec) -> None:
    """Store the hall file's security values; reset only passwords the file changed.

    A user's own password survives reloading the hall file; a new hash in the file (the
    administrator resetting a password) replaces it and counts as an initial password again.
    """
    for u in spec.users:
        conn.execute(
            update(users)
            .where(
                users.c.username == u.username,
                users.c.hall == spec.code,
                or_(users.c.initial_hash.is_(None), users.c.initial_hash != u.password_hash),
            )
            .values(
                password_hash=u.password_hash,
                initial_hash=u.password_hash,
                password_changed_at=None,
            )
        )
    found = conn.execute(
        select(hall_security.c.hall).where(hall_security.c.hall == spec.code)
    ).first()
    if found is None:
        conn.execute(
            hall_security.insert().values(hall=spec.code, file_rules=spec.security, overrides={})
        )
    else:
        conn.execute(
            update(hall_security)
            .where(hall_security.c.hall == spec.code)
            .values(file_rules=spec.security)
        )
