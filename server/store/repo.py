"""Ticket rows <-> domain objects, and the ticket, call and count statements of the hot path.

Windows live in `windows_repo.py`, the hall lock and the event log in `halls_repo.py`; the
relay's read of new events stays here (`halls_repo` imports the relay's NOTIFY).

Hot-path statements are built once at import with bind parameters: building a statement
costs several times more than running it on SQLite, and the compiled form is cached.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    bindparam,
    case,
    func,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from server.domain.model import (
    Outcome,
    Priority,
    Source,
    Ticket,
    TicketStatus,
)
from server.store.fast import Fast
from server.store.tables import calls, counters, events, tickets, waiting_counts

_TICKET_FIELDS = [f.name for f in dataclasses.fields(Ticket)]
_ENUMS: dict[str, Any] = {
    "status": TicketStatus,
    "priority": Priority,
    "source": Source,
    "outcome": Outcome,
}
_WAITING = TicketStatus.WAITING.value
_SERVICE_RESULTS = [o.value for o in Outcome if o is not Outcome.NO_SHOW]


def _p(name: str, **kw: Any) -> Any:
    return bindparam(name, **kw)


def _in_day() -> list[ColumnElement[bool]]:
    return [tickets.c.hall == _p("hall"), tickets.c.business_date == _p("day")]


def _waiting_in_day() -> list[ColumnElement[bool]]:
    return [*_in_day(), tickets.c.status == _WAITING]


_GET_TICKET = select(tickets).where(tickets.c.id == _p("id"))
_FIND_TICKET = select(tickets).where(*_in_day(), tickets.c.number == _p("number"))
_INSERT_TICKET = tickets.insert()
_SAVE_TICKET = update(tickets).where(tickets.c.id == _p("b_id"))
_CANDIDATES: dict[int, Fast] = {}


# The few tickets called before any line: transferred ones and appointments. Two selects,
# so that each walks an index (one OR of the two would scan every waiting ticket of the
# day); a ticket in both comes twice and call_candidates keeps it once.
def _transferred(served: list[Any]) -> Any:
    return select(tickets).where(
        *_waiting_in_day(),
        tickets.c.transferred.is_(True),
        tickets.c.queue.in_(served) | (tickets.c.target_window == _p("window")),
    )


def _appointments(served: list[Any]) -> Any:
    return select(tickets).where(
        *_waiting_in_day(),
        tickets.c.queue.in_(served),
        tickets.c.priority == Priority.APPOINTMENT.value,
    )


# Mirrors server.domain.policy.queue_order_key (a test keeps the two in step).
_line_class = case(
    ((tickets.c.target_window.is_not(None)) | (tickets.c.transferred.is_(True)), 0),
    (tickets.c.priority == Priority.APPOINTMENT.value, 1),
    (tickets.c.priority == Priority.GREEN.value, 2),
    else_=3,
)
_COUNT_AHEAD = select(func.count()).where(
    *_waiting_in_day(),
    tickets.c.queue == _p("queue"),
    tickets.c.id != _p("id"),
    (_line_class < _p("klass")) | ((_line_class == _p("klass")) & (tickets.c.rank < _p("rank"))),
)
_LINE_RANKS = (
    select(tickets.c.rank)
    .where(*_waiting_in_day(), tickets.c.queue == _p("queue"))
    .order_by(tickets.c.rank)
    .limit(_p("limit"))
)
_QUEUE_COUNTS = (
    select(tickets.c.queue, func.count()).where(*_waiting_in_day()).group_by(tickets.c.queue)
)
_CITIZEN = select(tickets).where(
    *_in_day(), tickets.c.queue == _p("queue"), tickets.c.id_hash == _p("id_hash")
)
_SERVICE_DURATIONS = (
    select(calls.c.called_at, calls.c.ended_at)
    .where(
        calls.c.hall == _p("hall"),
        calls.c.business_date == _p("day"),
        calls.c.queue == _p("queue"),
        # written out, not an expanding IN: a Fast statement rides the writes' round trip
        text("calls.result IN (" + ", ".join(f"'{r}'" for r in _SERVICE_RESULTS) + ")"),
    )
    .order_by(calls.c.id.desc())
    .limit(20)
)
_INSERT_CALL = calls.insert()
_END_CALL = update(calls).where(calls.c.ticket_id == _p("b_ticket"), calls.c.ended_at.is_(None))
_COUNT_RECALL = (
    update(calls)
    .where(calls.c.ticket_id == _p("b_ticket"), calls.c.ended_at.is_(None))
    .values(recalls=calls.c.recalls + 1)
)
_EVENTS_AFTER = (
    select(events.c.seq, events.c.payload)
    .where(events.c.hall == _p("hall"), events.c.seq > _p("since"))
    .order_by(events.c.seq)
    .limit(_p("limit"))
)
WAITING_COUNTS = select(waiting_counts.c.queue, waiting_counts.c.waiting).where(
    waiting_counts.c.hall == _p("hall"), waiting_counts.c.business_date == _p("day")
)
# a hall's numbers of the day, read along with its lock (PostgreSQL: halls_repo.lock)
DAY_NUMBERS = select(counters.c.queue, counters.c.last_number).where(
    counters.c.hall == _p("hall"), counters.c.business_date == _p("day")
)
_UPSERTS: dict[tuple[str, str], Any] = {}
# The hot path's statements on the driver's cursor (server/store/fast.py).
_FAST_GET_TICKET = Fast(_GET_TICKET)
_FAST_INSERT_TICKET = Fast(_INSERT_TICKET, _TICKET_FIELDS)
_FAST_SAVE_TICKET = Fast(_SAVE_TICKET, [f for f in _TICKET_FIELDS if f != "id"])
_FAST_COUNT_AHEAD = Fast(_COUNT_AHEAD)
_FAST_WAITING_COUNTS = Fast(WAITING_COUNTS)
_CALL_KEYS = "hall ticket_id business_date queue window clerk called_at recalls out_of_order"
_FAST_SERVICE_DURATIONS = Fast(_SERVICE_DURATIONS)
_FAST_INSERT_CALL = Fast(_INSERT_CALL, _CALL_KEYS.split())
_FAST_END_CALL = Fast(_END_CALL, ["ended_at", "result"])
_COUNTER_KEYS = ["hall", "business_date", "queue", "last_number"]
_WAITING_KEYS = ["hall", "business_date", "queue", "waiting"]
_NEXT_NUMBER: dict[str, Fast] = {}  # per dialect
_ADJUST_WAITING: dict[str, Fast] = {}
_COUNTER_ROW = postgresql.insert(counters)
_SET_NUMBER = Fast(
    _COUNTER_ROW.on_conflict_do_update(
        index_elements=[counters.c.hall, counters.c.business_date, counters.c.queue],
        set_={"last_number": _COUNTER_ROW.excluded.last_number},
    ),
    _COUNTER_KEYS,
)


def _upsert(conn: Connection, table: Any, keys: list[Any], column: str) -> Any:
    """INSERT … ON CONFLICT DO UPDATE SET column = column + excluded.column, built once."""
    cache_key = (conn.dialect.name, table.name)
    stmt = _UPSERTS.get(cache_key)
    if stmt is None:
        insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        base = insert(table)
        set_ = {column: table.c[column] + base.excluded[column]}
        stmt = _UPSERTS[cache_key] = base.on_conflict_do_update(index_elements=keys, set_=set_)
    return stmt


def ticket_from_row(row: Row[Any] | Mapping[str, Any]) -> Ticket:
    """Build a Ticket from a tickets row (or a mapping of its columns)."""
    mapping: Any = row if isinstance(row, Mapping) else row._mapping
    data = {name: mapping[name] for name in _TICKET_FIELDS}
    for name, enum in _ENUMS.items():
        if data[name] is not None:
            data[name] = enum(data[name])
    data["evaluation_reasons"] = tuple(data["evaluation_reasons"] or ())  # NULL: rated before
    return Ticket(**data)


def ticket_values(ticket: Ticket) -> dict[str, Any]:
    """Column values of a Ticket."""
    values = {name: getattr(ticket, name) for name in _TICKET_FIELDS}
    for name in _ENUMS:
        if values[name] is not None:
            values[name] = values[name].value
    values["evaluation_reasons"] = list(values["evaluation_reasons"]) or None
    return values


_TICKET_KEYS = [c.key for c in tickets.c]


def ticket_rows(rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Rows of every tickets column (in table order) as {column key: value}."""
    return [dict(zip(_TICKET_KEYS, r, strict=True)) for r in rows]


