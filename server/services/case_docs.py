"""Case documents：申请材料交接确认单、审查意见一次性告知单 and 办结通知书 (JSON, PDF, receipt).

The PDF uses reportlab (as the outcome notices do) with a Code128 barcode of the 办件编号，so
the department scans it on signing; the receipt goes through the printer driver's notice
layout, which prints the same number as a native CODE128 symbol.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo

from server.domain.cases import KIND_LABELS, Case, CaseState
from server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from server.domain.layout import Layout
from server.services import notices
from server.services.auth import Principal
from server.services.case_rules import CaseRules, local
from server.services.context import Context

TITLES = {
    "handover": "申请材料交接确认单",
    "opinion": "审查意见一次性告知单",
    "result": "办结通知书",
}
MAX_MATERIALS = 30


@dataclass(frozen=True)
class CaseDoc:
    """A filled case document, ready to render."""

    kind: str
    title: str
    hall_name: str
    case_no: str
    fields: list[tuple[str, str]]
    paragraphs: list[str]
    materials: list[str] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    date: str = ""


def case_doc(
    ctx: Context,
    hall: str,
    case_no: str,
    kind: str,
    who: Principal,
    materials: list[str] | None = None,
) -> CaseDoc:
    """Fill a document of `kind` for a case, or refuse when the case has not come that far."""
    if kind not in TITLES:
        raise Invalid("unknown_document_kind", "文书类型只能为 handover、opinion 或 result")
    with ctx.units.read() as repos:
        layout = ctx.layout_of(repos, hall)
        case = repos.cases.get(hall, case_no.strip())
        if case is None:
            raise NotFound("unknown_case", f"没有办件编号为 {case_no.strip()[:40]} 的办件")
        rules = CaseRules.of(layout)
        if who.role == "department" and case.department not in rules.users.get(who.name, []):
            raise Forbidden("other_department", f"办件 {case.case_no} 不属于您所在的部门")
        ticket = repos.tickets.get(case.ticket_id) if case.ticket_id else None
        name = (ticket.applicant_name if ticket else None) or case.applicant_masked
        clerk = repos.sessions.name_of(case.clerk) if case.clerk else None
        listed = [m.strip() for m in materials or [] if m and m.strip()][:MAX_MATERIALS]
        return _fill(ctx, layout, rules, case, kind, name, clerk, listed or list(case.materials))


@dataclass(frozen=True)
class _Facts:
    """What every document of a case says, read once."""

    case: Case
    layout: Layout
    zone: ZoneInfo
    matter_name: str
    department: str
    due: dt.date
    applicant: str | None
    clerk: str | None
    today: str

    def base(self) -> list[tuple[str, str]]:
        """The lines every document starts with."""
        return [
            ("办件编号", self.case.case_no),
            ("办理事项", self.matter_name),
            ("承办部门", self.department),
        ]

    def doc(self, kind: str, fields: list[tuple[str, str]], paragraphs: list[str]) -> CaseDoc:
        """A document of this case."""
        name, number = self.layout.name, self.case.case_no
        return CaseDoc(kind, TITLES[kind], name, number, fields, paragraphs, date=self.today)


def _fill(
    ctx: Context,
    layout: Layout,
    rules: CaseRules,
    case: Case,
    kind: str,
    applicant: str | None,
    clerk: str | None,
    materials: list[str],
) -> CaseDoc:
    zone = ZoneInfo(layout.timezone)
    matter = layout.matters.get(case.matter or "")
    facts = _Facts(
        case=case,
        layout=layout,
        zone=zone,
        matter_name=matter.name if matter else (case.matter or "—"),
        department=rules.department_name(case.department) or "—",
        due=rules.due_date(case.opened_at.astimezone(zone).date(), case.limit_days),
        applicant=applicant,
        clerk=clerk,
        today=_date(ctx.clock().astimezone(zone)),
    )
    if kind == "handover":
        return _handover(facts, materials)
    if kind == "opinion":
        return _opinion(facts)
    return _result(facts)


def _handover(f: _Facts, materials: list[str]) -> CaseDoc:
    """申请材料交接确认单：travels with the papers, so the applicant is masked."""
    c = f.case
    limit = "当场办结" if c.limit_days == 0 else f"{c.limit_days} 个工作日"
    fields = [
        *f.base(),
        ("申请人", c.applicant_masked or "—"),
        ("办件类型", f"{KIND_LABELS[c.kind]}（{limit}）"),
        ("承诺办结日", _date(f.due)),
        ("受理窗口", c.window or "—"),
        ("受理人", f.clerk or "—"),
        ("受理时间", local(c.opened_at, f.zone) or "—"),
    ]
    paragraphs = [f"以下申请材料共 {len(materials)} 项，随本单移交承办部门，请核对后签收。"]
    doc = f.doc("handover", fields, paragraphs)
    footer = ["移交人：__________", "接收人（签收）：__________", "签收时间：__________"]
    return replace(doc, materials=materials, footer=footer)


def _opinion(f: _Facts) -> CaseDoc:
    """审查意见一次性告知单：the 不予许可 opinion or the 补正 request, told once and whole."""
    c = f.case
    if c.state not in (CaseState.DENIED, CaseState.CORRECTION) or not c.note:
        raise Conflict("document_not_applicable", f"办件 {c.case_no} 没有审查意见")
    denied = c.state is CaseState.DENIED
    verdict = "决定不予许可" if denied else "尚需补正下列材料"
    paragraphs = [
        f"{f.applicant or '申请人'}：您申请办理的“{f.matter_name}”事项，经审查，{verdict}。"
        "为避免您多次往返，现将审查意见一次性告知如下：",
        c.note,
        "如对本决定不服，可自收到本告知单之日起六十日内依法申请行政复议，"
        "或者在六个月内依法提起行政诉讼。"
        if denied
        else "请按上述意见一次性补齐材料后，凭本告知单到综合窗口提交。",
    ]
    fields = [*f.base(), ("申请人", f.applicant or "—"), ("告知日期", f.today)]
    return f.doc("opinion", fields, paragraphs)


def _result(f: _Facts) -> CaseDoc:
    """办结通知书：decided when, with which result, where to collect it."""
    c = f.case
    if c.decided_at is None:
        raise Conflict("document_not_applicable", f"办件 {c.case_no} 尚未办结")
    result = "不予许可" if c.decision == "deny" else "准予许可"
    paragraphs = [
        f"{f.applicant or '申请人'}：您申请办理的“{f.matter_name}”事项，已于 "
        f"{_date(c.decided_at.astimezone(f.zone))}办结，办理结果为{result}。",
        "请凭本通知书及本人有效身份证件到统一出件窗口领取办理结果，或申请邮寄送达。",
    ]
    fields = [
        *f.base(),
        ("申请人", f.applicant or "—"),
        ("受理时间", local(c.opened_at, f.zone) or "—"),
        ("办结时间", local(c.decided_at, f.zone) or "—"),
        ("承诺办结日", _date(f.due)),
    ]
    return f.doc("result", fields, paragraphs)


def _date(at: Any) -> str:
    return f"{at.year}年{at.month}月{at.day}日"


def doc_view(doc: CaseDoc) -> dict[str, Any]:
    """The document as JSON (what the pages preview)."""
    view = asdict(doc)
    view["fields"] = [{"label": k, "value": v} for k, v in doc.fields]
    view["receipt_body"] = _receipt_body(doc)  # the body as a receipt prints it
    view["serial"] = view["barcode"] = doc.case_no  # a desktop pad prints it as CODE128
    return view


def _receipt_body(doc: CaseDoc) -> list[str]:
    listed = (f"{i}. {m}" for i, m in enumerate(doc.materials, 1))
    return [doc.paragraphs[0], *listed, *doc.paragraphs[1:]]


def render_pdf(doc: CaseDoc) -> bytes:
    """The document as an A4 PDF with a Code128 barcode of the 办件编号."""
    from reportlab.graphics.barcode.code128 import Code128
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    st = notices._pdf_styles()
    mm = 72 / 25.4

    def p(text: str, style: str = "body") -> Any:
        return Paragraph(notices._escape(text), st[style])

    rows = [[p(label, "cell"), p(value, "cell")] for label, value in doc.fields]
    table = Table(rows, colWidths=[30 * mm, 130 * mm])
    table.setStyle(
        TableStyle(
            [("GRID", (0, 0), (-1, -1), 0.5, "#555555"), ("BACKGROUND", (0, 0), (0, -1), "#f0f0f0")]
        )
    )
    code = Code128(doc.case_no, barHeight=12 * mm, barWidth=0.33 * mm, humanReadable=True)
    story: list[Any] = [p(doc.hall_name, "hall"), p(doc.title, "title"), Spacer(1, 3 * mm)]
    story += [code, Spacer(1, 4 * mm), table, Spacer(1, 5 * mm)]
    story += [p(doc.paragraphs[0])]
    story += [p(f"{i}. {m}", "item") for i, m in enumerate(doc.materials, 1)]
    story += [p(text) for text in doc.paragraphs[1:]]
    story += [Spacer(1, 10 * mm)] + [p(text, "right") for text in doc.footer]
    story += [Spacer(1, 6 * mm), p(f"{doc.hall_name}（印章）", "right"), p(doc.date, "right")]
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{doc.title} {doc.case_no}",
        author=doc.hall_name,
    ).build(story)
    return out.getvalue()


def render_receipt(doc: CaseDoc, profile: str) -> bytes:
    """The document as ESC/POS bytes (the 办件编号 as a native CODE128 symbol)."""
    try:
        from drivers.printer import NoticeDoc, render_notice
        from drivers.profiles import load_profile
    except ImportError as exc:  # the hardware extra is not installed on this server
        raise Conflict("printer_driver_unavailable", "服务器未安装小票打印驱动") from exc
    try:
        loaded = load_profile(profile)
    except ValueError as exc:
        raise NotFound("unknown_printer_profile", f"没有型号为 {profile} 的打印机配置") from exc
    if loaded.kind != "printer":
        raise Invalid("not_a_printer", f"{profile} 不是小票打印机配置")
    receipt = NoticeDoc(
        title=doc.title,
        hall_name=doc.hall_name,
        fields=doc.fields,
        body=_receipt_body(doc),
        footer=tuple(doc.footer) or ("窗口人员：__________",),
        barcode=doc.case_no,
    )
    data: bytes = render_notice(receipt, loaded)
    return data
