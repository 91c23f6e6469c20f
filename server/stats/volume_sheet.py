"""The reported-volume template (报送表) to download, fill in Excel and upload again."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from server.domain.errors import Invalid
from server.services.context import Context
from server.stats import xlsx
from server.stats.volumes import MAX_VOLUME, OUTCOME_KEYS, VolumeItem, list_volumes, save_volumes

SHEET = "业务量报送"
HEADERS = (
    "窗口编号",
    "窗口名称",
    "报送部门",
    "报送业务量",
    "其中受理",
    "其中咨询",
    "其中不予受理",
    "其中过号",
)
HEADER_ROW = 4
NOTE = "请填写各窗口本月报送业务量（件），分项可不填；保存后在统计后台「业务量报送」上传。"
MAX_ROWS = 1000


def template_xlsx(ctx: Context, hall: str, month: str | None) -> bytes:
    """The month's template, one row per window, filled with what was already reported."""
    current = list_volumes(ctx, hall, month)
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = SHEET
    xlsx.put(ws, 1, 1, "月份")
    xlsx.put(ws, 1, 2, current["month"])
    ws["B1"].number_format = "@"  # text, or Excel turns 2026-11 into a date
    ws["A1"].font = ws["A2"].font = Font(bold=True)
    xlsx.put(ws, 2, 1, "说明")
    xlsx.put(ws, 2, 2, NOTE)
    for col, label in enumerate(HEADERS, start=1):
        cell = xlsx.put(ws, HEADER_ROW, col, label)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="2F5496")
    numbers = DataValidation(
        type="whole", operator="between", formula1="0", formula2=str(MAX_VOLUME)
    )
    numbers.error = "请填写 0 或正整数"
    ws.add_data_validation(numbers)
    for i, item in enumerate(current["items"], start=HEADER_ROW + 1):
        detail = item["detail"]
        values = [
            item["window"],
            item["window_name"],
            item["department"] or item["suggested_department"],
            item["volume"],
            *(detail.get(k) for k in OUTCOME_KEYS),
        ]
        for col, value in enumerate(values, start=1):
            xlsx.put(ws, i, col, value)
        numbers.add(f"D{i}:H{i}")
    for letter, width in zip("ABCDEFGH", (10, 16, 22, 12, 10, 10, 12, 10), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(ctx: Context, hall: str, month: str | None, data: bytes, by: str) -> dict[str, Any]:
    """POST …/reported-volumes/upload: read a filled template and store its rows."""
    file_month, items = parse_template(data)
    chosen = month or file_month
    if chosen is None:
        raise Invalid("month_required", "请在报送表 B1 单元格或请求中注明月份（YYYY-MM）")
    if month and file_month and month != file_month:
        raise Invalid(
            "month_mismatch",
            f"报送表的月份 {file_month} 与所选月份 {month} 不一致",
            {"file": file_month, "selected": month},
        )
    return save_volumes(ctx, hall, chosen, items, by)


def parse_template(data: bytes) -> tuple[str | None, list[VolumeItem]]:
    """The month and the filled rows of a template; blank volumes are skipped."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise Invalid("invalid_file", "无法读取上传的文件，请使用下载的报送表（xlsx）") from None
    try:
        ws = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        rows = list(ws.iter_rows(max_row=MAX_ROWS + HEADER_ROW, max_col=8, values_only=True))
    except Exception:  # openpyxl raises many kinds on a damaged sheet; all mean "unreadable"
        raise Invalid("invalid_file", "报送表内容无法读取，请重新下载模板填写") from None
    finally:
        book.close()
    month = next((_month_text(r[1]) for r in rows if r and r[0] == "月份" and len(r) > 1), None)
    start = next((i for i, r in enumerate(rows) if r and r[0] == HEADERS[0]), None)
    if start is None:
        raise Invalid("invalid_file", "报送表缺少表头「窗口编号」，请使用下载的模板")
    items: list[VolumeItem] = []
    problems: list[dict[str, Any]] = []
    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        try:
            item = _item(row)
        except ValueError as exc:
            problems.append({"row": number, "problem": f"第 {number} 行：{exc}"})
            continue
        if item is not None:
            items.append(item)
    if problems:
        raise Invalid("invalid_upload", "报送表有误：" + problems[0]["problem"], problems)
    return month, items


def _item(row: tuple[Any, ...]) -> VolumeItem | None:
    cells = list(row) + [None] * (8 - len(row))
    window, department, volume = cells[0], cells[2], cells[3]
    if window in (None, "") or volume in (None, ""):
        return None
    detail = {}
    for key, value in zip(OUTCOME_KEYS, cells[4:8], strict=True):
        if value not in (None, ""):
            detail[key] = _count(value)
    return VolumeItem(
        window=str(window).strip(),
        volume=_count(volume),
        department=str(department).strip()[:100] if department else None,
        detail=detail,
    )


def _count(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("业务量应为整数")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 0 <= value <= MAX_VOLUME:
        raise ValueError(f"业务量应为 0 至 {MAX_VOLUME} 的整数")
    return value


def _month_text(value: Any) -> str | None:
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%Y-%m}"
    return str(value).strip() if value else None