def get_ticket(conn: Connection, ticket_id: str) -> Ticket | None:
    """Load one ticket by id."""
    rows = _FAST_GET_TICKET.mappings(conn, {"id": ticket_id})
    return ticket_from_row(rows[0]) if rows else None


def find_ticket(conn: Connection, hall: str, day: dt.date, number: str) -> Ticket | None:
    """Load a ticket by its printed number on a business day."""
    row = conn.execute(_FIND_TICKET, {"hall": hall, "day": day, "number": number}).first()
    return ticket_from_row(row) if row else None


def insert_ticket(conn: Connection, ticket: Ticket) -> None:
    """Insert a new ticket."""
    _FAST_INSERT_TICKET.run(conn, ticket_values(ticket))


def save_ticket(conn: Connection, ticket: Ticket) -> None:
    """Write every field of a changed ticket."""
    values = ticket_values(ticket)
    values["b_id"] = values.pop("id")
    _FAST_SAVE_TICKET.run(conn, values)


def tickets_in(
    conn: Connection, hall: str, day: dt.date, statuses: Iterable[TicketStatus]
) -> list[Ticket]:
    """The day's tickets of a hall in the given states, in rank order."""
    rows = conn.execute(
        select(tickets)
        .where(
            tickets.c.hall == hall,
            tickets.c.business_date == day,
            tickets.c.status.in_([s.value for s in statuses]),
        )
        .order_by(tickets.c.rank)
    )
    return [ticket_from_row(r) for r in rows]


