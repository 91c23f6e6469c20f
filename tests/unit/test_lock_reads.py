"""Reads sent along with the hall lock (PostgreSQL) serve only what they were read for."""

from __future__ import annotations

import datetime as dt

import pytest

from server.store import repo
from server.store.tickets_repo import TicketsRepo

NOW = dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.UTC)
SOON = NOW + dt.timedelta(minutes=3)


def _row(ticket_id: str, queue: str = "A") -> dict:
    """A tickets row as the store gives it (only what ticket_from_row reads matters)."""
    row = {c.key: None for c in repo.tickets.c}
    row.update(
        id=ticket_id,
        hall="demo",
        business_date=NOW.date(),
        queue=queue,
        number=f"{queue}001",
        rank=1,
        status="waiting",
        priority="normal",
        source="kiosk",
        issued_at=NOW,
        call_count=0,
        recalls=0,
        requeue_count=0,
        transferred=False,
        evaluation_requested=False,
        step_backs=0,
    )
    return row


class NoStore:
    """A connection nobody may use: the primed reads must answer alone."""

    def __getattr__(self, name: str):
        raise AssertionError(f"the store was asked ({name})")


def _primed(until: dt.datetime | None = SOON) -> TicketsRepo:
    tickets = TicketsRepo(NoStore())  # type: ignore[arg-type]
    tickets.prime([_row("called")], ("S01", ["A", "B"], NOW, until), [_row("head")])
    return tickets


@pytest.mark.parametrize("later", [dt.timedelta(0), dt.timedelta(seconds=1)])
def test_the_candidates_read_with_the_lock_serve_call_next_of_their_window(later):
    tickets = _primed()
    found = tickets.call_candidates("demo", NOW.date(), ["A", "B"], "S01", NOW + later)
    assert [t.id for t in found] == ["head"]


@pytest.mark.parametrize(
    ("window", "queues", "now", "until"),
    [
        ("S02", ["A", "B"], NOW, SOON),  # another window
        ("S01", ["A"], NOW, SOON),  # 潮汐 changed the window's queues
        ("S01", ["A", "B"], NOW - dt.timedelta(seconds=1), SOON),  # an earlier instant
        ("S01", ["A", "B"], SOON, SOON),  # a 暂离 ended since: its ticket may head a line
    ],
)
def test_they_are_not_used_for_anything_else(monkeypatch, window, queues, now, until):
    tickets = _primed(until)
    asked = []
    monkeypatch.setattr(repo, "call_candidates", lambda *args: asked.append(args) or [])
    assert tickets.call_candidates("demo", NOW.date(), queues, window, now) == []
    assert len(asked) == 1


def test_each_read_serves_once_and_a_write_drops_them(monkeypatch):
    tickets = _primed()
    asked = []
    monkeypatch.setattr(repo, "get_ticket", lambda conn, ticket_id: asked.append(ticket_id))
    monkeypatch.setattr(repo, "save_ticket", lambda conn, ticket: None)
    monkeypatch.setattr(repo, "call_candidates", lambda *args: asked.append("candidates") or [])
    called = tickets.get("called")
    assert called is not None and called.id == "called" and asked == []
    tickets.get("called")  # read again: from the store (a use case may have changed it)
    assert asked == ["called"]
    tickets.save(called)  # a write: what was read with the lock is stale
    tickets.call_candidates("demo", NOW.date(), ["A", "B"], "S01", NOW)
    assert asked == ["called", "candidates"]
