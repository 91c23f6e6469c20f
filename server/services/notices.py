"""Outcome notices：受理通知书、不予受理凭证 and 一次性告知书，as data, PDF and thermal receipt.

The document is filled from the ticket, its matter and the recorded outcome (plus, for the
one-time notice, the materials the clerk lists). The PDF uses reportlab's built-in CID font
STSong-Light, so no font file has to ship; the receipt goes through the printer driver's
notice layout so it prints in the printer's resident Chinese font.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.layout import Layout
from server.domain.model import Outcome, Ticket, TicketStatus
from server.services.context import Context
from server.services.describe import progress_url
from server.store.unit import Repositories

MAX_MATERIALS = 20


@dataclass(frozen=True)
class NoticeKind:
    """One kind of notice: its title, serial code and the outcomes it may follow."""

    code: str
    title: str
    serial: str
    outcomes: frozenset[Outcome]
    while_called: bool = False


KINDS = {
    "accepted": NoticeKind("accepted", "受理通知书", "SL", frozenset({Outcome.ACCEPTED})),
    "rejected": NoticeKind("rejected", "不予受理凭证", "BYSL", frozenset({Outcome.REJECTED})),
    "missing": NoticeKind(
        "missing",
        "一次性告知书",
        "GZ",
        frozenset({Outcome.ACCEPTED, Outcome.CONSULTED, Outcome.REJECTED}),
        while_called=True,
    ),
}


@dataclass(frozen=True)
class Notice:
    """A filled notice, ready to render."""

    kind: str
    title: str
    serial: str
    hall_name: str
    number: str
    applicant: str | None
    id_masked: str | None
    matter: str
    department: str | None
    window: str | None
    clerk: str | None
    date: str
    time: str
    paragraphs: list[str]
    reason: str | None = None
    materials: list[str] = field(default_factory=list)
    note: str | None = None
    progress_url: str | None = None
    case_no: str | None = None  # 办件编号 of the case the 受理 opened (issue 15 §1)

    def fields(self) -> list[tuple[str, str]]:
        """The labelled lines of the notice's header block, in print order."""
        rows = [
            ("文书编号", self.serial),
            *([("办件编号", self.case_no)] if self.case_no else []),
            ("申请人", self.applicant or "—"),
            ("证件号码", self.id_masked or "—"),
            ("办理事项", self.matter),
            ("承办部门", self.department or "—"),
            ("排队号码", self.number),
            ("办理窗口", self.window or "—"),
            ("经办人", self.clerk or "—"),
            ("日期", f"{self.date} {self.time}"),
        ]
        return rows


def notice_for(
    ctx: Context,
    hall: str,
    ticket_id: str,
    kind: str,
    materials: list[str] | None = None,
    note: str | None = None,
    viewer: str | None = None,
) -> Notice:
    """Fill a notice of `kind` for a ticket of `hall`, or refuse when it does not apply.

    The progress QR (the ticket secret) is filled in only for `viewer` being the clerk who
    served the ticket: the one handing the notice to the citizen at the window.
    """
    spec = KINDS.get(kind)
    if spec is None:
        raise Invalid("unknown_notice_kind", "通知书类型只能为 accepted、rejected 或 missing")
    wanted = [m.strip() for m in materials or [] if m and m.strip()][:MAX_MATERIALS]
    with ctx.units.read() as repos:
        layout = ctx.layout_of(repos, hall)
        ticket = repos.tickets.get(ticket_id)
        if ticket is None or ticket.hall != hall:
            raise NotFound("unknown_ticket", "没有找到该票号")
        _check_applies(spec, ticket)
        if spec.code == "missing" and not wanted:
            raise Invalid("materials_required", "一次性告知书须列明需要补正的材料")
        doc = _fill(ctx, repos, layout, spec, ticket, wanted, (note or "").strip() or None)
        served = repos.tickets.service_window(ticket.id)
        server = served[1] if served else ticket.clerk
        return doc if viewer is not None and viewer == server else replace(doc, progress_url=None)


def notice_view(notice: Notice) -> dict[str, Any]:
    """The notice as JSON (what the pads preview and the desktop pad prints)."""
    view = asdict(notice)
    view["fields"] = [{"label": k, "value": v} for k, v in notice.fields()]
    view["receipt_body"] = _receipt_paragraphs(notice)  # the body as a receipt prints it
    return view


