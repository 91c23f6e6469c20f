"""Hall files (TOML): halls, areas, queues, windows, matters, guide tree, users, devices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from drivers.strict_toml import Table, read_toml
from server import hall_cases
from server.domain.codes import catalog_problem, region_problem, uscc_problem
from server.domain.layout import Matter
from server.domain.model import (
    CallPolicy,
    GreenMode,
    Queue,
    QueueKind,
    RequeueRule,
    SlotCap,
)
from server.domain.priority import ELDERLY_LABEL
from server.domain.transfer import DEFAULT_FALLBACK_MINUTES
from server.hallfile_notify import notify_settings
from server.hallsecurity import parse_security
from server.outbox.spec import SubscriberSpec, parse_subscribers
from server.tomlreader import ConfigError

CODE = r"[A-Za-z0-9_-]{1,32}"
ROLES = ("clerk", "supervisor", "admin", "security", "auditor", "department")
DEVICE_KINDS = ("kiosk", "display", "evaluator", "online", "integration")
# 好差评 reasons offered for 不满意 / 非常不满意 when a hall file lists none.
DEFAULT_RATING_REASONS = ("等候时间长", "服务态度差", "一次性告知不清", "办事效率低", "系统故障")


@dataclass(frozen=True)
class WindowSpec:
    """A window as configured: calling rules, devices, and a tidal schedule."""

    code: str
    name: str
    area: str
    queues: tuple[str, ...]
    policy: CallPolicy
    weights: tuple[tuple[str, float], ...]
    green_mode: GreenMode
    green_interleave: int
    led_address: int | None
    schedule: tuple[tuple[dt.time, tuple[str, ...]], ...]

    def config(self) -> dict[str, Any]:
        """The JSON stored with the window row."""
        return {
            "policy": self.policy.value,
            "weights": dict(self.weights),
            "green_mode": self.green_mode.value,
            "green_interleave": self.green_interleave,
            "led_address": self.led_address,
            "schedule": [[f"{at:%H:%M}", list(qs)] for at, qs in self.schedule],
            "home_queues": list(self.queues),
        }


MatterSpec = Matter  # the hall file states matters exactly as the domain keeps them


@dataclass(frozen=True)
class UserSpec:
    """A staff account; passwords only ever as scrypt hashes."""

    username: str
    name: str
    role: str
    password_hash: str
    windows: tuple[str, ...]
    staff_no: str | None = None  # 工号，shown on the window's evaluator


@dataclass(frozen=True)
class DeviceSpec:
    """A device and its bearer token (plain in the file or already hashed)."""

    id: str
    kind: str
    name: str | None
    token: str | None
    token_hash: str | None
    window: str | None


@dataclass(frozen=True)
class HallSpec:
    """Everything one hall file says."""

    code: str
    name: str
    timezone: str
    settings: dict[str, Any]
    areas: tuple[tuple[str, str], ...]
    queues: tuple[Queue, ...]
    windows: tuple[WindowSpec, ...]
    matters: tuple[MatterSpec, ...]
    guide: list[dict[str, Any]]
    users: tuple[UserSpec, ...]
    devices: tuple[DeviceSpec, ...]
    source: str = field(default="")
    security: dict[str, Any] = field(default_factory=dict)  # `[security]` (issue 19)
    subscribers: tuple[SubscriberSpec, ...] = ()  # [[subscribers]]: the event outbox


def load_hall_file(path: Path) -> HallSpec:
    """Read and validate a hall file; raises ConfigError naming file, key and problem."""
    return parse_hall(read_toml(path, ConfigError), str(path))


def parse_hall(data: dict[str, Any], file: str) -> HallSpec:
    """Validate the parsed TOML of a hall file."""
    root = Table(data, file, error=ConfigError)
    hall = root.table("hall")
    code = hall.text("code", pattern=CODE)
    name = hall.text("name", max_len=100)
    timezone = hall.text("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise hall.error("timezone", f"unknown timezone {timezone!r}") from None
    defaults = _hall_defaults(hall)
    areas = tuple(_area(t) for t in root.tables("areas", required=True))
    area_codes = {a for a, _ in areas}
    queues = tuple(_queue(t, defaults, area_codes) for t in root.tables("queues", required=True))
    _unique(root, "queues", [q.code for q in queues], "code")
    _unique(root, "queues", [q.prefix for q in queues], "prefix")
    queue_codes = {q.code for q in queues}
    defaults["settings"]["priority_rules"] = [
        _priority_rule(t, queue_codes) for t in root.tables("priority_rules")
    ]
    windows = tuple(
        _window(t, defaults, area_codes, queue_codes) for t in root.tables("windows", required=True)
    )
    _unique(root, "windows", [w.code for w in windows], "code")
    known, department_codes = _departments(root)
    case_matters: dict[str, dict[str, Any]] = {}
    matters = tuple(
        _matter(t, queue_codes, known, department_codes, case_matters)
        for t in root.tables("matters")
    )
    _unique(root, "matters", [m.code for m in matters], "code")
    matter_codes = {m.code for m in matters}
    guide = [_guide_node(t, matter_codes, 1) for t in root.tables("guide")]
    window_codes = {w.code for w in windows}
    user_depts: dict[str, list[str]] = {}
    users = tuple(_user(t, window_codes, known, user_depts) for t in root.tables("users"))
    _unique(root, "users", [u.username for u in users], "username")
    devices = tuple(_device(t, window_codes) for t in root.tables("devices"))
    _unique(root, "devices", [d.id for d in devices], "id")
    security = parse_security(root)
    subscribers = parse_subscribers(root)
    defaults["settings"]["cases"] = hall_cases.settings(hall, known, case_matters, user_depts)
    hall.done()
    root.done()
    return HallSpec(
        code=code,
        name=name,
        timezone=timezone,
        settings=defaults["settings"],
        areas=areas,
        queues=queues,
        windows=windows,
        matters=matters,
        guide=guide,
        users=users,
        devices=devices,
        source=file,
        security=security,
        subscribers=subscribers,
    )


def _hall_defaults(hall: Table) -> dict[str, Any]:
    requeue = hall.table("requeue", None)
    rule = RequeueRule()
    recall_limit = 3
    if requeue is not None:
        rule = RequeueRule(
            after=requeue.integer("after", 3, lo=1, hi=100),
            max_times=requeue.integer("max_times", 2, lo=0, hi=10),
            within_minutes=requeue.integer("within_minutes", 60, lo=1, hi=24 * 60),
        )
        recall_limit = requeue.integer("recall_limit", 3, lo=1, hi=20)
        requeue.done()
    hours = hall.spans("hours", ())
    settings = {
        "notice": hall.text("notice", "", max_len=500),
        "public_names": hall.text("public_names", "masked", choices=("masked", "hidden")),
        "hours": [f"{s:%H:%M}-{e:%H:%M}" for s, e in hours],
        "recent_calls": hall.integer("recent_calls", 8, lo=1, hi=50),
        # 转移 to a window that is not open: after this wait any window of the queue may call it
        "transfer_fallback_minutes": hall.integer(
            "transfer_fallback_minutes", DEFAULT_FALLBACK_MINUTES, lo=1, hi=24 * 60
        ),
        "holidays": [d.isoformat() for d in _dates(hall, "holidays")],
        "workdays": [d.isoformat() for d in _workdays(hall)],
        # 叫号播报：each call said this many times, with this pause between (display app)
        "announce_repeats": hall.integer("announce_repeats", 2, lo=1, hi=5),
        "announce_pause_s": hall.number("announce_pause_s", 1.0, lo=0, hi=10),
        **_rating_settings(hall),
        **_platform_settings(hall),
        "notify": notify_settings(hall),  # [hall.notify]: SMS alerts，暂离 / 延后 limits
    }
    return {
        "requeue": rule,
        "recall_limit": recall_limit,
        "hours": hours,
        "service_minutes": hall.number("service_minutes", 5.0, lo=0.5, hi=240),
        "green_mode": hall.text("green_mode", "first", pattern=r"first|interleave:\d{1,2}"),
        "settings": settings,
    }


def _rating_settings(hall: Table) -> dict[str, Any]:
    """好差评 keys: the reasons a citizen may pick, and the anomaly report's 未评价 threshold."""
    reasons = hall.texts("rating_reasons", list(DEFAULT_RATING_REASONS))
    if len(reasons) > 20 or any(not 1 <= len(r) <= 20 for r in reasons):
        raise hall.error("rating_reasons", "at most 20 reasons of 1 to 20 characters each")
    if len(set(reasons)) != len(reasons):
        raise hall.error("rating_reasons", "reasons must not repeat")
    return {
        "rating_reasons": reasons,
        "unrated_rate_threshold": hall.number("unrated_rate_threshold", 0.2, lo=0, hi=1),
    }