def waiting_for(
    conn: Connection, hall: str, day: dt.date, queues: Sequence[str], window: str | None
) -> list[Ticket]:
    """Every waiting ticket in the given queues, plus those transferred to `window` itself."""
    cond: ColumnElement[bool] = tickets.c.queue.in_(list(queues))
    if window is not None:
        cond = cond | (tickets.c.target_window == window)
    rows = conn.execute(
        select(tickets)
        .where(
            tickets.c.hall == hall,
            tickets.c.business_date == day,
            tickets.c.status == _WAITING,
            cond,
        )
        .order_by(tickets.c.rank)
    )
    return [ticket_from_row(r) for r in rows]


def call_candidates(
    conn: Connection,
    hall: str,
    day: dt.date,
    queues: Sequence[str],
    window: str,
    now: dt.datetime,
) -> list[Ticket]:
    """The few waiting tickets call-next can pick from, without loading whole lines.

    Transferred tickets and appointments (both few) come whole; of the rest only the head
    of each served queue per priority, which is all the policies ever compare. One
    statement (a UNION ALL) whatever the number of queues.
    """
    params: dict[str, Any] = {"hall": hall, "day": day, "window": window, "now": now}
    if conn.dialect.name == "postgresql":
        params["queues"] = list(queues)
        rows = _CANDIDATES_PG.mappings(conn, params)
    else:
        params.update({f"q{i}": queue for i, queue in enumerate(queues)})
        rows = _candidates_statement(len(queues)).mappings(conn, params)
    return candidate_tickets(rows)


def candidate_tickets(rows: list[dict[str, Any]]) -> list[Ticket]:
    """The candidates' tickets, each once (a transfer may also head its line)."""
    found = {}
    for row in rows:
        found[row["id"]] = ticket_from_row(row)
    return list(found.values())


