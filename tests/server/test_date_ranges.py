"""Every date a request carries has a sane range: far-off dates are a 422, never a 500."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.helpers import login, valid_id

FAR = ("9999-12", "0001-01", "1999-12", "2200-01")
FAR_DAYS = ("9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01")
MONTH_ROUTES = (
    "/anomalies",
    "/anomalies.xlsx",
    "/anomalies.html",
    "/reported-volumes",
    "/reported-volumes/template.xlsx",
)
RANGE_ROUTES = (
    "/stats",
    "/stats/export.xlsx",
    "/stats/export.csv",
    "/staffing",
    "/charts/arrivals.svg",
)


def refused(r, *codes: str) -> dict:
    assert r.status_code == 422, (r.status_code, r.text)
    error = r.json()["error"]
    assert error["code"] in codes
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])  # said in Chinese
    return error


@pytest.fixture
def supervisor(client) -> dict[str, str]:
    return login(client, "supervisor")


@pytest.mark.parametrize("route", MONTH_ROUTES)
@pytest.mark.parametrize("month", FAR)
def test_a_month_out_of_range_is_refused_on_every_month_route(client, supervisor, route, month):
    r = client.get(f"/api/v1/halls/demo{route}", params={"month": month}, headers=supervisor)
    refused(r, "invalid_month")


@pytest.mark.parametrize("month", FAR)
def test_reported_volumes_for_a_month_out_of_range_are_refused(client, supervisor, month):
    body = {"month": month, "items": [{"window": "S13", "volume": 3}]}
    r = client.put("/api/v1/halls/demo/reported-volumes", json=body, headers=supervisor)
    refused(r, "invalid_month")


def test_an_upload_for_a_month_out_of_range_is_refused(client, supervisor):
    template = client.get(
        "/api/v1/halls/demo/reported-volumes/template.xlsx",
        params={"month": "2026-11"},
        headers=supervisor,
    )
    assert template.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    book.active["B1"] = "9999-12"  # the month cell of the 报送表
    book.active["D5"] = 5  # S01's volume
    data = io.BytesIO()
    book.save(data)
    r = client.post(
        "/api/v1/halls/demo/reported-volumes/upload",
        files={"file": ("t.xlsx", data.getvalue())},
        headers=supervisor,
    )
    refused(r, "invalid_month")


@pytest.mark.parametrize("route", RANGE_ROUTES)
@pytest.mark.parametrize("day", FAR_DAYS)
@pytest.mark.parametrize("side", ["from", "to"])
def test_a_date_out_of_range_is_refused_on_every_statistics_route(
    client, supervisor, route, day, side
):
    params = {"from": "2026-11-01", "to": "2026-11-24", side: day}
    r = client.get(f"/api/v1/halls/demo{route}", params=params, headers=supervisor)
    error = refused(r, "invalid_date", "invalid_range")
    assert "2000-01-01" in error["message"] or error["code"] == "invalid_range"


def test_the_range_limits_still_let_every_real_report_through(client, supervisor):
    month = client.get(
        "/api/v1/halls/demo/anomalies", params={"month": "2026-12"}, headers=supervisor
    )
    assert month.status_code == 200
    span = {"from": "2000-01-01", "to": "2002-12-31"}
    assert client.get("/api/v1/halls/demo/stats", params=span, headers=supervisor).is_success


@pytest.mark.parametrize(
    "slot",
    [
        "9999-12-31T23:30:00",
        "0001-01-01T00:00:00",
        "9999-12-31T23:30:00+08:00",
        "0001-01-01T00:00:00+14:00",
        "2099-01-05T09:00:00",
    ],
)
def test_an_appointment_slot_out_of_range_is_refused(client, slot):
    body = {
        "queue": "B",
        "slot": slot,
        "applicant_name": "张三",
        "id_number": valid_id(),
        "phone": "13800000000",
    }
    r = client.post("/api/v1/halls/demo/appointments", json=body, headers=login(client, "clerk13"))
    error = refused(r, "invalid_slot")
    assert "预约" in error["message"]
