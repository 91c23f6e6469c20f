"""The anomaly report as documents: an xlsx workbook and a printable HTML page."""

from __future__ import annotations

import io
from collections.abc import Sequence
from html import escape
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from server.stats import case_report, xlsx

STATUS_LABELS = {"match": "一致", "mismatch": "数据量不符", "not_reported": "未报送"}
CALLING = (
    ("window_name", "窗口"),
    ("department", "报送部门"),
    ("called", "叫号次数"),
    ("accepted", "受理"),
    ("consulted", "咨询"),
    ("rejected", "不予受理"),
    ("no_show", "过号"),
    ("transferred", "转移"),
    ("no_outcome", "未登记结果"),
    ("walk_ins", "未叫号即办理"),
    ("services", "系统办理量"),
    ("reported", "部门报送量"),
    ("difference", "差额"),
    ("status", "核对结果"),
)
RATING = (
    ("window_name", "窗口"),
    ("should_rate", "应评价"),
    ("rated", "已评价"),
    ("pending", "待评价"),
    ("not_rated", "未评价"),
    ("unrated_rate", "未评价率"),
    ("satisfaction_rate", "满意率"),
    ("poor", "差评"),
)
RATES = (
    ("window_name", "窗口"),
    ("ended", "已结束叫号"),
    ("completion_rate", "有效办理率"),
    ("no_show_rate", "过号率"),
    ("flags", "异常"),
)
SERVICE = (
    ("date", "日期"),
    ("number", "号码"),
    ("window", "窗口"),
    ("clerk", "工作人员"),
    ("outcome", "办理结果"),
    ("working_days", "已过工作日"),
)
POOR = (
    ("date", "日期"),
    ("number", "号码"),
    ("window", "窗口"),
    ("clerk", "工作人员"),
    ("level", "评价"),
    ("reasons", "原因"),
    ("comment", "意见"),
)
SUMMARY = (
    ("called", "叫号次数"),
    ("services", "系统办理量"),
    ("reported", "部门报送量"),
    ("unreported_windows", "未报送窗口"),
    ("mismatched_windows", "数据量不符窗口"),
    ("walk_ins", "未叫号即办理"),
    ("not_rated", "未评价（超过5个工作日）"),
    ("pending_rating", "待评价（5个工作日内）"),
    ("unrated_windows", "未评价率超标窗口"),
    ("poor_ratings", "差评"),
    ("rate_outliers", "有效办理率/过号率异常窗口"),
    ("proxy_windows", "疑似代评窗口"),
    ("followups_overdue", "差评整改逾期"),
)
PROXY = (
    ("window_name", "窗口"),
    ("ratings", "评价数"),
    ("quick", "办结后数秒内评价"),
    ("quick_share", "占比"),
    ("rest_quick_share", "其他窗口占比"),
    ("bursts_text", "连续非常满意"),
)
FOLLOWUPS = (
    ("date", "日期"),
    ("number", "号码"),
    ("window", "窗口"),
    ("clerk", "工作人员"),
    ("level", "评价"),
    ("deadline", "整改期限"),
    ("days_late", "逾期天数"),
    ("reached_text", "回访"),
    ("rectified_text", "整改"),
)
RATE_KEYS = {
    "on_time_rate",
    "total_rate",
    "rating_rate",
    "satisfaction_rate",
    "completion_rate",
    "no_show_rate",
    "unrated_rate",
    "quick_share",
    "rest_quick_share",
}
NUMBER_FORMATS = {**dict.fromkeys(RATE_KEYS, "0.0%"), "difference": "+0;-0;0"}
PAGE_LIST = 30  # services listed on the printed page; the xlsx lists up to the JSON's limit
ALERT = PatternFill("solid", fgColor="F8D7DA")
HEAD = PatternFill("solid", fgColor="2F5496")


def title(report: dict[str, Any]) -> str:
    """'示例市政务服务中心 2026年11月 业务异常情况通报'."""
    year, month = report["month"].split("-")
    text = f"{report['hall_name']} {year}年{int(month)}月 业务异常情况通报"
    return f"{text}（截至 {report['as_of']}）" if report.get("as_of") else text


def period_text(report: dict[str, Any]) -> str:
    """'2026-11-01 至 2026-11-30', or up to today while the month is in progress."""
    return f"{report['from']} 至 {report.get('as_of') or report['to']}"


def _show(key: str, value: Any) -> str:
    if value is None or value == []:
        return ""
    if key in RATE_KEYS:
        return f"{value:.1%}"
    if key == "status":
        return STATUS_LABELS.get(value, str(value))
    if isinstance(value, list):  # 异常 flags，差评 reasons
        return "、".join(value)
    if key == "difference":
        return f"{value:+d}"
    return str(value)