_TICKET_COLUMNS = ", ".join(f't."{c.name}"' for c in tickets.c)


def _candidates_pg(served: str, lines: str) -> Fast:
    """PostgreSQL: the same candidates in one statement whose text is that of every window.

    The UNION ALL below grows with the queues served (20 KB of SQL for three queues, 84 KB
    for fifteen): psycopg parsed its placeholders on every call (it caches only short
    statements) and PostgreSQL planned it under the hall lock. Here the queues are one array
    and each head a LATERAL subquery, so the text is short and prepared once per connection.
    `served` is the SQL of the queues' array and `lines` a FROM item of them, `q(code, n)`
    in the window's order: the heads come queue by queue as on SQLite, and when two lines'
    heads have the same rank the policy takes the first.
    The states and priorities are written out, not bound, so that the one generic plan it
    keeps (the lock's pipeline asks for it: server/store/halls_repo.py) uses the line index
    for them. PostgreSQL's own choice was to plan it anew on every call, under the lock.
    """
    waiting = f"t.hall = :hall AND t.business_date = :day AND t.status = '{_WAITING}'"
    appointment, heads = Priority.APPOINTMENT.value, (Priority.NORMAL.value, Priority.GREEN.value)
    sql = f"""
        SELECT {_TICKET_COLUMNS} FROM tickets t
         WHERE {waiting} AND t.transferred
           AND (t.queue = ANY({served}) OR t.target_window = :window)
        UNION ALL
        (SELECT {_TICKET_COLUMNS}
           FROM {lines}
          CROSS JOIN LATERAL (
                SELECT * FROM tickets t
                 WHERE {waiting} AND t.queue = q.code AND t.priority = '{appointment}'
                 ORDER BY t.rank) t  -- ordered: kept a subquery, one index scan per line
          ORDER BY q.n, t.rank)
        UNION ALL
        (SELECT {_TICKET_COLUMNS}
           FROM {lines}
          CROSS JOIN (VALUES (1, '{heads[0]}'), (2, '{heads[1]}')) AS p(n, priority)
          CROSS JOIN LATERAL (
                SELECT * FROM tickets t
                 WHERE {waiting} AND t.queue = q.code AND t.priority = p.priority
                   AND t.target_window IS NULL
                   -- 暂离：an away head gives way to the next ticket of its line
                   AND (t.away_until IS NULL OR t.away_until <= :now)
                 ORDER BY t.rank LIMIT 1) t
          ORDER BY q.n, p.n)
    """
    binds = [
        bindparam("day", type_=tickets.c.business_date.type),
        bindparam("now", type_=tickets.c.away_until.type),
    ]
    if ":queues" in served:
        binds.append(bindparam("queues", type_=postgresql.ARRAY(tickets.c.queue.type)))
    return Fast(text(sql).bindparams(*binds).columns(*tickets.c))


