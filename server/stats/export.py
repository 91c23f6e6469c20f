"""Statistics downloads: xlsx (one sheet per grouping, a chart, the call detail) and csv.

Both stream: the xlsx is a write-only workbook (rows go to disk as they come, the call
detail straight from a server-side cursor) spooled to a temporary file; the csv is a
generator that yields lines while its read transaction walks the rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from server.services.context import Context
from server.stats import grouping, xlsx
from server.stats.detail import DETAIL_HEADERS, detail_rows
from server.stats.measures import COLUMNS
from server.stats.periods import Period, parse_period
from server.stats.reads import HallRead, dimension, hall_read

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
FORMATS = {"count": "0", "minutes": "0.00", "rate": "0.0%"}
DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"  # hall-local wall-clock time, to the minute
DAY_FORMAT = "[$-804]yyyy-mm-dd aaa"  # 2026-12-01 周二 (804: zh-CN weekday names)
CSV_DATE, CSV_TIME = "%Y-%m-%d", "%Y-%m-%d %H:%M"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="2F5496")
TOTAL_FONT = Font(bold=True)
SPOOL_BYTES = 8 * 1024 * 1024  # larger workbooks go to disk while they are written


def sheet_name(dim: str) -> str:
    """The sheet of a grouping：按窗口、按业务队列 …."""
    return f"按{grouping.DIMENSION_LABELS[dim]}"


def export_name(hall: str, period: Period, suffix: str) -> str:
    """An ASCII file name for the download."""
    return f"yichuang-{hall}-stats-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{suffix}"


def check_query(ctx: Context, hall: str, start: str | None, end: str | None) -> Period:
    """Validate hall and range before a download starts (errors must come before bytes)."""
    with hall_read(ctx, hall) as read:
        return parse_period(start, end, read.today)


def export_xlsx(
    ctx: Context, hall: str, start: str | None, end: str | None, detail: bool = False
) -> IO[bytes]:
    """The statistics workbook of a range (with detail: every call too), rewound."""
    with hall_read(ctx, hall) as read:
        period = parse_period(start, end, read.today)
        stats = grouping.collect(read.conn, read.layout, period, grouping.DIMENSIONS)
        book = Workbook(write_only=True)
        _about_sheet(book, read, period)
        sheets = {}
        for dim in grouping.DIMENSIONS:
            data = grouping.table(stats, dim, read.layout, read.windows, read.clerks)
            sheets[dim] = _grouping_sheet(book, dim, data)
        _arrivals_chart(book, sheets["hour"], len(stats.groups["hour"]))
        if detail:
            _detail_sheet(book, read, period)
        # Handed to the response, which closes it after the last chunk.
        out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        book.save(out)
    out.seek(0)
    return out


def _header(ws: WriteOnlyWorksheet, labels: list[str]) -> list[Cell]:
    cells = []
    for label in labels:
        cell = xlsx.cell(ws, label)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cells.append(cell)
    return cells


def _about_sheet(book: Workbook, read: HallRead, period: Period) -> None:
    ws = book.create_sheet("说明")
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 90
    title = xlsx.cell(ws, f"{read.layout.name} 排队叫号统计")
    title.font = Font(bold=True, size=14)
    ws.append([title])
    for key, value in (
        ("统计期间", f"{period.start:%Y-%m-%d} 至 {period.end:%Y-%m-%d}"),
        ("生成时间", read.header(period)["generated_local"]),
        ("等候时长", "取号至首次叫号；重呼、过号重排、转移后的再次等候不计入"),
        ("办理时长", "叫号至登记结果（受理/咨询/不予受理/转移），含重呼等待；过号不计"),
        ("有效办理率", "（受理+咨询+不予受理）÷ 已结束的叫号"),
        ("过号率", "过号 ÷ 已结束的叫号"),
        ("满意率", "（非常满意+满意+基本满意）÷ 已评价"),
        ("参评率", "已评价 ÷ 应评价（每次受理/咨询/不予受理均应评价）"),
        ("口径说明", "详见 docs/statistics.md；窗口与人员按叫号计，取号数按取号队列计"),
    ):
        ws.append(xlsx.row(ws, [key, value]))


def _grouping_sheet(book: Workbook, dim: str, data: dict[str, Any]) -> WriteOnlyWorksheet:
    ws = book.create_sheet(sheet_name(dim))
    columns = [c for c in COLUMNS if c.key in {col["key"] for col in data["columns"]}]
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 22
    for i in range(len(columns)):
        ws.column_dimensions[get_column_letter(i + 2)].width = 11
    ws.append(_header(ws, [grouping.DIMENSION_LABELS[dim], *(c.label for c in columns)]))
    for row in [*data["rows"], data["total"]]:
        cells = [_label_cell(ws, dim, row)]
        for column in columns:
            cell = xlsx.cell(ws, row[column.key])
            cell.number_format = FORMATS[column.kind]
            cells.append(cell)
        if row is data["total"]:
            for cell in cells:
                cell.font = TOTAL_FONT
        ws.append(cells)
    return ws


def _label_cell(ws: WriteOnlyWorksheet, dim: str, row: dict[str, Any]) -> Cell:
    """A row's first cell: a real date on the 按日期 sheet (shown with its weekday), else text."""
    day = _day(dim, row)
    if day is None:
        return xlsx.cell(ws, row["label"])
    cell = xlsx.cell(ws, day)
    cell.number_format = DAY_FORMAT
    return cell