def _dates(t: Table, key: str) -> list[dt.date]:
    """A list of ISO dates (public holidays for the working-day rules of the reports)."""
    days = []
    for text in t.texts(key, []):
        try:
            days.append(dt.date.fromisoformat(text))
        except ValueError:
            raise t.error(key, f"{text!r} is not a date like 2026-10-01") from None
    return sorted(days)


def _workdays(hall: Table) -> list[dt.date]:
    """Make-up working days (调休): weekend dates the hall works, not also listed as holidays."""
    days = _dates(hall, "workdays")
    holidays = set(_dates(hall, "holidays"))
    for day in days:
        if day.weekday() < 5:
            raise hall.error("workdays", f"{day} is a weekday: list only weekend dates worked")
        if day in holidays:
            raise hall.error("workdays", f"{day} is also listed in holidays")
    return days


def _area(t: Table) -> tuple[str, str]:
    area = (t.text("code", pattern=CODE), t.text("name", max_len=100))
    t.done()
    return area


def _queue(t: Table, d: dict[str, Any], areas: set[str]) -> Queue:
    code = t.text("code", pattern=CODE)
    area = t.text("area")
    if area not in areas:
        raise t.error("area", f"unknown area {area!r}")
    slot_caps = []
    for s in t.tables("slot_caps"):
        start, end = s.time("from"), s.time("to")
        slot_caps.append(SlotCap(start, end, s.integer("cap", lo=1, hi=100000)))
        s.done()
    rule = d["requeue"]
    if t.has("requeue"):
        r = t.table("requeue")
        rule = RequeueRule(
            after=r.integer("after", rule.after, lo=1, hi=100),
            max_times=r.integer("max_times", rule.max_times, lo=0, hi=10),
            within_minutes=r.integer("within_minutes", rule.within_minutes, lo=1, hi=24 * 60),
        )
        r.done()
    queue = Queue(
        code=code,
        name=t.text("name", max_len=100),
        prefix=t.text("prefix", code, pattern=r"[A-Z]{1,2}"),
        area=area,
        kind=QueueKind(t.text("kind", "comprehensive", choices=tuple(QueueKind))),
        hours=t.spans("hours", d["hours"]),
        daily_cap=t.integer("daily_cap", None, lo=1, hi=100000),
        slot_caps=tuple(slot_caps),
        per_id_daily_limit=t.integer("per_id_daily_limit", 1, lo=1, hi=100),
        alert_waiting=t.integer("alert_waiting", None, lo=1, hi=100000),
        green_channel=t.flag("green_channel", True),
        requeue=rule,
        recall_limit=t.integer("recall_limit", d["recall_limit"], lo=1, hi=20),
        service_minutes=t.number("service_minutes", d["service_minutes"], lo=0.5, hi=240),
        appointment_slot_minutes=t.integer("appointment_slot_minutes", 30, lo=5, hi=240),
        appointment_capacity=t.integer("appointment_capacity", 0, lo=0, hi=1000),
    )
    t.done()
    return queue


