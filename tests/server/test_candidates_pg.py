"""PostgreSQL's short call-next candidates statement picks what the portable UNION picks."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import update

from server.store import repo
from server.store.tables import tickets
from tests.helpers import issue
from tests.pgschema import BACKEND

pytestmark = [
    pytest.mark.pg,
    pytest.mark.skipif(BACKEND != "pg", reason="the LATERAL statement is PostgreSQL's own"),
]
QUEUES = ["A", "C", "Z", "D", "F", "B"]


def test_the_lateral_statement_finds_the_same_candidates_as_the_union(client, clock):
    rng = random.Random(14)
    ids = [issue(client, queue=rng.choice(QUEUES))["id"] for _ in range(120)]
    now = clock()
    db = client.app.state.services.ctx.db
    with db.write() as conn:  # every kind of line a call-next meets
        for ticket_id in ids:
            change = rng.choice(["none", "green", "appointment", "transfer", "to_window", "away"])
            values = {
                "green": {"priority": "green"},
                "appointment": {"priority": "appointment"},
                "transfer": {"transferred": True},
                "to_window": {"transferred": True, "target_window": rng.choice(["S01", "S02"])},
                "away": {"away_until": now + dt.timedelta(minutes=rng.choice([-5, 5]))},
            }.get(change)
            if values:
                conn.execute(update(tickets).where(tickets.c.id == ticket_id).values(**values))
        day = conn.execute(tickets.select().limit(1)).first().business_date
    with db.read() as conn:
        for served in (["A"], ["A", "C"], QUEUES[:4], QUEUES, ["NONE"]):
            for window in ("S01", "S02", "S09"):
                portable = repo._candidates_statement(len(served)).mappings(
                    conn,
                    {
                        "hall": "demo",
                        "day": day,
                        "window": window,
                        "now": now,
                        **{f"q{i}": q for i, q in enumerate(served)},
                    },
                )
                short = repo.call_candidates(conn, "demo", day, served, window, now)
                assert sorted(t.id for t in short) == sorted({r["id"] for r in portable}), (
                    served,
                    window,
                )
                assert short or served == ["NONE"]