def _day(dim: str, row: dict[str, Any]) -> dt.date | None:
    """The date of a 按日期 row (None for 合计 and for any other grouping)."""
    if dim != "day":
        return None
    try:
        return dt.date.fromisoformat(row["key"])
    except ValueError:
        return None


def _arrivals_chart(book: Workbook, hours: WriteOnlyWorksheet, count: int) -> None:
    """A chart sheet: tickets issued per hour of day, from the 按时段 sheet's 取号数 column."""
    chart = BarChart()
    chart.title = "每小时到达人数（取号数）"
    chart.y_axis.title = "取号数"
    chart.x_axis.title = "时段"
    last = max(count, 1) + 1
    chart.add_data(Reference(hours, min_col=2, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(hours, min_col=1, min_row=2, max_row=last))
    book.create_chartsheet("到达分布图").add_chart(chart)


def _detail_sheet(book: Workbook, read: HallRead, period: Period) -> None:
    ws = book.create_sheet("叫号明细")
    ws.freeze_panes = "A2"
    for i, width in enumerate((11, 8, 16, 14, 14, 18, 18, 6, 6, 10, 9, 9, 9)):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.append(_header(ws, list(DETAIL_HEADERS)))
    for values in detail_rows(read, period):
        cells = xlsx.row(ws, values)
        for i, value in enumerate(values):
            if isinstance(value, dt.date):  # dates and hall-local times as real Excel dates
                cells[i] = xlsx.cell(ws, value)
                cells[i].number_format = _date_format(value)
        ws.append(cells)


def csv_lines(
    ctx: Context, hall: str, start: str | None, end: str | None, by: str | None, detail: bool
) -> Iterator[bytes]:
    """The csv download, line by line: BOM + header row, then the rows (and 合计)."""
    dim = dimension(by)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    with hall_read(ctx, hall) as read:
        period = parse_period(start, end, read.today)
        buffer.write(BOM)
        if detail:
            writer.writerow(DETAIL_HEADERS)
            for values in detail_rows(read, period):
                writer.writerow(_csv_value(v) for v in values)
                if buffer.tell() > 64 * 1024:
                    yield flush()
        else:
            stats = grouping.collect(read.conn, read.layout, period, [dim])
            data = grouping.table(stats, dim, read.layout, read.windows, read.clerks)
            keys = [c["key"] for c in data["columns"]]
            kinds = {c.key: c.kind for c in COLUMNS}
            writer.writerow([data["by_label"], *(c["label"] for c in data["columns"])])
            for row in [*data["rows"], data["total"]]:
                # A day is written as its date (2026-12-01), which spreadsheets read as a date.
                day = _day(dim, row)
                label = day.isoformat() if day else row["label"]
                writer.writerow([label, *(_csv_cell(row[k], kinds[k]) for k in keys)])
    yield flush()


def _csv_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "rate":
        return f"{value * 100:.2f}%"
    return str(value)


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value:{CSV_TIME if isinstance(value, dt.datetime) else CSV_DATE}}"
    return str(value)


def _date_format(value: dt.date) -> str:
    return TIME_FORMAT if isinstance(value, dt.datetime) else DATE_FORMAT