HANDOVER = (
    ("department_name", "部门"),
    ("case_no", "办件编号"),
    ("opened_local", "受理时间"),
    ("signed_local", "签收时间"),
    ("working_days", "转递工作日"),
)
COMPLETION = (("department_name", "部门"), *case_report.FIGURES)


def anomaly_xlsx(report: dict[str, Any]) -> bytes:
    """The report as a workbook：通报摘要、叫号异常、好差评异常、有效办理率过号率."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "通报摘要"
    _summary_sheet(ws, report)
    _table(book.create_sheet("叫号异常"), CALLING, report["calling"]["rows"], "status")
    walk = book.create_sheet("未叫号即办理")
    _table(walk, (("window_name", "窗口"), ("count", "件数")), report["calling"]["walk_ins"])
    evaluation = report["evaluation"]
    _table(book.create_sheet("好差评异常"), RATING, evaluation["rows"], "flagged")
    _table(book.create_sheet("超期未评价"), SERVICE, evaluation["overdue"])
    _table(book.create_sheet("差评"), POOR, evaluation["poor"])
    _table(book.create_sheet("材料转递异常"), HANDOVER, report["handover"]["cases"])
    _table(book.create_sheet("办结率异常"), COMPLETION, report["completion"]["rows"])
    _table(book.create_sheet("有效办理率过号率"), RATES, report["rates"]["rows"], "flags")
    _table(book.create_sheet("疑似代评"), PROXY, proxy_rows(report), "flagged")
    _table(book.create_sheet("差评整改逾期"), FOLLOWUPS, followup_rows(report))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _summary_sheet(ws: Worksheet, report: dict[str, Any]) -> None:
    ws.append(xlsx.row(ws, [title(report)]))
    ws["A1"].font = Font(bold=True, size=14)
    # People read these: the hall's wall-clock time, never UTC ISO.
    generated = report["generated_local"]
    ws.append(xlsx.row(ws, ["统计期间", period_text(report), "生成时间", generated]))
    for key, label in SUMMARY:
        ws.append(xlsx.row(ws, [label, report["summary"][key]]))
    ws.append([])
    ws.append(xlsx.row(ws, ["异常事项"]))
    for item in report["findings"]:
        ws.append(xlsx.row(ws, [item["section"], item["text"]]))
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100


def _table(
    ws: Worksheet,
    columns: Sequence[tuple[str, str]],
    rows: list[dict[str, Any]],
    alert: str | None = None,
) -> None:
    ws.append(xlsx.row(ws, [label for _, label in columns]))
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True, color="FFFFFF"), HEAD
    for row in rows:
        ws.append([_cell(ws, key, row.get(key)) for key, _ in columns])
        if alert and _alerting(alert, row.get(alert)):
            for cell in ws[ws.max_row]:
                cell.fill = ALERT
    for i, (key, _) in enumerate(columns):
        letter = ws.cell(1, i + 1).column_letter
        ws.column_dimensions[letter].width = 18 if key in {"window_name", "department"} else 11
    ws.freeze_panes = "B2"


def _cell(ws: Worksheet, key: str, value: Any) -> Cell:
    """Numbers stay numbers (rates as %，差额 signed); anything else is shown text."""
    numeric = isinstance(value, int | float) and not isinstance(value, bool) and key != "status"
    cell = xlsx.cell(ws, value if numeric else _show(key, value))
    if numeric and key in NUMBER_FORMATS:
        cell.number_format = NUMBER_FORMATS[key]
    return cell


def _alerting(key: str, value: Any) -> bool:
    if key == "status":
        return bool(value == "mismatch")
    return bool(value)


def anomaly_html(report: dict[str, Any], *, standalone: bool = True) -> str:
    """The report as a printable page (or, with standalone=False, the section alone)."""
    evaluation = report["evaluation"]
    parts = [
        f"<h1>{escape(title(report))}</h1>",
        f"<p class='meta'>统计期间 {escape(period_text(report))} · 生成时间 "
        f"{escape(report['generated_local'])}</p>",
        "<h2>一、总体情况</h2>",
        _html_table(SUMMARY, [report["summary"]], vertical=True),
        "<h2>二、异常事项</h2>",
        _findings(report["findings"]),
        "<h2>三、叫号异常</h2>",
        _html_table(CALLING, report["calling"]["rows"], alert="status"),
        "<h2>四、好差评异常</h2>",
        f"<p>服务结束后 {evaluation['follow_up_working_days']} 个工作日内仍未评价的计为未评价；"
        f"未评价率超过 {evaluation['unrated_rate_threshold']:.0%} 的窗口标红，"
        "按未评价率从高到低排列。</p>",
        _html_table(RATING, evaluation["rows"], alert="flagged"),
        f"<h3>超过 {evaluation['follow_up_working_days']} 个工作日未评价"
        f"（{evaluation['overdue_total']} 件）</h3>",
        _html_table(SERVICE, evaluation["overdue"][:PAGE_LIST]),
        _more(evaluation["overdue_total"]),
        f"<h3>差评（{evaluation['poor_total']} 件）</h3>",
        _html_table(POOR, evaluation["poor"][:PAGE_LIST]),
        _more(evaluation["poor_total"]),
        "<h2>五、材料转递异常</h2>",
        f"<p>受理后超过 {report['handover']['limit_working_days']} 个工作日仍未签收"
        "（或签收晚于此）的办件，按部门列出。</p>",
        _html_table(HANDOVER, report["handover"]["cases"][:PAGE_LIST]),
        "<h2>六、办结率异常</h2>",
        _html_table(COMPLETION, report["completion"]["rows"]),
        "<h2>七、有效办理率 / 过号率异常</h2>",
        f"<p>全厅有效办理率 {_show('completion_rate', report['rates']['hall_completion_rate'])}，"
        f"过号率 {_show('no_show_rate', report['rates']['hall_no_show_rate'])}；"
        f"已结束叫号不足 {report['rates']['min_calls']} 次的窗口不参与比较。</p>",
        _html_table(RATES, [r for r in report["rates"]["rows"] if r["flags"]]),
        "<h2>六、疑似代评</h2>",
        _html_table(PROXY, proxy_rows(report), alert="flagged"),
        f"<h2>七、差评整改逾期（{report['followups']['overdue_total']} 件）</h2>",
        _html_table(FOLLOWUPS, followup_rows(report)[:PAGE_LIST]),
        _more(report["followups"]["overdue_total"]),
        "<h2>说明</h2><ul>" + "".join(f"<li>{escape(n)}</li>" for n in report["notes"]) + "</ul>",
    ]
    body = f"<section class='anomaly-report'>{''.join(parts)}</section>"
    if not standalone:
        return body
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        f"<title>{escape(title(report))}</title><style>{PRINT_CSS}</style></head>"
        f"<body>{body}</body></html>"
    )


def proxy_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """疑似代评 rows with their bursts as text."""
    return [
        r
        | {
            "bursts_text": "；".join(
                f"{b['from']} 至 {b['to'][-5:]} 共 {b['count']} 条" for b in r["bursts"]
            )
        }
        for r in report["proxy_ratings"]["rows"]
    ]


def followup_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Overdue 差评整改 rows with their steps as text."""
    reached = {None: "未回访", True: "已联系", False: "未联系上"}
    return [
        i
        | {
            "reached_text": reached[i["reached"]],
            "rectified_text": "已整改" if i["rectified"] else "未整改",
        }
        for i in report["followups"]["overdue"]
    ]


