"""追评 and the rule that staff never rate: the citizen's routes refuse every staff role."""

from __future__ import annotations

import pytest

from server.domain.events import EventType
from tests.helpers import EVALUATOR, login
from tests.server.test_rating import owner, served

pytestmark = pytest.mark.db

ROUTES = ("/evaluation", "/evaluation/followup")


def events(client, kind):
    body = client.get("/api/v1/halls/demo/events?since=0", headers=EVALUATOR).json()
    items = body["events"] if isinstance(body, dict) else body
    return [e for e in items if e["type"] == kind]


@pytest.mark.parametrize("role", ["clerk01", "supervisor", "admin"])
@pytest.mark.parametrize("route", ROUTES)
def test_every_staff_role_is_refused_on_every_rating_route_even_with_the_secret(
    client, role, route
):
    ticket = served(client)
    if route.endswith("followup"):  # a first rating exists, so only the staff rule refuses
        assert client.post(
            f"/api/v1/tickets/{ticket['id']}/evaluation", json={"level": 5}, params=owner(ticket)
        ).is_success
    staff = login(client, role)
    url = f"/api/v1/tickets/{ticket['id']}{route}"
    for params in ({}, owner(ticket)):
        r = client.post(url, json={"level": 5}, headers=staff, params=params)
        assert r.status_code == 403, r.text
        assert r.json()["error"]["code"] == "staff_cannot_rate"
        assert "工作人员" in r.json()["error"]["message"]
    view = client.get(f"/api/v1/tickets/{ticket['id']}", params=owner(ticket)).json()
    assert view["evaluation_level"] in (None, 5)
    assert events(client, EventType.EVALUATION_FOLLOWED_UP) == []


def test_a_citizen_adds_one_second_rating_kept_beside_the_first(client, clock):
    ticket = served(client)
    url = f"/api/v1/tickets/{ticket['id']}/evaluation"
    assert client.post(url, json={"level": 4}, params=owner(ticket)).is_success
    clock.advance(days=3)
    again = {"level": 2, "reasons": ["办事效率低"], "comment": "材料退回两次"}
    r = client.post(url + "/followup", json=again, params=owner(ticket))
    assert r.status_code == 200, r.text
    assert r.json()["evaluation_level"] == 4  # the first rating is not overwritten
    first, second = (
        events(client, EventType.EVALUATION_RECORDED),
        events(client, EventType.EVALUATION_FOLLOWED_UP),
    )
    assert [e["assess_number"] for e in first] == [1] and first[0]["channel"] == "phone"
    assert [(e["level"], e["assess_number"], e["channel"]) for e in second] == [(2, 2, "phone")]
    twice = client.post(url + "/followup", json={"level": 5}, params=owner(ticket))
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "followup_rating_exists"


def test_a_second_rating_after_the_window_or_before_the_first_is_refused(client, clock):
    ticket = served(client)
    url = f"/api/v1/tickets/{ticket['id']}/evaluation"
    early = client.post(url + "/followup", json={"level": 5}, params=owner(ticket))
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_evaluated"
    assert client.post(url, json={"level": 5}, headers=EVALUATOR).is_success
    clock.advance(days=16)  # the demo hall allows 15 days
    late = client.post(url + "/followup", json={"level": 3}, headers=EVALUATOR)
    assert late.status_code == 409, late.text
    assert late.json()["error"]["code"] == "followup_rating_closed"
    assert "15 天" in late.json()["error"]["message"]
    assert events(client, EventType.EVALUATION_FOLLOWED_UP) == []
    assert events(client, EventType.EVALUATION_RECORDED)[0]["channel"] == "evaluator"
