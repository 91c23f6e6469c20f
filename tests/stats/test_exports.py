"""The xlsx and csv downloads carry the same numbers as the statistics API."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest

from server.stats import xlsx
from server.stats.measures import COLUMNS

RANGE = {"from": "2026-10-01", "to": "2026-10-31"}
SHEETS = {
    "window": "按窗口",
    "queue": "按业务队列",
    "clerk": "按工作人员",
    "area": "按区域",
    "hour": "按时段",
    "day": "按日期",
}
KEY_BY_LABEL = {c.label: c.key for c in COLUMNS}

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def workbook(history):
    r = history.get("/stats/export.xlsx", **RANGE, detail="true")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r.headers["content-disposition"]
    return openpyxl.load_workbook(io.BytesIO(r.content))


@pytest.fixture(scope="module")
def api(history):
    answers = {}
    for by in SHEETS:
        r = history.get("/stats", **RANGE, by=by)
        assert r.status_code == 200
        answers[by] = r.json()
    return answers


def sheet_rows(ws):
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:]


@pytest.mark.parametrize("by", list(SHEETS))
def test_each_grouping_sheet_totals_equal_the_api(workbook, api, by):
    ws = workbook[SHEETS[by]]
    header, rows = sheet_rows(ws)
    assert ws.freeze_panes == "B2"
    total = rows[-1]
    assert total[0] == "合计"
    expected = api[by]["total"]
    for label, value in zip(header[1:], total[1:], strict=True):
        assert value == expected[KEY_BY_LABEL[label]], (by, label)
    if by == "day":  # real dates, so Excel sorts and filters them as dates
        assert [r[0] for r in rows[:-1]] == [
            dt.datetime.fromisoformat(r["key"]) for r in api[by]["rows"]
        ]
    else:
        assert [r[0] for r in rows[:-1]] == [r["label"] for r in api[by]["rows"]]
    for row, answer in zip(rows[:-1], api[by]["rows"], strict=True):
        assert row[header.index("叫号次数")] == answer["called"]


def test_sheets_use_number_formats_and_chinese_headers(workbook):
    ws = workbook["按窗口"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["窗口", "叫号次数", "重呼次数", "选号叫号"]
    assert ws.cell(2, header.index("有效办理率") + 1).number_format == "0.0%"
    assert ws.cell(2, header.index("平均办理时长(分)") + 1).number_format == "0.00"
    assert "取号数" not in header  # tickets are not issued to a window


def test_the_workbook_has_an_arrivals_chart_and_the_call_detail(workbook, api):
    assert [s.title for s in workbook.chartsheets] == ["到达分布图"]
    chart = workbook.chartsheets[0]._charts[0]
    assert chart.series[0].val.numRef.f.startswith("'按时段'!$B$2")
    detail = workbook["叫号明细"]
    header, rows = sheet_rows(detail)
    assert header[:3] == ("日期", "号码", "业务队列")
    assert len(rows) == api["window"]["total"]["called"]
    results = [r[header.index("结果")] for r in rows]
    assert results.count("过号") == api["window"]["total"]["no_show"]
    assert results.count("受理") == api["window"]["total"]["accepted"]


def test_the_call_detail_sheet_is_left_out_unless_asked_for(history):
    r = history.get("/stats/export.xlsx", **RANGE)
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    assert "叫号明细" not in book.sheetnames and "按窗口" in book.sheetnames


def test_csv_has_a_bom_a_header_row_and_the_api_total(history, api):
    r = history.get("/stats/export.csv", **RANGE, by="queue")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    text = r.content.decode("utf-8-sig")
    assert "\r\n" in text  # Excel's line ends
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert header[0] == "业务队列" and "取号数" in header and "满意率" in header
    assert len(body) == len(api["queue"]["rows"]) + 1
    total = dict(zip(header, body[-1], strict=True))
    assert total["业务队列"] == "合计"
    assert int(total["取号数"]) == api["queue"]["total"]["issued"]
    assert int(total["过号"]) == api["queue"]["total"]["no_show"]
    rate = api["queue"]["total"]["satisfaction_rate"]
    assert total["满意率"] == f"{rate * 100:.2f}%"


def test_csv_of_calls_streams_one_line_per_call(history, api):
    r = history.get("/stats/export.csv", **RANGE, rows="calls")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["日期", "号码"]
    assert len(rows) - 1 == api["window"]["total"]["called"]


def test_csv_dates_are_dates_and_times_are_minutes(history):
    rows = list(
        csv.reader(
            io.StringIO(
                history.get("/stats/export.csv", **RANGE, rows="calls").text.lstrip("\ufeff")
            )
        )
    )
    header, body = rows[0], rows[1:]
    called, ended = header.index("叫号时间"), header.index("结束时间")
    for row in body:
        assert re.fullmatch(r"2026-10-\d\d", row[0]), row
        assert re.fullmatch(r"2026-10-\d\d \d\d:\d\d", row[called]), row
        assert row[ended] == "" or re.fullmatch(r"2026-10-\d\d \d\d:\d\d", row[ended]), row
    days = list(csv.reader(io.StringIO(history.get("/stats/export.csv", **RANGE, by="day").text)))
    assert days[1][0] == "2026-10-01"


def test_xlsx_dates_are_date_cells_with_a_date_format(workbook):
    by_day = workbook["按日期"]
    first = by_day["A2"]
    assert first.value == dt.datetime(2026, 10, 1) and first.is_date
    assert first.number_format.endswith("yyyy-mm-dd aaa")
    detail = workbook["叫号明细"]
    header = [c.value for c in detail[1]]
    row = detail[2]
    assert row[0].is_date and row[0].number_format == "yyyy-mm-dd"
    called = row[header.index("叫号时间")]
    assert called.is_date and called.number_format == "yyyy-mm-dd hh:mm"


@pytest.mark.parametrize(
    "params, code",
    [
        ({"from": "2026-10-31", "to": "2026-10-01"}, "invalid_range"),
        ({"from": "yesterday"}, "invalid_date"),
        ({"from": "2020-01-01", "to": "2026-10-01"}, "range_too_long"),
        ({"by": "planet"}, "invalid_grouping"),
    ],
)
def test_bad_queries_are_refused_before_any_download(history, params, code):
    for path in ("/stats", "/stats/export.csv", "/stats/export.xlsx"):
        if path.endswith("xlsx") and code == "invalid_grouping":
            continue
        r = history.get(path, **params)
        assert r.status_code == 422, (path, r.text)
        assert r.json()["error"]["code"] == code


@pytest.mark.parametrize("write_only", [False, True])
@pytest.mark.parametrize("text", ["=1+1", "+86 138", "-2", "@SUM(A1)", "\t=cmd"])
def test_text_starting_like_a_formula_is_written_as_text(write_only, text):
    book = openpyxl.Workbook(write_only=write_only)
    ws = book.create_sheet("s") if write_only else book.active
    ws.append(xlsx.row(ws, [text, 3, "受理"]))
    data = io.BytesIO()
    book.save(data)
    a, b, c = next(openpyxl.load_workbook(data).worksheets[-1].iter_rows())
    assert (a.value, a.data_type, a.quotePrefix) == (text, "s", True)
    assert (b.value, b.data_type) == (3, "n") and (c.value, c.quotePrefix) == ("受理", False)