def _more(total: int) -> str:
    if total <= PAGE_LIST:
        return ""
    return f"<p class='more'>仅列前 {PAGE_LIST} 件，其余 {total - PAGE_LIST} 件见 xlsx 通报。</p>"


def _findings(items: list[dict[str, str]]) -> str:
    if not items:
        return "<p>本月未发现异常。</p>"
    lines = "".join(f"<li><b>{escape(i['section'])}</b> {escape(i['text'])}</li>" for i in items)
    return f"<ol class='findings'>{lines}</ol>"


def _html_table(
    columns: Sequence[tuple[str, str]],
    rows: list[dict[str, Any]],
    *,
    alert: str | None = None,
    vertical: bool = False,
) -> str:
    if vertical:
        cells = "".join(
            f"<tr><th>{escape(label)}</th><td>{escape(_show(key, rows[0].get(key)))}</td></tr>"
            for key, label in columns
        )
        return f"<table class='summary'>{cells}</table>"
    if not rows:
        return "<p class='none'>无</p>"
    head = "".join(f"<th>{escape(label)}</th>" for _, label in columns)
    body = []
    for row in rows:
        flagged = " class='alert'" if alert and _alerting(alert, row.get(alert)) else ""
        cells = "".join(f"<td>{escape(_show(key, row.get(key)))}</td>" for key, _ in columns)
        body.append(f"<tr{flagged}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


PRINT_CSS = """
body{font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:1.5cm;color:#111;font-size:11pt}
h1{font-size:18pt;text-align:center;margin:0 0 .3em}
h2{font-size:13pt;margin:1.2em 0 .4em;border-bottom:1px solid #999}
h3{font-size:11pt;margin:.8em 0 .3em}
.meta{text-align:center;color:#555}
table{border-collapse:collapse;width:100%;font-size:9pt;margin:.3em 0}
th,td{border:1px solid #999;padding:2px 4px;text-align:center}
th{background:#e8edf6}
tr.alert td{background:#f8d7da}
table.summary{width:auto}
table.summary th{text-align:left}
.findings li{margin:.2em 0}
@page{size:A4;margin:1.2cm}
@media print{body{margin:0}tr{page-break-inside:avoid}}
"""
