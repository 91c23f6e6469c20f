"""What the pad shows, derived from the presenter's state: texts, lists and enabled buttons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caller.state import PadState

NOTICE_TITLES = {
    "accepted": "受理通知书",
    "rejected": "不予受理凭证",
    "missing": "一次性告知书",
    "handover": "申请材料交接确认单",
}
PRIORITY_TEXT = {"green": "绿色通道", "appointment": "预约"}
CONNECTION_TEXT = {
    "offline": ("网络中断，正在重新连接…", "error"),
    "resynced": ("已重新连接，数据已同步", "ok"),
}
BUTTONS = (
    "call_next",
    "recall",
    "pick",
    "accepted",
    "consulted",
    "rejected",
    "no_show",
    "transfer",
    "pause",
    "notice",
    "handover",
    "sign_out",
)


@dataclass(frozen=True)
class PadView:
    """One frame of the pad: every text and flag a widget needs, nothing to compute."""

    phase: str
    title: str = ""
    clerk: str = ""
    status: str = ""
    status_level: str = "info"
    connection: str = ""
    connection_level: str = "info"
    number: str = "—"
    ticket_lines: tuple[str, ...] = ()
    transfer_note: str = ""  # the sending clerk's note on a ticket transferred in
    recall_hint: str = ""
    suggest_no_show: bool = False
    enabled: dict[str, bool] = field(default_factory=dict)
    pause_label: str = "暂停"
    queues: tuple[str, ...] = ()
    next_numbers: tuple[tuple[str, str], ...] = ()
    today: tuple[tuple[str, str], ...] = ()
    evaluation: str = ""
    evaluation_level: str = "info"
    message: str = ""
    level: str = "info"
    busy: bool = False
    windows: tuple[tuple[str, str, str], ...] = ()  # (code, name, state text) to choose from
    window_states: tuple[str, ...] = ()  # mine | taken | free, one per window above
    reasons: tuple[str, ...] = ()
    pause_reasons: tuple[str, ...] = ()
    transfer_queues: tuple[tuple[str, str], ...] = ()
    transfer_windows: tuple[tuple[str, str], ...] = ()  # open windows, with their clerk
    transfer_later: tuple[tuple[str, str], ...] = ()  # not open: a transfer waits for them
    fallback_minutes: int = 10
    notice_kinds: tuple[tuple[str, str], ...] = ()
    notice_ticket: str = ""  # "A012 号（王*）": whom the notice is for
    ticket_label: str = ""  # the current ticket, as the dialogs name it
    matters: tuple[tuple[str, str, str, bool], ...] = ()  # (code, name, department, recent)
    current_matter: str | None = None
    needs_matter: bool = False  # 受理 asks which matter: the ticket was taken by queue alone
    asks_case: bool = False  # 受理 opens a dialog: the matter and/or the 办件编号 (issue 18)
    case_line: str = ""  # "上一位 A001 办件编号 …": the case the last 受理 opened


def build_view(s: PadState) -> PadView:
    """Derive the frame from the state."""
    link = "offline" if s.unreachable else s.connection
    connection, connection_level = CONNECTION_TEXT.get(link, ("", "info"))
    common: dict[str, Any] = {
        "message": s.message,
        "level": s.level,
        "busy": s.busy,
        "connection": connection,
        "connection_level": connection_level,
        "clerk": f"{s.name}（{s.username}）" if s.username else "",
    }
    if s.phase != "working" or s.context is None:
        shown = [(w, *_window_choice(w)) for w in s.windows if w.get("code")]
        windows = tuple((w["code"], w["name"], text) for w, _, text in shown)
        states = tuple(state for _, state, _ in shown)
        return PadView(phase=s.phase, windows=windows, window_states=states, **common)
    ctx = s.context
    window, current = ctx["window"], ctx.get("current")
    status, status_level = _status(window)
    return PadView(
        phase="working",
        title=window["name"],
        status=status,
        status_level=status_level,
        number=current["number"] if current else "—",
        ticket_lines=_ticket_lines(current) + _some(_case_line(current, ctx.get("last_service"))),
        transfer_note=_transfer_note(current),
        recall_hint=_recall_hint(current),
        suggest_no_show=bool(current and current.get("suggest_no_show")),
        enabled=_enabled(s, window, current, ctx),
        pause_label="恢复服务" if window["status"] == "paused" else "暂停",
        queues=tuple(f"{q['code']} {q['name']} · 等候 {q['waiting']} 人" for q in ctx["queues"]),
        next_numbers=tuple((t["number"], _next_detail(t)) for t in ctx["next"]),
        today=_today(ctx["today"]),
        evaluation=_evaluation(ctx.get("last_service")),
        evaluation_level=_evaluation_level(ctx.get("last_service")),
        reasons=tuple(s.reasons),
        pause_reasons=tuple(ctx.get("pause_reasons") or ()),
        transfer_queues=tuple(
            (q["code"], q["name"])
            for q in ctx["transfer_targets"]["queues"]
            if not current or q["code"] != current["queue"]  # back into its own queue: refused
        ),
        transfer_windows=_transfer_windows(ctx, later=False),
        transfer_later=_transfer_windows(ctx, later=True),
        fallback_minutes=int(ctx["transfer_targets"].get("fallback_minutes") or 10),
        notice_kinds=_notice_kinds(current, ctx.get("last_service")),
        notice_ticket=_label(current or ctx.get("last_service")),
        ticket_label=_label(current),
        matters=tuple(
            (m["code"], m["name"], m.get("department") or "", bool(m.get("recent")))
            for m in ctx.get("matters") or ()
        ),
        current_matter=(current or {}).get("matter"),
        needs_matter=bool(current and not current.get("matter") and ctx.get("matters")),
        asks_case=bool(current and (current.get("matter") or ctx.get("matters"))),
        case_line=_case_line(current, ctx.get("last_service")),
        **common,
    )


def _window_choice(w: dict[str, Any]) -> tuple[str, str]:
    """(state, text) of a window in the chooser: the clerk's own, taken (by whom) or free."""
    if w.get("mine"):
        return "mine", "您当前的窗口"
    clerk = w.get("clerk")
    if clerk or w.get("signed_in"):
        who = (clerk or {}).get("name") or (clerk or {}).get("username") or "其他工作人员"
        paused = "（暂停）" if w.get("status") == "paused" else ""
        return "taken", f"已由 {who} 签到{paused}"
    return "free", "空闲，可签到"


