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
    UniqueConstraint,
    false,
    text,
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
    Column("config", JSON, nullable=False),  # quotas，过号重排 rule, service minutes ...
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
    Column("catalog_code", String(64), nullable=True),  # 事项编码
    Column("department_code", String(18), nullable=True),  # 统一社会信用代码
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
    Column("away_until", UTCDateTime, nullable=True),  # 暂离：not called before (0007_phone)
    Column("step_backs", Integer, nullable=False, default=0),  # 延后 / 暂离 taken
    # The waiting line: heads per queue and priority for call-next, counts per queue.
    Index("ix_tickets_line", "hall", "business_date", "status", "queue", "priority", "rank"),
    Index("ix_tickets_transferred", "hall", "business_date", "status", "transferred"),
    Index("ix_tickets_citizen", "hall", "business_date", "queue", "id_hash"),
    # 暂离 with an end (few): when call-next's candidates read with the lock stop holding
    Index(
        "ix_tickets_away",
        "hall",
        "business_date",
        "away_until",
        postgresql_where=text("away_until IS NOT NULL"),
        sqlite_where=text("away_until IS NOT NULL"),
    ),
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
    Column("staff_no", String(32), nullable=True),  # 工号，shown on the window's evaluator
    # issue 19: the hall file's hash last loaded, and when the user set their own password
    Column("initial_hash", String(200), nullable=True),
    Column("password_changed_at", UTCDateTime, nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=True),  # issue 19: the idle timeout
    # issue 19: a session that may only change its password
    Column("must_change", Boolean, nullable=False, default=False, server_default=false()),
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

# ---- Platform (issue 15 §3, §4)：追评 (a citizen's second rating) and 差评整改 items ----

# 追评：at most one per ticket, kept beside the first rating (never overwriting it).
second_ratings = Table(
    "second_ratings",
    metadata,
    Column("ticket_id", String(32), primary_key=True),
    Column("hall", String(32), nullable=False),
    Column("level", Integer, nullable=False),
    Column("comment", Text, nullable=True),
    Column("reasons", JSON, nullable=True),
    Column("channel", String(16), nullable=False),  # phone / evaluator
    Column("rated_at", UTCDateTime, nullable=False),
)