def _window(t: Table, d: dict[str, Any], areas: set[str], queues: set[str]) -> WindowSpec:
    code = t.text("code", pattern=CODE)
    area = t.text("area")
    if area not in areas:
        raise t.error("area", f"unknown area {area!r}")
    served = tuple(_known(t, "queues", t.texts("queues"), queues))
    if not served:
        raise t.error("queues", "must name at least one queue")
    weights_t = t.table("weights", None)
    weights: tuple[tuple[str, float], ...] = ()
    if weights_t is not None:
        weights = tuple(
            (q, weights_t.number(q, lo=0.01, hi=100))
            for q in _known(t, "weights", weights_t.data, queues)
        )
        weights_t.done()
    green = t.text("green", d["green_mode"], pattern=r"first|interleave:\d{1,2}")
    schedule = []
    for s in t.tables("tidal"):
        schedule.append((s.time("at"), tuple(_known(s, "queues", s.texts("queues"), queues))))
        s.done()
    spec = WindowSpec(
        code=code,
        name=t.text("name", f"{code}号窗口", max_len=100),
        area=area,
        queues=served,
        policy=CallPolicy(t.text("policy", "fifo", choices=tuple(CallPolicy))),
        weights=weights,
        green_mode=GreenMode.INTERLEAVE if green.startswith("interleave") else GreenMode.FIRST,
        green_interleave=int(green.split(":")[1]) if ":" in green else 3,
        led_address=t.integer("led_address", None, lo=0, hi=255),
        schedule=tuple(sorted(schedule)),
    )
    t.done()
    return spec


