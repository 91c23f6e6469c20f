"""Department-reported volumes: typed in, or downloaded as a template, filled and uploaded."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.helpers import login

URL = "/api/v1/halls/demo/reported-volumes"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def supervisor(client):
    return login(client, "supervisor")


def by_window(answer):
    return {item["window"]: item for item in answer["items"]}


def test_reported_volumes_are_stored_per_window_and_month(client, supervisor):
    body = {
        "month": "2026-11",
        "items": [
            {"window": "S13", "department": "不动产登记中心", "volume": 412},
            {"window": "S16", "volume": 120, "detail": {"accepted": 100, "consulted": 20}},
        ],
    }
    r = client.put(URL, json=body, headers=supervisor)
    assert r.status_code == 200, r.text
    items = by_window(client.get(URL, params={"month": "2026-11"}, headers=supervisor).json())
    assert len(items) == 26
    assert items["S13"]["volume"] == 412 and items["S13"]["department"] == "不动产登记中心"
    assert items["S13"]["updated_by"] == "supervisor"
    assert items["S13"]["updated_local"] == "2026-11-24 09:00"  # hall-local, as people read it
    assert items["S01"]["updated_local"] is None
    assert items["S16"]["detail"] == {"accepted": 100, "consulted": 20}
    assert items["S01"]["volume"] is None
    other = client.get(URL, params={"month": "2026-10"}, headers=supervisor).json()
    assert all(item["volume"] is None for item in other["items"])


def test_a_new_report_replaces_the_old_and_null_removes_it(client, supervisor):
    client.put(
        URL,
        json={"month": "2026-11", "items": [{"window": "S13", "volume": 5}]},
        headers=supervisor,
    )
    client.put(
        URL,
        json={"month": "2026-11", "items": [{"window": "S13", "volume": 7}]},
        headers=supervisor,
    )
    assert (
        by_window(client.get(URL, params={"month": "2026-11"}, headers=supervisor).json())["S13"][
            "volume"
        ]
        == 7
    )
    client.put(
        URL,
        json={"month": "2026-11", "items": [{"window": "S13", "volume": None}]},
        headers=supervisor,
    )
    assert (
        by_window(client.get(URL, params={"month": "2026-11"}, headers=supervisor).json())["S13"][
            "volume"
        ]
        is None
    )


@pytest.mark.parametrize(
    "items, status, code",
    [
        ([{"window": "S99", "volume": 1}], 422, "invalid_volumes"),
        ([{"window": "S01", "volume": 1}, {"window": "S01", "volume": 2}], 422, "invalid_volumes"),
        ([{"window": "S01", "volume": -1}], 422, "invalid_request"),
        ([{"window": "S01", "volume": 1, "detail": {"planet": 1}}], 422, "invalid_volumes"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_stored(client, supervisor, items, status, code):
    body = {"month": "2026-11", "items": [{"window": "S02", "volume": 3}, *items]}
    r = client.put(URL, json=body, headers=supervisor)
    assert r.status_code == status and r.json()["error"]["code"] == code, r.text
    assert (
        by_window(client.get(URL, params={"month": "2026-11"}, headers=supervisor).json())["S02"][
            "volume"
        ]
        is None
    )


@pytest.mark.parametrize("month", ["2026-13", "26-11", "2026/11"])
def test_bad_months_are_refused(client, supervisor, month):
    r = client.get(URL, params={"month": month}, headers=supervisor)
    assert r.status_code == 422


def test_clerks_may_not_report_volumes(client):
    clerk = login(client, "clerk01")
    r = client.put(URL, json={"month": "2026-11", "items": []}, headers=clerk)
    assert r.status_code == 403


def template(client, supervisor, month="2026-11"):
    r = client.get(f"{URL}/template.xlsx", params={"month": month}, headers=supervisor)
    assert r.status_code == 200 and r.headers["content-type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(r.content))


def upload(client, supervisor, book, **params):
    data = io.BytesIO()
    book.save(data)
    files = {"file": ("报送表.xlsx", data.getvalue(), XLSX)}
    return client.post(f"{URL}/upload", files=files, params=params, headers=supervisor)


def test_the_template_lists_every_window_with_a_suggested_department(client, supervisor):
    ws = template(client, supervisor).active
    assert ws["A1"].value == "月份" and ws["B1"].value == "2026-11"
    rows = {r[0]: r for r in ws.iter_rows(min_row=5, values_only=True)}
    assert len(rows) == 26
    assert rows["S13"][1] == "S13 13号窗口" and rows["S13"][2] == "不动产登记中心"
    assert rows["S16"][2] == "住房公积金中心"
    assert rows["S01"][2] == "多部门综合"  # 无差别综合窗口 serve several departments
    assert rows["S26"][2] == "多部门综合"  # the tidal window serves A, then B


def test_a_department_typed_like_a_formula_stays_text_in_the_template(client, supervisor):
    department = '=HYPERLINK("http://evil.example/","不动产登记中心")'
    item = {"window": "S13", "volume": 5, "department": department}
    r = client.put(URL, json={"month": "2026-11", "items": [item]}, headers=supervisor)
    assert r.status_code == 200, r.text
    ws = template(client, supervisor).active
    cell = next(row[2] for row in ws.iter_rows(min_row=5) if row[0].value == "S13")
    assert cell.value == department and cell.data_type == "s" and cell.quotePrefix


def test_a_filled_template_uploads_into_the_month(client, supervisor):
    book = template(client, supervisor)
    ws = book.active
    for row in ws.iter_rows(min_row=5):
        if row[0].value == "S13":
            row[3].value, row[4].value, row[5].value = 300, 280, 20
        if row[0].value == "S17":
            row[3].value = 95.0  # Excel stores numbers as floats
    r = upload(client, supervisor, book)
    assert r.status_code == 200, r.text
    items = by_window(r.json())
    assert items["S13"]["volume"] == 300
    assert items["S13"]["detail"] == {"accepted": 280, "consulted": 20}
    assert items["S17"]["volume"] == 95
    assert items["S01"]["volume"] is None  # blank rows are not reports
    again = template(client, supervisor).active
    prefilled = {r[0]: r for r in again.iter_rows(min_row=5, values_only=True)}
    assert prefilled["S13"][3] == 300


def test_uploads_that_cannot_be_read_are_refused_with_the_row(client, supervisor):
    r = client.post(
        f"{URL}/upload", files={"file": ("x.xlsx", b"not a workbook", XLSX)}, headers=supervisor
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_file"
    book = template(client, supervisor)
    book.active["D7"] = "很多"
    r = upload(client, supervisor, book)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_upload"
    assert r.json()["error"]["detail"][0]["row"] == 7
    r = upload(client, supervisor, template(client, supervisor), month="2026-10")
    assert r.status_code == 422 and r.json()["error"]["code"] == "month_mismatch"
