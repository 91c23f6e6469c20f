"""The audit trail in the store: append (chained, one writer per chain), read, prune.

There is no update and no delete except `prune`, which removes whole days older than the
retention from the start of a chain and keeps the hash of the last one it removed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from server.domain import auditchain
from server.store.fast import Fast
from server.store.tables import audit_heads, audit_log, hall_security

COLUMNS = [c for c in audit_log.c if c.name != "id"]


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def as_record(row: Any) -> dict[str, Any]:
    """A stored row as the chain hashes it (times as UTC ISO text)."""
    rec = {c.name: getattr(row, c.name) for c in COLUMNS}
    rec["at"] = _iso(rec["at"])
    rec["seq"] = int(rec["seq"])
    return rec


# Every staff write appends a record: its statements run on the driver's cursor (fast.py).
_HEAD = Fast(select(audit_heads).where(audit_heads.c.hall == bindparam("hall")))
HEAD_FOR_UPDATE = (
    select(audit_heads).where(audit_heads.c.hall == bindparam("hall")).with_for_update()
)
_HEAD_FOR_UPDATE = Fast(HEAD_FOR_UPDATE)
_HEAD_KEYS = [c.key for c in audit_heads.columns]


def head_from_row(row: tuple[Any, ...]) -> dict[str, Any]:
    """A chain head from a row of `audit_heads` as the driver gave it."""
    return dict(zip(_HEAD_KEYS, row, strict=True))


_MOVE_HEAD = Fast(
    update(audit_heads).where(audit_heads.c.hall == bindparam("b_hall")),
    ["last_seq", "last_hash"],
)
_INSERTS: dict[tuple[bool, tuple[str, ...]], Fast] = {}  # per backend and set of columns given


def _appending(keys: tuple[str, ...], pg: bool) -> Fast:
    """The record's insert; on PostgreSQL with the head's move in the same round trip."""
    if not pg:  # SQLite has no INSERT inside WITH
        return Fast(audit_log.insert(), keys)
    logged = audit_log.insert().values({k: bindparam(k) for k in keys}).cte("logged")
    head = update(audit_heads).where(audit_heads.c.hall == bindparam("b_hall"))
    return Fast(head.add_cte(logged), ["last_seq", "last_hash"])


class AuditRepo:
    """The `audit_log` and `audit_heads` tables of one transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # heads this transaction holds locked (read with the hall lock, moved by append)
        self._heads: dict[str, dict[str, Any]] = {}

    def prime(self, hall: str, head: dict[str, Any]) -> None:
        """Take the hall's chain head, read and locked along with the hall lock (PostgreSQL)."""
        self._heads[hall] = head

    def forget(self) -> None:
        """Drop the heads known (a savepoint rolled back what moved them)."""
        self._heads.clear()

    def _head(self, hall: str) -> dict[str, Any]:
        known = self._heads.get(hall)
        if known is not None:
            return known
        # PostgreSQL: the chain's own row lock, so appends run one at a time
        query = _HEAD if self.conn.dialect.name == "sqlite" else _HEAD_FOR_UPDATE
        rows = query.mappings(self.conn, {"hall": hall})
        if not rows:  # a new chain; two workers may start it at once, one insert wins
            g = auditchain.GENESIS
            dialect = postgresql if self.conn.dialect.name == "postgresql" else sqlite
            self.conn.execute(
                dialect.insert(audit_heads)
                .values(hall=hall, last_seq=0, last_hash=g, pruned_seq=0, pruned_hash=g)
                .on_conflict_do_nothing()
            )
            rows = query.mappings(self.conn, {"hall": hall})
        return rows[0]

    def append(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Chain and store one record (hall, at, who, role, address, action, object …)."""
        hall = fields["hall"]
        head = self._head(hall)
        at: dt.datetime = fields["at"]
        details = json.dumps(
            fields.get("details") or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        rec = {
            **fields,
            "seq": int(head["last_seq"]) + 1,
            "at": _iso(at),
            "details": details,
            "prev_hash": head["last_hash"],
        }
        rec["hash"] = auditchain.record_hash(rec)
        row = {**rec, "at": at}
        keys = tuple(sorted(row))
        moved = {"b_hall": hall, "last_seq": rec["seq"], "last_hash": rec["hash"]}
        pg = self.conn.dialect.name == "postgresql"
        insert = _INSERTS.get((pg, keys))
        if insert is None:
            insert = _INSERTS[(pg, keys)] = _appending(keys, pg)
        if pg:
            insert.run(self.conn, {**row, **moved})
            self._heads[hall] = {**head, "last_seq": rec["seq"], "last_hash": rec["hash"]}
        else:
            insert.run(self.conn, row)
            _MOVE_HEAD.run(self.conn, moved)
        return rec

    def find(
        self,
        halls: list[str],
        *,
        who: str | None = None,
        action: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 500,
    ) -> list[dict[str, Any]]:
        """Records of some halls, newest first, filtered."""
        query = select(audit_log).where(audit_log.c.hall.in_(halls))
        if who:
            query = query.where(audit_log.c.who == who)
        if action:
            query = query.where(audit_log.c.action == action)
        if since is not None:
            query = query.where(audit_log.c.at >= since)
        if until is not None:
            query = query.where(audit_log.c.at < until)
        query = query.order_by(audit_log.c.at.desc(), audit_log.c.id.desc()).limit(limit)
        return [as_record(r) for r in self.conn.execute(query)]

    def chains(self) -> list[tuple[str, int, str, str]]:
        """Every chain: hall, last seq, last hash, and the hash the first kept record follows."""
        rows = self.conn.execute(select(audit_heads).order_by(audit_heads.c.hall))
        return [(r.hall, int(r.last_seq), r.last_hash, r.pruned_hash) for r in rows]

    def walk(self, hall: str) -> Iterator[dict[str, Any]]:
        """A chain's records in seq order."""
        query = select(audit_log).where(audit_log.c.hall == hall).order_by(audit_log.c.seq)
        for row in self.conn.execute(query):
            yield as_record(row)

    def prune(self, hall: str, before: dt.datetime) -> int:
        """Remove a chain's records older than `before`, keeping the last removed one's hash."""
        self._head(hall)
        last = self.conn.execute(
            select(func.max(audit_log.c.seq)).where(
                audit_log.c.hall == hall, audit_log.c.at < before
            )
        ).scalar()
        if last is None:
            return 0
        hashed = self.conn.execute(
            select(audit_log.c.hash).where(audit_log.c.hall == hall, audit_log.c.seq == last)
        ).scalar_one()
        gone = self.conn.execute(
            delete(audit_log).where(audit_log.c.hall == hall, audit_log.c.seq <= last)
        ).rowcount
        self.conn.execute(
            update(audit_heads)
            .where(audit_heads.c.hall == hall)
            .values(pruned_seq=last, pruned_hash=hashed)
        )
        return int(gone or 0)


class SecurityRepo:
    """The `hall_security` rows: the hall file's security settings and the changes over them."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def values(self, hall: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The hall file's values and the security administrator's changes."""
        row = self.conn.execute(select(hall_security).where(hall_security.c.hall == hall)).first()
        if row is None:
            return {}, {}
        return dict(row.file_rules or {}), dict(row.overrides or {})

    def set_overrides(self, hall: str, overrides: dict[str, Any], by: str, at: dt.datetime) -> None:
        """Store the security administrator's changes."""
        found = self.conn.execute(
            select(hall_security.c.hall).where(hall_security.c.hall == hall)
        ).first()
        values = {"overrides": overrides, "updated_by": by, "updated_at": at}
        if found is None:
            self.conn.execute(hall_security.insert().values(hall=hall, file_rules={}, **values))
        else:
            self.conn.execute(
                update(hall_security).where(hall_security.c.hall == hall).values(**values)
            )


def hall_file_loaded(conn: Connection, hall: str, source: str, at: dt.datetime) -> None:
    """Record a hall file (re)load in the transaction that loaded it."""
    AuditRepo(conn).append(
        {
            "hall": hall,
            "at": at,
            "who": "system",
            "role": "system",
            "address": "-",
            "action": "hall_file_loaded",
            "object": source.rsplit("/", 1)[-1][:200],
            "result": "ok",
            "code": "ok",
            "details": {},
        }
    )