def _check_applies(spec: NoticeKind, ticket: Ticket) -> None:
    if ticket.status is TicketStatus.CALLED and spec.while_called:
        return
    if ticket.status is TicketStatus.FINISHED and ticket.outcome in spec.outcomes:
        return
    labels = "、".join(sorted(_OUTCOME_TEXT[o] for o in spec.outcomes))
    raise Conflict(
        "notice_not_applicable",
        f"{ticket.number} 未登记为{labels}，不能出具{spec.title}",
        {"status": ticket.status.value, "outcome": ticket.outcome},
    )


_OUTCOME_TEXT = {
    Outcome.ACCEPTED: "受理",
    Outcome.CONSULTED: "咨询",
    Outcome.REJECTED: "不予受理",
    Outcome.NO_SHOW: "过号",
}


def _fill(
    ctx: Context,
    repos: Repositories,
    layout: Layout,
    spec: NoticeKind,
    ticket: Ticket,
    materials: list[str],
    note: str | None,
) -> Notice:
    matter = layout.matters.get(ticket.matter) if ticket.matter else None
    matter_name = matter.name if matter else layout.queue_name(ticket.queue)
    served = repos.tickets.service_window(ticket.id)
    window_code, clerk = served if served else (ticket.window, ticket.clerk)
    window = repos.windows.get(layout.code, window_code) if window_code else None
    at = (ticket.finished_at or ctx.clock()).astimezone(ZoneInfo(layout.timezone))
    return Notice(
        kind=spec.code,
        title=spec.title,
        serial=f"{layout.code.upper()}-{spec.serial}-{at:%Y%m%d}-{ticket.number}",
        hall_name=layout.name,
        number=ticket.number,
        applicant=ticket.applicant_name,
        id_masked=ticket.id_masked,
        matter=matter_name,
        department=_department(layout, ticket),
        window=window.name if window else window_code,
        clerk=repos.sessions.name_of(clerk),
        date=f"{at.year}年{at.month}月{at.day}日",
        time=f"{at:%H:%M}",
        paragraphs=_paragraphs(spec.code, layout.name, matter_name, ticket, materials),
        reason=ticket.reason if spec.code == "rejected" else None,
        materials=materials,
        note=note,
        progress_url=progress_url(ctx, ticket.id),
        case_no=_case_no(repos, ticket),
    )


def _case_no(repos: Repositories, ticket: Ticket) -> str | None:
    """The 办件编号 of the ticket's case, when its 受理 opened one."""
    if ticket.outcome is not Outcome.ACCEPTED:
        return None
    case = repos.cases.of_ticket(ticket.id)
    return case.case_no if case else None


def _department(layout: Layout, ticket: Ticket) -> str:
    """承办部门：the matter's department; for a ticket taken by queue alone, the queue's.

    A queue's department is the one its matters share (B 不动产登记 → 不动产登记中心); a queue
    whose matters belong to several departments (A 无差别综合受理) is named itself.
    """
    matter = layout.matters.get(ticket.matter) if ticket.matter else None
    if matter is not None and matter.department:
        return matter.department
    departments = {
        m.department for m in layout.matters.values() if m.queue == ticket.queue and m.department
    }
    if len(departments) == 1:
        return departments.pop()
    return layout.queue_name(ticket.queue)


def _paragraphs(
    kind: str, hall: str, matter: str, ticket: Ticket, materials: list[str]
) -> list[str]:
    who = ticket.applicant_name or "申请人"
    if kind == "accepted":
        return [
            f"{who}：您申请办理的“{matter}”事项，经审查，申请材料齐全、符合法定形式，"
            f"{hall}决定予以受理。",
            f"请妥善保管本通知书，可凭排队号码 {ticket.number} 扫描小票二维码查询办理进度，"
            "办结后凭本通知书到统一出件窗口领取结果。",
        ]
    if kind == "rejected":
        return [
            f"{who}：您申请办理的“{matter}”事项，经审查，因下列原因决定不予受理：",
            ticket.reason or "—",
            "如对本决定不服，可自收到本凭证之日起六十日内依法申请行政复议，"
            "或者在六个月内依法提起行政诉讼。",
        ]
    return [
        f"{who}：您申请办理的“{matter}”事项，尚需补正以下 {len(materials)} 项材料。"
        "为避免您多次往返，现一次性告知如下：",
        "请按上述清单一次性补齐材料后，凭本告知书到综合窗口办理。",
    ]


