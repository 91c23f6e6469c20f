"""好差评 with reasons: a poor rating names what went wrong from the hall's list."""

from __future__ import annotations

import pytest

from tests.helpers import EVALUATOR, issue, login, window

pytestmark = pytest.mark.db

DEMO_REASONS = [
    "等候时间长",
    "服务态度差",
    "一次性告知不清",
    "办事效率低",
    "材料要求反复",
    "系统故障",
    "环境设施不便",
]


def served(client, clerk="clerk01", code="S01") -> dict:
    """A ticket called and accepted at a window, waiting for its rating."""
    ticket = issue(client, queue="A")
    headers = login(client, clerk)
    window(client, headers, code, "sign-in")
    assert window(client, headers, code, "call", ticket=ticket["id"]).status_code == 200
    assert window(client, headers, code, "outcome", outcome="accepted").status_code == 200
    return ticket


def owner(ticket: dict) -> dict:
    return {"s": ticket["progress_url"].split("s=")[1]}


def rate(client, ticket, body, **how):
    url = f"/api/v1/tickets/{ticket['id']}/evaluation"
    if how.get("device"):
        return client.post(url, json=body, headers=EVALUATOR)
    return client.post(url, json=body, params=owner(ticket))


def test_the_phone_is_offered_the_halls_reasons_while_a_rating_is_due(client):
    ticket = served(client)
    view = client.get(f"/api/v1/tickets/{ticket['id']}", params=owner(ticket)).json()
    assert view["rating_reasons"] == DEMO_REASONS
    assert view["evaluation_reasons"] == []
    waiting = issue(client, queue="A")
    assert (
        "rating_reasons"
        not in client.get(f"/api/v1/tickets/{waiting['id']}", params=owner(waiting)).json()
    )


@pytest.mark.parametrize("level", [1, 2])
def test_a_poor_rating_without_a_reason_is_refused_and_nothing_is_stored(client, level):
    ticket = served(client)
    for body in ({"level": level}, {"level": level, "reasons": [], "comment": "太慢了"}):
        r = rate(client, ticket, body)
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == "rating_reason_required"
        assert error["message"] == "请选择不满意的原因（可多选）"
        assert error["detail"]["allowed"] == DEMO_REASONS
    staff = login(client, "supervisor")
    assert (
        client.get(f"/api/v1/tickets/{ticket['id']}", headers=staff).json()["evaluation_level"]
        is None
    )


def test_a_poor_rating_with_reasons_and_a_comment_is_stored_in_order(client):
    ticket = served(client)
    body = {
        "level": 1,
        "reasons": ["服务态度差", "等候时间长", "服务态度差"],
        "comment": "叫号后等了很久",
    }
    r = rate(client, ticket, body)
    assert r.status_code == 200, r.text
    assert r.json()["evaluation_level"] == 1
    assert r.json()["evaluation_reasons"] == ["服务态度差", "等候时间长"]
    staff = login(client, "supervisor")
    view = client.get(f"/api/v1/tickets/{ticket['id']}", headers=staff).json()
    assert view["evaluation_reasons"] == ["服务态度差", "等候时间长"]
    assert "rating_reasons" not in view  # rated: nothing left to offer


def test_a_reason_not_in_the_halls_list_is_refused(client):
    ticket = served(client)
    r = rate(client, ticket, {"level": 2, "reasons": ["等候时间长", "<b>乱收费</b>"]})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "unknown_rating_reason"
    assert error["detail"]["unknown"] == ["<b>乱收费</b>"]


def test_a_good_rating_needs_no_reason(client):
    ticket = served(client)
    assert rate(client, ticket, {"level": 5}).status_code == 200
    assert rate(client, served(client), {"level": 3, "reasons": ["等候时间长"]}).status_code == 200


def test_a_button_box_evaluator_without_reasons_still_records_a_poor_rating(client):
    """A hardware 评价器 has five keys and no screen: its 非常不满意 must not be lost."""
    ticket = served(client)
    r = rate(client, ticket, {"level": 1}, device=True)
    assert r.status_code == 200, r.text
    assert r.json()["evaluation_reasons"] == []
    screen = served(client)  # the web evaluator sends reasons, so it must choose one
    r = rate(client, screen, {"level": 1, "reasons": []}, device=True)
    assert r.status_code == 422 and r.json()["error"]["code"] == "rating_reason_required"


def test_the_evaluation_request_says_who_served(client):
    ticket = served(client, "clerk03", "S03")
    staff = login(client, "supervisor")
    events = client.get("/api/v1/halls/demo/events", params={"since": 0}, headers=staff).json()
    items = events["events"] if isinstance(events, dict) else events
    asked = [e for e in items if e["type"] == "evaluation.requested"]
    assert asked[-1]["ticket"]["id"] == ticket["id"]
    assert asked[-1]["served_by"] == {"name": "张伟", "staff_no": "ZW0103"}
    assert asked[-1]["rating_reasons"] == DEMO_REASONS
