"""SQLAlchemy Core tables; Alembic migrations are generated from this metadata."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC on every backend."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        """Convert to naive UTC for storage."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        """Attach UTC to what was stored."""
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC)


halls = Table(
    "halls",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("config", JSON, nullable=False),  # notice, hours, guide tree, display settings
    Column("last_seq", BigInteger, nullable=False, default=0),
    Column("closed_date", Date, nullable=True),  # last business date whose day-end ran
)

areas = Table(
    "areas",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("position", Integer, nullable=False, default=0),
)

queues = Table(
    "queues",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(4), nullable=False),
    Column("area", String(32), nullable=False),
    Column("config", JSON, nullable=False),  # quotas, 过号重排 rule, service minutes ...
    Column("position", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
)

matters = Table(
    "matters",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("code", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("department", String(100), nullable=True),
    Column("queue", String(32), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

windows = Table(
    "windows",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("area", String(32), nullable=False),
    Column("config", JSON, nullable=False),  # policy, weights, green mode, devices, schedule
    Column("queues", JSON, nullable=False),  # served queues now (tidal windows change them)
    Column("status", String(16), nullable=False, default="closed"),
    Column("clerk", String(64), nullable=True),
    Column("current_ticket", String(32), nullable=True),
    Column("paused_reason", String(100), nullable=True),
    Column("normal_since_green", Integer, nullable=False, default=0),
    Column("schedule_mark", String(32), nullable=True),  # last tidal schedule entry applied
    Column("position", Integer, nullable=False, default=0),
    Column("active", Boolean, nullable=False, default=True),
)

counters = Table(
    "counters",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("business_date", Date, primary_key=True),
    Column("queue", String(32), primary_key=True),
    Column("last_number", Integer, nullable=False),
)

# Waiting tickets per queue and day, kept in step with `tickets` in the same transaction, so
# that every event can carry the hall's queue counts without counting the whole line.
waiting_counts = Table(
    "waiting_counts",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("business_date", Date, primary_key=True),
    Column("queue", String(32), primary_key=True),
    Column("waiting", Integer, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("hall", String(32), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("queue", String(32), nullable=False),
    Column("number", String(16), nullable=False),
    Column("rank", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),
    Column("priority", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    Column("matter", String(64), nullable=True),
    Column("applicant_name", String(50), nullable=True),
    Column("id_hash", String(64), nullable=True),
    Column("id_masked", String(24), nullable=True),
    Column("phone", String(20), nullable=True),
    Column("call_count", Integer, nullable=False, default=0),
    Column("recalls", Integer, nullable=False, default=0),
    Column("requeue_count", Integer, nullable=False, default=0),
    Column("issued_at", UTCDateTime, nullable=False),
    Column("first_called_at", UTCDateTime, nullable=True),
    Column("called_at", UTCDateTime, nullable=True),
    Column("finished_at", UTCDateTime, nullable=True),
    Column("no_show_at", UTCDateTime, nullable=True),
    Column("window", String(32), nullable=True),
    Column("clerk", String(64), nullable=True),
    Column("outcome", String(16), nullable=True),
    Column("reason", Text, nullable=True),
    Column("transferred", Boolean, nullable=False, default=False),
    Column("target_window", String(32), nullable=True),
    Column("transfer_note", String(200), nullable=True),  # for staff; never in events
    Column("transferred_at", UTCDateTime, nullable=True),  # starts the wait for a closed window
    Column("appointment_code", String(16), nullable=True),
    Column("appointment_start", UTCDateTime, nullable=True),
    Column("appointment_end", UTCDateTime, nullable=True),
    Column("evaluation_level", Integer, nullable=True),
    Column("evaluation_comment", Text, nullable=True),
    Column("evaluation_reasons", JSON, nullable=True),  # 好差评 reasons picked, in order
    Column("evaluation_requested", Boolean, nullable=False, default=False),
    Column("evaluated_at", UTCDateTime, nullable=True),
    # The waiting line: heads per queue and priority for call-next, counts per queue.
    Index("ix_tickets_line", "hall", "business_date", "status", "queue", "priority", "rank"),
    Index("ix_tickets_transferred", "hall", "business_date", "status", "transferred"),
    Index("ix_tickets_citizen", "hall", "business_date", "queue", "id_hash"),
    # Prefixes are unique per hall, so a number is unique per hall and day: never issued twice.
    Index("ix_tickets_hall_date_number", "hall", "business_date", "number", unique=True),
)

# Every call of a ticket to a window: the record statistics count per window and clerk.
calls = Table(
    "calls",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(32), nullable=False),
    Column("ticket_id", String(32), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("queue", String(32), nullable=False),
    Column("window", String(32), nullable=False),
    Column("clerk", String(64), nullable=True),
    Column("called_at", UTCDateTime, nullable=False),
    Column("recalls", Integer, nullable=False, default=0),
    Column("out_of_order", Boolean, nullable=False, default=False),
    Column("ended_at", UTCDateTime, nullable=True),
    Column("result", String(16), nullable=True),  # an Outcome, or "transferred" / "expired"
    ForeignKeyConstraint(["ticket_id"], ["tickets.id"]),
    Index("ix_calls_hall_date_window", "hall", "business_date", "window"),
    Index("ix_calls_ticket", "ticket_id"),
)

walk_ins = Table(
    "walk_ins",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(32), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("window", String(32), nullable=False),
    Column("clerk", String(64), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("matter", String(64), nullable=True),
)

events = Table(
    "events",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("type", String(32), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("payload", Text, nullable=False),  # the public JSON message, exactly as sent
)

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("hall", String(32), nullable=False),
    Column("name", String(50), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("windows", JSON, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("staff_no", String(32), nullable=True),  # 工号, shown on the window's evaluator
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# Failed sign-ins of the last minute, shared by every worker and host (the login rate
# limit); rows older than the window are deleted as new ones come in.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("client", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_login_failures_username", "username", "at"),
    Index("ix_login_failures_client", "client", "at"),
    Index("ix_login_failures_at", "at"),
)

# Idempotency-Key: the committed answer of each keyed write, per hall and caller, kept 24 h.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("caller", String(80), primary_key=True),  # "<role>:<user or device id>"
    Column("key", String(64), primary_key=True),
    Column("fingerprint", String(64), nullable=False),  # sha-256 of method, path and body
    Column("status", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_idempotency_keys_at", "hall", "at"),
)

devices = Table(
    "devices",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", String(100), nullable=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("window", String(32), nullable=True),
    Column("status", String(16), nullable=False, default="unknown"),
    Column("detail", String(200), nullable=True),
    Column("status_at", UTCDateTime, nullable=True),
    Column("active", Boolean, nullable=False, default=True),
)

appointments = Table(
    "appointments",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("hall", String(32), nullable=False),
    Column("queue", String(32), nullable=False),
    Column("slot_start", UTCDateTime, nullable=False),
    Column("slot_end", UTCDateTime, nullable=False),
    Column("applicant_name", String(50), nullable=True),
    Column("id_hash", String(64), nullable=True),
    Column("id_masked", String(24), nullable=True),
    Column("phone", String(20), nullable=True),
    Column("status", String(16), nullable=False),  # booked / checked_in / cancelled
    Column("ticket_id", String(32), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_appointments_slot", "hall", "queue", "slot_start"),
)

# Facts about the installation itself (e.g. the fingerprint of the server key).
server_meta = Table(
    "server_meta",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

# Roles that exactly one process per hall may hold at a time (e.g. the hall announcer).
leases = Table(
    "leases",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("name", String(32), primary_key=True),
    Column("holder", String(100), nullable=False),
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

reported_volumes = Table(
    "reported_volumes",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("month", String(7), primary_key=True),  # YYYY-MM
    Column("window", String(32), primary_key=True),
    Column("department", String(100), nullable=True),
    Column("volume", Integer, nullable=False),
    Column("detail", JSON, nullable=True),  # optional per-outcome counts
    Column("updated_at", UTCDateTime, nullable=False),
    Column("updated_by", String(64), nullable=True),
)

# ---- 办件 (cases after 受理): one row per case, one per recorded step (issue 18) ----

cases = Table(
    "cases",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("case_no", String(40), primary_key=True),  # 办件编号, typed/scanned or numbered here
    Column("ticket_id", String(32), nullable=True),  # the ticket whose 受理 opened it
    Column("matter", String(64), nullable=True),
    Column("department", String(32), nullable=True),  # department id of the hall file
    Column("kind", String(16), nullable=False),  # instant 即办件 / promised 承诺件
    Column("limit_days", Integer, nullable=False),  # 承诺时限, working days
    Column("applicant_masked", String(50), nullable=True),  # masked only, as on the screens
    Column("clerk", String(64), nullable=True),
    Column("window", String(32), nullable=True),
    Column("state", String(16), nullable=False),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("handed_at", UTCDateTime, nullable=True),
    Column("signed_at", UTCDateTime, nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("decision", String(16), nullable=True),  # approve 准予 / deny 不予许可
    Column("delivered_at", UTCDateTime, nullable=True),
    Column("delivery", String(16), nullable=True),
    Column("tracking_no", String(40), nullable=True),
    Column("note", Text, nullable=True),
    Column("materials", JSON, nullable=True),
    Index("ix_cases_ticket", "ticket_id"),
    Index("ix_cases_opened", "hall", "opened_at"),
)

case_steps = Table(
    "case_steps",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("hall", String(32), nullable=False),
    Column("case_no", String(40), nullable=False),
    Column("step", String(16), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(80), nullable=False),  # "<role>:<user or device id>"
    Column("step_id", String(64), nullable=True),  # an outside system's id: pushed once
    Column("detail", JSON, nullable=True),
    Column("reply", Text, nullable=True),  # the answer to a pushed step, for its duplicates
    Index("ix_case_steps_case", "hall", "case_no"),
    Index("ix_case_steps_step_id", "hall", "step_id", unique=True),
)
