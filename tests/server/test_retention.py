"""Retention: the nightly job clears names, phones and ID hashes; every figure stays equal."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from sqlalchemy import func, select, update

from server.demo.history import HistoryPlan
from server.services import retention
from server.store.tables import tickets
from tests.helpers import issue, login, valid_id
from tests.pgschema import store_for_test
from tests.stats.conftest import build_history

PLAN = HistoryPlan(dt.date(2026, 11, 14), dt.date(2026, 11, 23), scale=0.1, seed=5)
RANGE = {"from": "2026-11-14", "to": "2026-11-24"}


@pytest.fixture
def hall(tmp_path):
    with store_for_test():
        yield from build_history(tmp_path, PLAN)


def figures(h) -> dict[str, object]:
    """Every statistic, export and 通报 figure the supervisor can get for the range."""
    out: dict[str, object] = {}
    for by in ("window", "queue", "clerk", "area", "hour", "day"):
        out[f"stats/{by}"] = h.get("/stats", by=by, **RANGE).json()
        out[f"csv/{by}"] = h.get("/stats/export.csv", by=by, **RANGE).text
    out["csv/calls"] = h.get("/stats/export.csv", rows="calls", **RANGE).text
    book = openpyxl.load_workbook(io.BytesIO(h.get("/stats/export.xlsx", **RANGE).content))
    out["xlsx"] = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    out["anomalies"] = h.get("/anomalies", month="2026-11").json()
    out["anomalies.html"] = h.get("/anomalies.html", month="2026-11").text
    out["staffing"] = h.get("/staffing", **RANGE).json()
    for name in ("arrivals", "waiting", "outcomes"):
        out[f"chart/{name}"] = h.get(f"/charts/{name}.svg", **RANGE).text
    return out


def personal(conn, before: dt.date) -> int:
    kept = select(func.count()).where(
        tickets.c.business_date < before,
        (tickets.c.applicant_name.is_not(None))
        | (tickets.c.phone.is_not(None))
        | (tickets.c.id_hash.is_not(None)),
    )
    return int(conn.execute(kept).scalar_one())


def test_retention_clears_personal_fields_and_every_figure_stays_equal(hall):
    with hall.ctx.db.write() as conn:
        conn.execute(
            update(tickets).values(applicant_name="张三", phone="13800000000", id_hash="ab" * 32)
        )
    today_ticket = issue(hall.client, queue="A", applicant_name="李四", id_number=valid_id())
    security = login(hall.client, "security")
    r = hall.client.put(
        "/api/v1/halls/demo/security-settings",
        json={"settings": {"names_keep_days": 3}},
        headers=security,
    )
    assert r.status_code == 200
    before = figures(hall)
    retention.forget(hall.ctx)
    counts = retention.run(hall.ctx, "demo")
    assert counts is not None and counts["names"] > 0 and counts["id_hashes"] > 0
    after = figures(hall)
    for key in before:
        assert after[key] == before[key], key
    with hall.ctx.db.read() as conn:
        # kept N days after the ticket's day: names 3 (from 11-21 on), ID hashes 1 (11-23 on)
        assert personal(conn, dt.date(2026, 11, 21)) == 0
        row = conn.execute(
            select(tickets.c.applicant_name, tickets.c.id_hash).where(
                tickets.c.id == today_ticket["id"]
            )
        ).one()
        assert row.applicant_name == "李四" and row.id_hash  # today's ticket keeps them
        names_kept = conn.execute(
            select(func.count()).where(
                tickets.c.business_date >= dt.date(2026, 11, 21),
                tickets.c.applicant_name.is_not(None),
            )
        ).scalar_one()
        ids_kept = conn.execute(
            select(func.count()).where(
                tickets.c.business_date < dt.date(2026, 11, 23), tickets.c.id_hash.is_not(None)
            )
        ).scalar_one()
        assert names_kept > 0 and ids_kept == 0
    assert retention.run(hall.ctx, "demo") is None  # once per business date
