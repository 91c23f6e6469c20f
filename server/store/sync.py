"""Loading a hall file into the store: idempotent, re-runnable after edits, keeps tickets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, select, update

from server.hallfile import HallSpec
from server.security import keyed_hash, token_hash
from server.store.db import Database
from server.store.layout import queue_config
from server.store.outbox_sync import sync_subscribers
from server.store.security_sync import sync_security
from server.store.tables import (
    areas,
    devices,
    halls,
    matters,
    queues,
    server_meta,
    users,
    windows,
)


def sync_hall(conn: Connection, spec: HallSpec) -> None:
    """Create or update everything the hall file describes; what it no longer names is retired."""
    config = {"settings": spec.settings, "guide": spec.guide}
    _upsert(
        conn,
        halls,
        {"code": spec.code},
        {"name": spec.name, "timezone": spec.timezone, "config": config},
        {"last_seq": 0},
    )
    conn.execute(areas.delete().where(areas.c.hall == spec.code))
    if spec.areas:
        conn.execute(
            areas.insert(),
            [
                {"hall": spec.code, "code": code, "name": name, "position": i}
                for i, (code, name) in enumerate(spec.areas)
            ],
        )
    _sync_many(
        conn,
        queues,
        spec.code,
        [
            (
                {"code": q.code},
                {
                    "name": q.name,
                    "prefix": q.prefix,
                    "area": q.area,
                    "config": queue_config(q),
                    "position": i,
                    "active": True,
                },
                {},
            )
            for i, q in enumerate(spec.queues)
        ],
    )
    _sync_many(
        conn,
        matters,
        spec.code,
        [
            (
                {"code": m.code},
                {
                    "name": m.name,
                    "queue": m.queue,
                    "department": m.department,
                    "active": True,
                    "catalog_code": m.catalog_code,
                    "department_code": m.department_code,
                },
                {},
            )
            for m in spec.matters
        ],
    )
    _sync_windows(conn, spec)
    _sync_many(
        conn,
        users,
        spec.code,
        [
            (
                {"username": u.username},
                {
                    "name": u.name,
                    "role": u.role,
                    "windows": list(u.windows),
                    "active": True,
                    "staff_no": u.staff_no,
                },
                {"password_hash": u.password_hash},  # later: security_sync (issue 19)
            )
            for u in spec.users
        ],
        key="username",
    )
    sync_security(conn, spec)
    _sync_many(
        conn,
        devices,
        spec.code,
        [
            (
                {"id": d.id},
                {
                    "kind": d.kind,
                    "name": d.name,
                    "window": d.window,
                    "active": True,
                    "token_hash": d.token_hash or token_hash(d.token or ""),
                },
                {"status": "unknown"},
            )
            for d in spec.devices
        ],
        key="id",
    )
    sync_subscribers(conn, spec)


class SecretKeyMismatch(RuntimeError):
    """The server's key is not the one the store's hashes were made with."""


def check_secret_key(db: Database, key: bytes) -> None:
    """Refuse a key that differs from the one the store was first used with.

    ID-number hashes and ticket secrets are keyed: every host of one database needs the
    same key (YICHUANG_SECRET_KEY), or limits and progress pages silently break.
    """
    fingerprint = keyed_hash(key, "fingerprint", "yichuang")[:32]
    with db.write() as conn:
        stored = conn.execute(
            select(server_meta.c.value).where(server_meta.c.name == "key_fingerprint")
        ).scalar()
        if stored is None:
            conn.execute(server_meta.insert().values(name="key_fingerprint", value=fingerprint))
        elif stored != fingerprint:
            raise SecretKeyMismatch(
                "this server's secret key is not the one the database was set up with; "
                "give every host the same YICHUANG_SECRET_KEY (or the same data_dir/secret.key)"
            )


def _sync_windows(conn: Connection, spec: HallSpec) -> None:
    existing = {
        r.code: r._mapping for r in conn.execute(select(windows).where(windows.c.hall == spec.code))
    }
    rows = []
    for i, w in enumerate(spec.windows):
        values: dict[str, Any] = {
            "name": w.name,
            "area": w.area,
            "config": w.config(),
            "position": i,
            "active": True,
        }
        old = existing.get(w.code)
        # Keep a tidal change made at run time unless the file itself changed the queues.
        if old is None or old["config"].get("home_queues") != list(w.queues):
            values["queues"] = list(w.queues)
        rows.append(
            (
                {"code": w.code},
                values,
                {"queues": list(w.queues), "status": "closed", "normal_since_green": 0},
            )
        )
    _sync_many(conn, windows, spec.code, rows)


def _sync_many(
    conn: Connection,
    table: Table,
    hall: str,
    rows: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]],
    key: str = "code",
) -> None:
    """Update the rows the store has, insert the others at once, retire what is not named."""
    column = table.c[key]
    have = set(conn.execute(select(column).where(table.c.hall == hall)).scalars())
    fresh: list[dict[str, Any]] = []
    for ident, values, insert_only in rows:
        if ident[key] in have:
            cond = [table.c[k] == v for k, v in {"hall": hall, **ident}.items()]
            conn.execute(update(table).where(*cond).values(**values))
        else:
            fresh.append({**insert_only, "hall": hall, **ident, **values})
    # One executemany per set of columns: a fresh hall loads in a few round trips rather
    # than two per row (every server start loads its hall files).
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in fresh:
        by_columns.setdefault(tuple(sorted(row)), []).append(row)
    for batch in by_columns.values():
        conn.execute(table.insert(), batch)
    named = [ident[key] for ident, _, _ in rows]
    conn.execute(
        update(table).where(table.c.hall == hall, column.not_in(named)).values(active=False)
    )


def _upsert(
    conn: Connection,
    table: Table,
    ident: dict[str, Any],
    values: dict[str, Any],
    insert_only: dict[str, Any],
) -> None:
    cond = [table.c[k] == v for k, v in ident.items()]
    found = conn.execute(select(*[table.c[k] for k in ident]).where(*cond)).first()
    if found is None:
        conn.execute(table.insert().values({**insert_only, **ident, **values}))
    else:
        conn.execute(update(table).where(*cond).values(**values))
