"""差评整改：a rating of 1 or 2 opens an item that supervisors call back, fix and close."""

from __future__ import annotations

import pytest

from server.domain.events import EventType
from tests.helpers import EVALUATOR, login
from tests.platform.test_second_rating import events
from tests.server.test_rating import owner, served

pytestmark = pytest.mark.db
BASE = "/api/v1/halls/demo/followups"


def poor(client, level=1, reasons=("服务态度差",), comment="窗口人员不耐烦"):
    ticket = served(client)
    body = {"level": level, "reasons": list(reasons), "comment": comment}
    r = client.post(f"/api/v1/tickets/{ticket['id']}/evaluation", json=body, params=owner(ticket))
    assert r.status_code == 200, r.text
    return ticket


def test_a_poor_rating_opens_an_item_due_in_five_working_days(client):
    ticket = poor(client)
    sup = login(client, "supervisor")
    listing = client.get(BASE, headers=sup).json()
    assert listing["open"] == 1 and listing["overdue"] == 0
    item = listing["items"][0]
    assert item["ticket"] == ticket["id"] and item["number"] == ticket["number"]
    assert (item["window"], item["clerk"], item["clerk_name"]) == ("S01", "clerk01", "李明")
    assert (item["level"], item["level_label"]) == (1, "非常不满意")
    assert item["reasons"] == ["服务态度差"] and item["comment"] == "窗口人员不耐烦"
    # Tuesday 2026-11-24 + 5 working days = Tuesday 2026-12-01
    assert item["deadline"] == "2026-12-01" and item["opened_local"] == "2026-11-24 09:00"
    opened = events(client, EventType.FOLLOWUP_OPENED)
    assert [e["followup"]["id"] for e in opened] == [item["id"]]
    assert "comment" not in opened[0]["followup"]  # free text never reaches the screens


def test_good_and_middling_ratings_open_nothing(client):
    for level in (3, 4, 5):
        ticket = served(client)
        url = f"/api/v1/tickets/{ticket['id']}/evaluation"
        assert client.post(url, json={"level": level}, headers=EVALUATOR).is_success
    assert client.get(BASE, headers=login(client, "supervisor")).json()["items"] == []


def test_callback_rectification_and_close_each_emit_an_event(client):
    poor(client, level=2, reasons=("等候时间长",))
    sup = login(client, "supervisor")
    item_id = client.get(BASE, headers=sup).json()["items"][0]["id"]
    url = f"{BASE}/{item_id}"
    early = client.post(url + "/close", headers=sup)
    assert early.status_code == 409 and early.json()["error"]["code"] == "followup_incomplete"
    assert early.json()["error"]["detail"]["missing"] == ["callback", "rectification"]
    r = client.post(
        url + "/callback", json={"reached": True, "note": "已致电，群众反映等候过久"}, headers=sup
    )
    assert r.status_code == 200 and r.json()["callback"]["reached"] is True
    r = client.post(url + "/rectification", json={"note": "高峰时段增开潮汐窗口"}, headers=sup)
    assert r.json()["rectification"]["by"] == "supervisor"
    r = client.post(url + "/close", json={"note": "群众表示认可"}, headers=sup)
    assert r.status_code == 200 and r.json()["status"] == "closed"
    again = client.post(url + "/callback", json={"reached": False, "note": "x"}, headers=sup)
    assert again.status_code == 409 and again.json()["error"]["code"] == "followup_closed"
    kinds = [
        EventType.FOLLOWUP_CALLED_BACK,
        EventType.FOLLOWUP_RECTIFIED,
        EventType.FOLLOWUP_CLOSED,
    ]
    assert [len(events(client, k)) for k in kinds] == [1, 1, 1]
    assert events(client, EventType.FOLLOWUP_CLOSED)[0]["followup"]["status"] == "closed"
    assert client.get(BASE, params={"status": "open"}, headers=sup).json()["items"] == []


def test_an_item_past_its_deadline_is_overdue(client, clock):
    poor(client)
    clock.advance(days=8)  # Wednesday 2026-12-02: past Tuesday's deadline
    sup = login(client, "supervisor")
    overdue = client.get(BASE, params={"status": "overdue"}, headers=sup).json()
    assert overdue["overdue"] == 1 and overdue["items"][0]["overdue"] is True
    bad = client.get(BASE, params={"status": "late"}, headers=sup)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_status"
    missing = client.get(f"{BASE}/999", headers=sup)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_followup"


def test_a_poor_second_rating_opens_an_item_when_the_first_did_not(client):
    ticket = served(client)
    url = f"/api/v1/tickets/{ticket['id']}/evaluation"
    assert client.post(url, json={"level": 5}, params=owner(ticket)).is_success
    body = {"level": 2, "reasons": ["办事效率低"]}
    assert client.post(url + "/followup", json=body, params=owner(ticket)).is_success
    items = client.get(BASE, headers=login(client, "supervisor")).json()["items"]
    assert [(i["ticket"], i["level"]) for i in items] == [(ticket["id"], 2)]


def test_clerks_may_not_see_or_work_followups(client):
    poor(client)
    clerk = login(client, "clerk02")
    assert client.get(BASE, headers=clerk).status_code == 403
    r = client.post(f"{BASE}/1/callback", json={"reached": True, "note": "x"}, headers=clerk)
    assert r.status_code == 403