def _transfer_windows(ctx: dict[str, Any], *, later: bool) -> tuple[tuple[str, str], ...]:
    shown = []
    for w in ctx["transfer_targets"]["windows"]:
        if not w.get("queues") or bool(w.get("open")) == later:
            continue
        who = f" · {w['clerk_name']}" if w.get("clerk_name") else ""
        state = ("（暂停）" if w.get("status") == "paused" else "（未开启）") if later else ""
        shown.append((w["code"], f"{w['name']}{who}{state}"))
    return tuple(shown)


def _label(t: dict[str, Any] | None) -> str:
    if not t:
        return ""
    who = t.get("applicant_masked")
    return f"{t['number']} 号（{who}）" if who else f"{t['number']} 号"


def _status(window: dict[str, Any]) -> tuple[str, str]:
    if window["status"] == "paused":
        return f"暂停服务：{window.get('paused_reason') or '暂停'}", "warn"
    if window["status"] == "open":
        return "服务中", "ok"
    return "未开启", "warn"


def _ticket_lines(t: dict[str, Any] | None) -> tuple[str, ...]:
    if t is None:
        return ("当前无办理中的号码", "按 叫号（F1）呼叫下一位")
    lines = [t.get("matter_name") or t.get("queue_name") or t["queue"]]
    who = t.get("applicant_masked")
    extra = [PRIORITY_TEXT[t["priority"]]] if t.get("priority") in PRIORITY_TEXT else []
    if t.get("transferred"):
        extra.append("转入")
    lines.append(" · ".join([f"申请人 {who}" if who else "申请人 未登记", *extra]))
    waited = int(t.get("waited_seconds") or 0) // 60
    lines.append(f"已等候 {waited} 分钟 · 叫号 {t.get('call_count', 0)} 次")
    return tuple(lines)