# The queues a window serves, from its own row: read along with the hall lock, before the
# service knows the window (windows.queues is a JSON array; 潮汐 changes it under the lock).
_OF_WINDOW = "FROM windows w WHERE w.hall = :hall AND w.code = :window"
_WINDOW_QUEUES = (
    f"(SELECT ARRAY(SELECT json_array_elements_text(w.queues)) {_OF_WINDOW})::VARCHAR[]"
)
_WINDOW_LINES = (
    "(SELECT e.code, e.n FROM windows w"
    " CROSS JOIN json_array_elements_text(w.queues) WITH ORDINALITY AS e(code, n)"
    " WHERE w.hall = :hall AND w.code = :window) AS q"
)
_CANDIDATES_PG = _candidates_pg(
    "CAST(:queues AS VARCHAR[])",
    "unnest(CAST(:queues AS VARCHAR[])) WITH ORDINALITY AS q(code, n)",
)
CANDIDATES_OF_WINDOW = _candidates_pg(_WINDOW_QUEUES, _WINDOW_LINES)
# When the next 暂离 of the window's lines ends: candidates read for one instant stay right
# until then (the lock's reads are made before the transaction's clock is read). Few tickets
# are away: ix_tickets_away holds only them.
NEXT_AWAY_END = Fast(
    text(
        "SELECT min(t.away_until) FROM tickets t WHERE t.hall = :hall AND t.business_date = :day"
        f" AND t.status = '{_WAITING}' AND t.queue = ANY({_WINDOW_QUEUES}) AND t.away_until > :now"
    )
    .bindparams(
        bindparam("day", type_=tickets.c.business_date.type),
        bindparam("now", type_=tickets.c.away_until.type),
    )
    .columns(tickets.c.away_until)
)
# The ticket a window has called (outcome, recall, transfer read it first).
CURRENT_OF_WINDOW = Fast(
    text(
        f"SELECT {_TICKET_COLUMNS} FROM tickets t WHERE t.id ="
        " (SELECT w.current_ticket FROM windows w WHERE w.hall = :hall AND w.code = :window)"
    ).columns(*tickets.c)
)


def _candidates_statement(served: int) -> Fast:
    stmt = _CANDIDATES.get(served)
    if stmt is None:
        queues = [_p(f"q{i}") for i in range(served)]
        parts = [select(_transferred(queues).subquery()), select(_appointments(queues).subquery())]
        for i in range(served):
            for priority in (Priority.NORMAL.value, Priority.GREEN.value):
                head = (
                    select(tickets)
                    .where(
                        *_waiting_in_day(),
                        tickets.c.queue == _p(f"q{i}"),
                        tickets.c.priority == priority,
                        tickets.c.target_window.is_(None),
                        # 暂离：an away head gives way to the next ticket of its line
                        tickets.c.away_until.is_(None) | (tickets.c.away_until <= _p("now")),
                    )
                    .order_by(tickets.c.rank)
                    .limit(1)
                )
                parts.append(select(head.subquery()))
        stmt = _CANDIDATES[served] = Fast(union_all(*parts))
    return stmt


def count_ahead(conn: Connection, ticket: Ticket, klass: int) -> int:
    """Waiting tickets of the ticket's queue that stand before it (class, then rank)."""
    params = {
        "hall": ticket.hall,
        "day": ticket.business_date,
        "queue": ticket.queue,
        "id": ticket.id,
        "klass": klass,
        "rank": ticket.rank,
    }
    return int(_FAST_COUNT_AHEAD.scalar(conn, params))


def line_ranks(conn: Connection, hall: str, day: dt.date, queue: str, limit: int) -> list[int]:
    """Ranks of the first `limit` waiting tickets of a queue, in rank order."""
    rows = conn.execute(_LINE_RANKS, {"hall": hall, "day": day, "queue": queue, "limit": limit})
    return [int(r) for (r,) in rows]


def queue_counts(conn: Connection, hall: str, day: dt.date) -> dict[str, int]:
    """Waiting tickets per queue."""
    rows = conn.execute(_QUEUE_COUNTS, {"hall": hall, "day": day})
    return {queue: count for queue, count in rows}


def count_issued(
    conn: Connection,
    hall: str,
    day: dt.date,
    queue: str,
    between: tuple[dt.datetime, dt.datetime] | None = None,
) -> int:
    """Tickets issued today in a queue (optionally within an instant range)."""
    query = select(func.count()).where(
        tickets.c.hall == hall, tickets.c.business_date == day, tickets.c.queue == queue
    )
    if between is not None:
        query = query.where(tickets.c.issued_at >= between[0], tickets.c.issued_at < between[1])
    return int(conn.execute(query).scalar_one())


def citizen_tickets(
    conn: Connection, hall: str, day: dt.date, queue: str, id_hash: str
) -> list[Ticket]:
    """The citizen's tickets today in a queue."""
    params = {"hall": hall, "day": day, "queue": queue, "id_hash": id_hash}
    return [ticket_from_row(r) for r in conn.execute(_CITIZEN, params)]


