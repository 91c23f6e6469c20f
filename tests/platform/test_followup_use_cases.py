"""追评 and 差评整改 use cases on the in-memory store: no database, the same services."""

from __future__ import annotations

import json

import pytest

from server.domain.errors import Conflict
from server.services import followups, ratings, tickets, windows
from server.services.tickets import IssueRequest
from tests.unit.fake_store import HALL
from tests.unit.test_use_cases import _hall


def _served(ctx):
    ticket = tickets.issue_ticket(ctx, HALL, IssueRequest(queue="A"), by_staff=False)
    windows.call_next(ctx, HALL, "S01", "clerk01")
    windows.record_outcome(ctx, HALL, "S01", "clerk01", "accepted", None)
    return ticket


def _types(published):
    return [json.loads(text)["type"] for _, _, text in published.items]


def test_a_poor_rating_opens_one_item_and_a_second_rating_is_kept_beside_it():
    ctx, store, published, clock = _hall()
    ticket = _served(ctx)
    tickets.evaluate_ticket(ctx, ticket["id"], 1, "太慢", None, channel=ratings.EVALUATOR)
    (item,) = store.state.followups.values()
    # Monday 2026-12-07 + 5 working days (the fake hall lists no holidays) = Monday 12-14
    assert (item.level, item.window, item.clerk, str(item.deadline)) == (
        1,
        "S01",
        "clerk01",
        "2026-12-14",
    )
    clock.advance(days=1)
    view = ratings.add_second_rating(
        ctx, ticket["id"], 2, None, None, channel=ratings.PHONE, owner=True
    )
    assert view["evaluation_level"] == 1 and view["followup_rating"]["level"] == 2
    assert len(store.state.followups) == 1  # one item per ticket
    assert store.state.second_ratings[ticket["id"]].level == 2
    types = _types(published)
    assert types.count("evaluation.recorded") == types.count("evaluation.followed_up") == 1
    assert types.count("followup.opened") == 1
    with pytest.raises(Conflict):
        ratings.add_second_rating(ctx, ticket["id"], 5, None, None, channel="phone", owner=True)


def test_the_steps_of_an_item_on_the_fake_store():
    ctx, _, published, _ = _hall()
    ticket = _served(ctx)
    tickets.evaluate_ticket(ctx, ticket["id"], 2, None, None, channel=ratings.EVALUATOR)
    followups.record_callback(ctx, HALL, 1, True, "已联系", "sup")
    followups.record_rectification(ctx, HALL, 1, "已整改", "sup")
    done = followups.close_followup(ctx, HALL, 1, None, "sup")
    assert done["status"] == "closed" and done["callback"]["by"] == "sup"
    assert followups.list_followups(ctx, HALL, "open")["items"] == []
    assert _types(published)[-3:] == [
        "followup.called_back",
        "followup.rectified",
        "followup.closed",
    ]