def render_pdf(notice: Notice) -> bytes:
    """The notice as an A4 PDF for the office printer (CID font STSong-Light)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    styles = _pdf_styles()
    story = _pdf_story(notice, styles)
    out = io.BytesIO()
    margin = 22 * _MM
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=f"{notice.title} {notice.serial}",
        author=notice.hall_name,
    )
    doc.build(story)
    return out.getvalue()


_MM = 72 / 25.4
_FONT = "STSong-Light"


def _pdf_styles() -> dict[str, Any]:
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if _FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    base = ParagraphStyle("body", fontName=_FONT, fontSize=12, leading=20, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", base, fontSize=22, leading=30, alignment=TA_CENTER),
        "hall": ParagraphStyle("hall", base, fontSize=14, alignment=TA_CENTER),
        "body": ParagraphStyle("para", base, firstLineIndent=24, spaceBefore=6),
        "item": ParagraphStyle("item", base, leftIndent=24),
        "small": ParagraphStyle("small", base, fontSize=9, leading=13),
        "right": ParagraphStyle("right", base, alignment=TA_RIGHT, spaceBefore=4),
        "cell": base,
    }


def _pdf_story(notice: Notice, st: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    def p(text: str, style: str = "body") -> Any:
        return Paragraph(_escape(text), st[style])

    rows = [[p(label, "cell"), p(value, "cell")] for label, value in notice.fields()]
    table = Table(rows, colWidths=[30 * _MM, 130 * _MM])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "#555555"),
                ("BACKGROUND", (0, 0), (0, -1), "#f0f0f0"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story = [p(notice.hall_name, "hall"), p(notice.title, "title"), Spacer(1, 6 * _MM)]
    story += [table, Spacer(1, 6 * _MM), p(notice.paragraphs[0])]
    if notice.kind == "rejected":
        story.append(p(f"不予受理原因：{notice.reason or '—'}", "item"))
        story += [p(text) for text in notice.paragraphs[2:]]
    elif notice.kind == "missing":
        story += [p(f"{i}. {m}", "item") for i, m in enumerate(notice.materials, 1)]
        story += [p(text) for text in notice.paragraphs[1:]]
    else:
        story += [p(text) for text in notice.paragraphs[1:]]
    if notice.note:
        story.append(p(f"补充说明：{notice.note}"))
    story += [Spacer(1, 14 * _MM), p(f"{notice.hall_name}（印章）", "right")]
    story += [p(notice.date, "right"), Spacer(1, 10 * _MM)]
    story.append(p("本文书一式两份，申请人与窗口各执一份。", "small"))
    if notice.progress_url:
        story.append(p(f"办理进度查询：{notice.progress_url}", "small"))
    return story


def _escape(text: str) -> str:
    # reportlab paragraphs take a small XML markup; user text must not be read as tags.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_receipt(notice: Notice, profile: str) -> bytes:
    """The notice as ESC/POS bytes for a thermal printer profile (through drivers.printer)."""
    try:
        from drivers.printer import NoticeDoc, render_notice
        from drivers.profiles import load_profile
    except ImportError as exc:  # the hardware extra is not installed on this server
        raise Conflict("printer_driver_unavailable", "服务器未安装小票打印驱动") from exc
    try:
        loaded = load_profile(profile)
    except ValueError as exc:  # drivers' ProfileError: no such profile
        raise NotFound("unknown_printer_profile", f"没有型号为 {profile} 的打印机配置") from exc
    if loaded.kind != "printer":
        raise Invalid("not_a_printer", f"{profile} 不是小票打印机配置")
    doc = NoticeDoc(
        title=notice.title,
        hall_name=notice.hall_name,
        fields=[row for row in notice.fields() if row[0] != "文书编号"],
        body=_receipt_paragraphs(notice),
        serial=notice.serial,
        qr_url=notice.progress_url or "",
    )
    data: bytes = render_notice(doc, loaded)
    return data


def _receipt_paragraphs(notice: Notice) -> list[str]:
    lines = list(notice.paragraphs[:1])
    if notice.kind == "rejected":
        lines.append(f"原因：{notice.reason or '—'}")
        lines.extend(notice.paragraphs[2:])
    elif notice.kind == "missing":
        lines.extend(f"{i}. {m}" for i, m in enumerate(notice.materials, 1))
        lines.extend(notice.paragraphs[1:])
    else:
        lines.extend(notice.paragraphs[1:])
    if notice.note:
        lines.append(f"说明：{notice.note}")
    return lines