def _priority_rule(t: Table, queues: set[str]) -> dict[str, Any]:
    """长辈优先：citizens of `min_age` or more (by the ID number) get priority in `queues`."""
    rule = {
        "min_age": t.integer("min_age", lo=50, hi=120),
        "queues": _known(t, "queues", t.texts("queues", []), queues),
        "label": t.text("label", ELDERLY_LABEL, max_len=12),
    }
    t.done()
    return rule


def _matter(
    t: Table,
    queues: set[str],
    known: dict[str, str],
    codes: dict[str, str],
    cases: dict[str, dict[str, Any]],
) -> MatterSpec:
    code = t.text("code", pattern=r"[A-Za-z0-9_.-]{1,64}")
    department, cases[code] = hall_cases.matter_case(
        t, t.text("department", None, max_len=100), known
    )
    catalog = t.text("catalog_code", None, max_len=64)
    if catalog is not None and (problem := catalog_problem(catalog)):
        raise t.error("catalog_code", f"事项编码 {catalog!r} {problem}")
    spec = MatterSpec(
        code=code,
        name=t.text("name", max_len=200),
        queue=_known(t, "queue", [t.text("queue")], queues)[0],
        department=department,
        catalog_code=catalog,
        department_code=codes.get(department) if department else None,
    )
    t.done()
    return spec


def _departments(root: Table) -> tuple[dict[str, str], dict[str, str]]:
    """`[[departments]]`: id → name (cases), and name → 统一社会信用代码 (checked per GB 32100)."""
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    for t in root.tables("departments"):
        ident = t.text("id", pattern=hall_cases.DEPARTMENT_ID)
        name = t.text("name", max_len=100)
        if ident in names:
            raise t.error("id", f"duplicate department {ident!r}")
        if name in names.values():
            raise t.error("name", f"duplicate department name {name!r}")
        code = t.text("department_code", None, max_len=40)
        if code is not None:
            if problem := uscc_problem(code):
                raise t.error("department_code", f"统一社会信用代码 {code!r} {problem}")
            codes[name] = code
        names[ident] = name
        t.done()
    return names, codes


