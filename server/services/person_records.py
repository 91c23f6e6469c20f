"""A person's own records (个人信息保护法 查阅、删除): find by ID number, a PDF, erasure."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

from server.domain import identity
from server.services.context import Context, HallTx, run_in_hall
from server.services.tickets import id_hash

KEPT_REASON = "当天的号票（每日取号限制要用到）和尚未到期的预约（签到要核对证件）暂不删除"
TICKET_LABELS = {
    "waiting": "等候中",
    "called": "已叫号",
    "finished": "已办结",
    "no_show": "过号",
    "cancelled": "已取消",
    "expired": "已过期",
}


def _local(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def find(ctx: Context, hall: str, id_number: str) -> dict[str, Any]:
    """The person's tickets (with their ratings) and appointments, matched by the keyed hash."""
    with ctx.units.read() as repos:
        layout = ctx.layout_of(repos, hall)
        zone = ZoneInfo(layout.timezone)
        today = ctx.clock().astimezone(zone).date()
        normalized = identity.normalize_id_number(id_number, today)
        found = repos.personal.of_person(hall, id_hash(ctx, normalized))
    tickets = []
    for row in found["tickets"]:
        view = {k: _local(v, zone) for k, v in row.items()}
        view["queue_name"] = layout.queue_name(row["queue"])
        tickets.append(view)
    appointments = [{k: _local(v, zone) for k, v in row.items()} for row in found["appointments"]]
    followups = [{k: _local(v, zone) for k, v in row.items()} for row in found["followups"]]
    second = [{k: _local(v, zone) for k, v in row.items()} for row in found["second_ratings"]]
    return {
        "hall": hall,
        "hall_name": layout.name,
        "id_masked": identity.mask_id_number(normalized),
        "tickets": tickets,
        "appointments": appointments,
        "ratings": [t for t in tickets if t.get("evaluation_level") is not None],
        "second_ratings": second,
        "followups": followups,
    }


def counts(found: dict[str, Any]) -> dict[str, int]:
    """How many of each (for the audit trail: never the records themselves)."""
    keys = ("tickets", "appointments", "ratings", "second_ratings", "followups")
    return {k: len(found[k]) for k in keys}


def erase(ctx: Context, hall: str, id_number: str) -> dict[str, Any]:
    """Erase the person's names, phones, ID hashes and comments where no rule needs them."""

    def work(tx: HallTx) -> dict[str, Any]:
        normalized = identity.normalize_id_number(id_number, tx.today)
        hashed = id_hash(ctx, normalized)
        before = tx.repos.personal.of_person(hall, hashed)
        tickets, appointments = tx.repos.personal.erase_person(hall, hashed, tx.today, tx.now)
        kept_t = len(before["tickets"]) - tickets
        kept_a = len(before["appointments"]) - appointments
        return {
            "erased": {"tickets": tickets, "appointments": appointments},
            "kept": {"tickets": kept_t, "appointments": kept_a},
            "kept_reason": KEPT_REASON if kept_t or kept_a else "",
        }

    result: dict[str, Any] = run_in_hall(ctx, hall, work)
    return result


def render_pdf(found: dict[str, Any], printed: str) -> bytes:
    """The person's records as an A4 PDF to hand over (CID font, as the notices)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from server.services.notices import _pdf_styles

    st = _pdf_styles()

    def p(text: Any, style: str = "cell") -> Any:
        raw = "" if text is None else str(text)
        safe = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return Paragraph(safe, st[style])

    story: list[Any] = [p(found["hall_name"], "hall"), p("个人信息查询结果", "title")]
    story += [Spacer(1, 12), p(f"证件号码：{found['id_masked']}　查询时间：{printed}", "small")]
    rows = [[p(x) for x in ("日期", "号码", "事项", "状态", "评价")]]
    for t in found["tickets"]:
        rows.append(
            [
                p(t["business_date"]),
                p(t["number"]),
                p(t.get("queue_name")),
                p(TICKET_LABELS.get(t["status"], t["status"])),
                p(t.get("evaluation_level") or "—"),
            ]
        )
    story += [Spacer(1, 8), p(f"取号记录（{len(found['tickets'])} 条）", "item")]
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#555555")]))
    story.append(table)
    arows = [[p(x) for x in ("预约码", "时段", "状态")]]
    for a in found["appointments"]:
        arows.append([p(a["code"]), p(a["slot_start"]), p(a["status"])])
    story += [Spacer(1, 8), p(f"预约记录（{len(found['appointments'])} 条）", "item")]
    atable = Table(arows, repeatRows=1)
    atable.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#555555")]))
    story += [atable, Spacer(1, 8)]
    frows = [[p(x) for x in ("日期", "号码", "评价", "整改期限", "状态")]]
    for f in found["followups"]:
        state = "已办结" if f["status"] == "closed" else "整改中"
        row = (f["business_date"], f["number"], f["level"], f["deadline"], state)
        frows.append([p(x) for x in row])
    story += [Spacer(1, 8), p(f"差评整改（{len(found['followups'])} 条）", "item")]
    ftable = Table(frows, repeatRows=1)
    ftable.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#555555")]))
    story += [ftable, Spacer(1, 12)]
    story.append(p("本结果依申请人本人请求、按证件号码的加密摘要查得，仅交申请人本人。", "small"))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title="个人信息查询结果").build(story)
    return out.getvalue()