def _transfer_note(t: dict[str, Any] | None) -> str:
    note = (t or {}).get("transfer_note")
    return f"转入备注：{note}" if note else ""


def _recall_hint(t: dict[str, Any] | None) -> str:
    if t is None or not t.get("recalls"):
        return ""
    if t.get("suggest_no_show"):
        return f"已重呼 {t['recalls']} 次仍未到，建议登记过号（F8）"
    return f"已重呼 {t['recalls']} 次"


def _enabled(
    s: PadState, window: dict[str, Any], current: dict[str, Any] | None, ctx: dict[str, Any]
) -> dict[str, bool]:
    idle = not s.busy
    is_open = window["status"] == "open"
    has = current is not None
    flags = {
        "call_next": is_open and not has,
        "recall": has,
        "pick": is_open and not has,
        "accepted": has,
        "consulted": has,
        "rejected": has,
        "no_show": has,
        "transfer": has,
        "pause": window["status"] in ("open", "paused"),
        "notice": bool(_notice_kinds(current, ctx.get("last_service"))),
        "handover": bool(_case_line(current, ctx.get("last_service"))),
        "sign_out": True,
    }
    return {k: v and idle for k, v in flags.items()}


def _next_detail(t: dict[str, Any]) -> str:
    parts = [t.get("matter_name") or t.get("queue_name") or t["queue"]]
    if t.get("applicant_masked"):
        parts.append(t["applicant_masked"])
    if t.get("priority") in PRIORITY_TEXT:
        parts.append(PRIORITY_TEXT[t["priority"]])
    if t.get("transferred"):
        parts.append("转入")
    if t.get("standing"):
        parts.append(t["standing"])  # 暂离至 09:40 / 已延后 1 次 (the citizen stepped back)
    return " · ".join(parts)


def _today(day: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    avg = day.get("avg_service_min")
    return (
        ("叫号", str(day["calls"])),
        ("受理", str(day["accepted"])),
        ("咨询", str(day["consulted"])),
        ("不予受理", str(day["rejected"])),
        ("过号", str(day["no_show"])),
        ("平均分钟", f"{avg:g}" if avg is not None else "—"),
    )


def _evaluation(last: dict[str, Any] | None) -> str:
    if not last or not last.get("evaluation_requested"):
        return ""
    if last.get("evaluation_level"):
        return (
            f"{last['number']} 已评价：{last.get('evaluation_label') or last['evaluation_level']}"
        )
    return f"{last['number']} 好差评：等待评价…"


def _evaluation_level(last: dict[str, Any] | None) -> str:
    if not last or not last.get("evaluation_level"):
        return "info"
    return "ok" if int(last["evaluation_level"]) >= 3 else "warn"


def _notice_kinds(
    current: dict[str, Any] | None, last: dict[str, Any] | None
) -> tuple[tuple[str, str], ...]:
    if current is not None:
        return (("missing", NOTICE_TITLES["missing"]),)
    if not last:
        return ()
    # 受理 opens a case: its 申请材料交接确认单 travels with the papers to the department
    opened = ("handover",) if last.get("case_no") else ()
    accepted = ("accepted", *opened, "missing")
    kinds = {"accepted": accepted, "rejected": ("rejected", "missing")}.get(
        last.get("outcome") or "", ("missing",)
    )
    return tuple((k, NOTICE_TITLES[k]) for k in kinds)


def _case_line(current: dict[str, Any] | None, last: dict[str, Any] | None) -> str:
    if current is not None or not last or not last.get("case_no"):
        return ""
    return f"上一位 {last['number']} 办件编号 {last['case_no']}"


def _some(line: str) -> tuple[str, ...]:
    return (line,) if line else ()