def _platform_settings(hall: Table) -> dict[str, Any]:
    """Codes and rules of the government platform：行政区划代码、追评、差评整改、代评 thresholds."""
    region = hall.text("region_code", None, max_len=12)
    if region is not None and (problem := region_problem(region)):
        raise hall.error("region_code", f"行政区划代码 {region!r} {problem}")
    return {
        "region_code": region,
        "region_name": hall.text("region_name", None, max_len=50),
        # 追评：days after the first rating in which the citizen may add one more
        "followup_rating_days": hall.integer("followup_rating_days", 15, lo=0, hi=365),
        # 差评整改：working days to call back and fix a rating of 1 or 2
        "poor_rating_followup_days": hall.integer("poor_rating_followup_days", 5, lo=1, hi=60),
        # 代评：a rating this fast after the service ended counts as quick ...
        "proxy_rating_quick_seconds": hall.integer("proxy_rating_quick_seconds", 5, lo=1, hi=600),
        # ... and a window is flagged when its quick share is this many times the hall's
        "proxy_rating_ratio": hall.number("proxy_rating_ratio", 2.0, lo=1, hi=100),
        # ... with at least this many ratings in the month (fewer say nothing)
        "proxy_rating_min_ratings": hall.integer("proxy_rating_min_ratings", 20, lo=1, hi=10000),
        # a burst: this many 非常满意 in a row at one window, each within the gap of the last
        "proxy_burst_size": hall.integer("proxy_burst_size", 8, lo=2, hi=1000),
        "proxy_burst_gap_seconds": hall.integer("proxy_burst_gap_seconds", 60, lo=1, hi=3600),
    }


def _guide_node(t: Table, matters: set[str], depth: int) -> dict[str, Any]:
    if depth > 5:
        raise t.error("options", "the guide tree may be at most 5 levels deep")
    node: dict[str, Any] = {"label": t.text("label", max_len=50)}
    hint = t.text("hint", None, max_len=200)
    if hint:
        node["hint"] = hint
    kinds = [k for k in ("options", "matter", "online") if t.has(k)]
    if len(kinds) != 1:
        raise t.error("label", "a guide node needs exactly one of options, matter, online")
    if kinds[0] == "options":
        node["question"] = t.text("question", node["label"], max_len=100)
        node["options"] = [_guide_node(c, matters, depth + 1) for c in t.tables("options")]
        if not node["options"]:
            raise t.error("options", "must not be empty")
    elif kinds[0] == "matter":
        node["matter"] = _known(t, "matter", [t.text("matter")], matters)[0]
    else:
        node["online"] = t.text("online", max_len=300)
        node["online_where"] = t.text("online_where", None, max_len=300)
    t.done()
    return node


def _user(
    t: Table, windows: set[str], known: dict[str, str], departments: dict[str, list[str]]
) -> UserSpec:
    spec = UserSpec(
        username=t.text("username", pattern=r"[a-z0-9_.-]{2,64}"),
        name=t.text("name", max_len=50),
        role=t.text("role", choices=ROLES),
        password_hash=t.text("password_hash", pattern=r"scrypt\$.+", max_len=200),
        windows=tuple(_known(t, "windows", t.texts("windows", []), windows)),
        staff_no=t.text("staff_no", None, pattern=r"[A-Za-z0-9-]{1,32}"),
    )
    if listed := hall_cases.user_departments(t, spec.role, known):
        departments[spec.username] = listed
    t.done()
    return spec


def _device(t: Table, windows: set[str]) -> DeviceSpec:
    token = t.text("token", None, max_len=200)
    token_hash = t.text("token_hash", None, pattern=r"[0-9a-f]{64}")
    if (token is None) == (token_hash is None):
        raise t.error("token", "give exactly one of token, token_hash")
    if token is not None and len(token) < 8:
        raise t.error("token", "must be at least 8 characters")
    window = t.text("window", None)
    if window is not None and window not in windows:
        raise t.error("window", f"unknown window {window!r}")
    spec = DeviceSpec(
        id=t.text("id", pattern=CODE + r"|[A-Za-z0-9_-]{1,64}"),
        kind=t.text("kind", choices=DEVICE_KINDS),
        name=t.text("name", None, max_len=100),
        token=token,
        token_hash=token_hash,
        window=window,
    )
    t.done()
    return spec


def _known(t: Table, key: str, values: Any, known: set[str]) -> list[str]:
    out = list(values)
    for v in out:
        if v not in known:
            raise t.error(key, f"unknown {key.rstrip('s')} {v!r}")
    return out


def _unique(t: Table, key: str, values: list[str], what: str) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise t.error(key, f"duplicate {what} {v!r}")
        seen.add(v)