# 差评整改：a rating of 1 or 2 opens one item per ticket; supervisors call back, fix, close.
rating_followups = Table(
    "rating_followups",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("hall", String(32), nullable=False),
    Column("ticket_id", String(32), nullable=False, unique=True),
    Column("number", String(16), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("window", String(32), nullable=True),
    Column("clerk", String(64), nullable=True),
    Column("matter", String(64), nullable=True),
    Column("level", Integer, nullable=False),
    Column("reasons", JSON, nullable=True),
    Column("comment", Text, nullable=True),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("deadline", Date, nullable=False),  # the last working day to close it
    Column("status", String(16), nullable=False),  # open / closed
    Column("callback", JSON, nullable=True),  # 回访 {reached, note, at, by}
    Column("rectification", JSON, nullable=True),  # 整改 {note, at, by}
    Column("closed_at", UTCDateTime, nullable=True),
    Column("closed_by", String(64), nullable=True),
    Column("close_note", Text, nullable=True),
    Index("ix_rating_followups_open", "hall", "status", "deadline"),
)

# --- audit (issue 19): the audit trail, its chain heads, a hall's security settings ---

# Append-only: rows are only inserted, and deleted by the retention prune (oldest first).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("hall", String(32), nullable=False),  # "*": no hall known (an unknown user name)
    Column("seq", BigInteger, nullable=False),  # per hall, 1, 2, 3 … without gaps
    Column("at", UTCDateTime, nullable=False),
    Column("who", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("address", String(64), nullable=False),
    Column("action", String(48), nullable=False),
    Column("object", String(200), nullable=False),
    Column("result", String(8), nullable=False),  # ok / refused / failed
    Column("code", String(48), nullable=False),  # HTTP status or error code
    Column("details", Text, nullable=False),  # canonical JSON, never personal data
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    UniqueConstraint("hall", "seq", name="uq_audit_log_hall_seq"),
    Index("ix_audit_log_at", "hall", "at"),
)

# One row per chain: appends lock it (so the chain stays linear across workers) and the
# prune leaves the hash of the last record it removed, which the first kept one points at.
audit_heads = Table(
    "audit_heads",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
    Column("pruned_seq", BigInteger, nullable=False),
    Column("pruned_hash", String(64), nullable=False),
)

# A hall's security settings: the hall file's `[security]` values, and the security
# administrator's changes over them (which survive reloading the hall file).
hall_security = Table(
    "hall_security",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("file_rules", JSON, nullable=False),
    Column("overrides", JSON, nullable=False),
    Column("updated_at", UTCDateTime, nullable=True),
    Column("updated_by", String(64), nullable=True),
)

# --- Citizen notifier (issue 16): phones opted in for SMS, kept here and nowhere else -------
# One row per ticket whose citizen gave a mobile number (kiosk, appointment, progress page).
# The number leaves the store only towards the hall's SMS gateway (server/outbox/sms.py).
notify_phones = Table(
    "notify_phones",
    metadata,
    Column("ticket_id", String(32), primary_key=True),
    Column("hall", String(32), nullable=False),
    Column("business_date", Date, nullable=False),
    Column("phone", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_notify_phones_day", "hall", "business_date"),
    Index("ix_notify_phones_phone", "hall", "business_date", "phone"),
)

# --- The event outbox (issue 15 §2): subscribers, their dead letters, the keys they were sent ---

# One row per subscriber of a hall: where to send, the cursor in the hall's event log
# (the last seq it has, or skipped), and the retry state of the event at the cursor.
outbox_subscribers = Table(
    "outbox_subscribers",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("name", String(24), primary_key=True),
    Column("url", String(500), nullable=False),
    Column("secret", String(200), nullable=False),
    Column("events", JSON, nullable=False),  # event types, or ["*"]
    Column("format", String(32), nullable=False),
    Column("options", JSON, nullable=False),
    Column("source", String(8), nullable=False),  # "file" (hall file) or "api"
    Column("state", String(8), nullable=False),  # active / paused
    Column("cursor", BigInteger, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_try", UTCDateTime, nullable=True),
    Column("failing_since", UTCDateTime, nullable=True),
    Column("last_success_at", UTCDateTime, nullable=True),
    Column("last_error", String(300), nullable=True),
    Column("last_error_at", UTCDateTime, nullable=True),
    Column("delivered", BigInteger, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
)

# Events a subscriber gave up on (24 h of failures, or pruned before delivery).
outbox_dead_letters = Table(
    "outbox_dead_letters",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("hall", String(32), nullable=False),
    Column("subscriber", String(24), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("type", String(32), nullable=False),
    Column("reason", String(32), nullable=False),  # gave_up / pruned
    Column("error", String(300), nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_outbox_dead_letters_sub", "hall", "subscriber", "seq"),
)

# Request keys sent to a subscriber: a key is sent at most once even when several events
# render it; `seq` is the event that sent it, so a replay from a seq sends it again.
outbox_sent_keys = Table(
    "outbox_sent_keys",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("subscriber", String(24), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_outbox_sent_keys_seq", "hall", "subscriber", "seq"),
)

# ---- 办件 (cases after 受理): one row per case, one per recorded step (issue 18) ----

cases = Table(
    "cases",
    metadata,
    Column("hall", String(32), primary_key=True),
    Column("case_no", String(40), primary_key=True),  # 办件编号，typed/scanned or numbered here
    Column("ticket_id", String(32), nullable=True),  # the ticket whose 受理 opened it
    Column("matter", String(64), nullable=True),
    Column("department", String(32), nullable=True),  # department id of the hall file
    Column("kind", String(16), nullable=False),  # instant 即办件 / promised 承诺件
    Column("limit_days", Integer, nullable=False),  # 承诺时限，working days
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