def next_number(conn: Connection, hall: str, day: dt.date, queue: str) -> int:
    """Allocate the next number of a queue for the day, atomically (upsert ... returning)."""
    stmt = _NEXT_NUMBER.get(conn.dialect.name)
    if stmt is None:
        keys = [counters.c.hall, counters.c.business_date, counters.c.queue]
        upsert = _upsert(conn, counters, keys, "last_number").returning(counters.c.last_number)
        stmt = _NEXT_NUMBER[conn.dialect.name] = Fast(upsert, _COUNTER_KEYS)
    params = {"hall": hall, "business_date": day, "queue": queue, "last_number": 1}
    return int(stmt.scalar(conn, params))


def set_number(conn: Connection, hall: str, day: dt.date, queue: str, number: int) -> None:
    """Store a queue's last number of the day, allocated under the hall lock (PostgreSQL)."""
    params = {"hall": hall, "business_date": day, "queue": queue, "last_number": number}
    _SET_NUMBER.run(conn, params)


def adjust_waiting(conn: Connection, hall: str, deltas: dict[tuple[dt.date, str], int]) -> None:
    """Add the transaction's changes to the per-queue waiting counts."""
    stmt = _ADJUST_WAITING.get(conn.dialect.name)
    if stmt is None:
        keys = [waiting_counts.c.hall, waiting_counts.c.business_date, waiting_counts.c.queue]
        upsert = _upsert(conn, waiting_counts, keys, "waiting")
        stmt = _ADJUST_WAITING[conn.dialect.name] = Fast(upsert, _WAITING_KEYS)
    for (day, queue), delta in deltas.items():
        if delta:
            params = {"hall": hall, "business_date": day, "queue": queue, "waiting": delta}
            stmt.run(conn, params)


def waiting_by_queue(conn: Connection, hall: str, day: dt.date) -> dict[str, int]:
    """Waiting tickets per queue, from the maintained counts."""
    rows = _FAST_WAITING_COUNTS.rows(conn, {"hall": hall, "day": day})
    return {queue: int(n) for queue, n in rows if n}


def service_durations(conn: Connection, hall: str, day: dt.date, queue: str) -> list[float]:
    """Seconds of the last 20 finished services in a queue today (for the wait estimate)."""
    rows = _FAST_SERVICE_DURATIONS.rows(conn, {"hall": hall, "day": day, "queue": queue})
    return [(end - start).total_seconds() for start, end in rows if end is not None]


def insert_call(conn: Connection, ticket: Ticket, *, out_of_order: bool) -> None:
    """Record that a ticket was called to its window."""
    assert ticket.window is not None and ticket.called_at is not None
    _FAST_INSERT_CALL.run(
        conn,
        {
            "hall": ticket.hall,
            "ticket_id": ticket.id,
            "business_date": ticket.business_date,
            "queue": ticket.queue,
            "window": ticket.window,
            "clerk": ticket.clerk,
            "called_at": ticket.called_at,
            "recalls": 0,
            "out_of_order": out_of_order,
        },
    )


def end_call(conn: Connection, ticket_id: str, result: str, at: dt.datetime) -> None:
    """Close the open call of a ticket with its result."""
    _FAST_END_CALL.run(conn, {"b_ticket": ticket_id, "ended_at": at, "result": result})


def count_recall(conn: Connection, ticket_id: str) -> None:
    """Count a recall on the ticket's open call."""
    conn.execute(_COUNT_RECALL, {"b_ticket": ticket_id})


def events_after(conn: Connection, hall: str, since: int, limit: int) -> list[tuple[int, str]]:
    """(seq, payload) of events after `since`, in seq order."""
    rows = conn.execute(_EVENTS_AFTER, {"hall": hall, "since": since, "limit": limit})
    return [(int(seq), payload) for seq, payload in rows]
