"""A person's own records: found by the keyed hash of their ID number, a PDF, erasure."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from server.store.tables import tickets
from tests.helpers import KIOSK, TZ, issue, login, valid_id, window

PERSON = "/api/v1/halls/demo/person"


def test_a_request_finds_all_and_only_the_persons_records(client, clock):
    me, other = valid_id("19800101", "123"), valid_id("19900101", "456")
    issue(client, queue="A", applicant_name="李四", id_number=me)
    clerk = login(client, "clerk01")
    window(client, clerk, "S01", "sign-in")
    window(client, clerk, "S01", "call-next")
    window(client, clerk, "S01", "outcome", outcome="accepted")
    issue(client, queue="A", applicant_name="王五", id_number=other)
    slot = dt.datetime(2026, 11, 25, 10, 0, tzinfo=TZ).isoformat()
    body = {"queue": "B", "slot": slot, "applicant_name": "李四", "id_number": me}
    booked = client.post("/api/v1/halls/demo/appointments", json=body, headers=KIOSK)
    assert booked.status_code == 201, booked.text
    clock.advance(days=1)
    issue(client, queue="A", applicant_name="李四", id_number=me)
    sup = login(client, "supervisor")
    r = client.post(f"{PERSON}/records", json={"id_number": me}, headers=sup)
    assert r.status_code == 200, r.text
    found = r.json()
    assert [t["applicant_name"] for t in found["tickets"]] == ["李四", "李四"]
    assert [a["code"] for a in found["appointments"]] == [booked.json()["code"]]
    assert found["id_masked"].startswith("110105") and me not in r.text
    r = client.post(f"{PERSON}/records.pdf", json={"id_number": me}, headers=sup)
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = client.post(f"{PERSON}/records", json={"id_number": "123"}, headers=sup)
    assert r.status_code == 422
    # erasure: yesterday's ticket goes, today's and the coming appointment stay
    r = client.post(f"{PERSON}/erase", json={"id_number": me}, headers=sup)
    assert r.status_code == 200
    assert r.json()["erased"] == {"tickets": 1, "appointments": 0}
    assert r.json()["kept"] == {"tickets": 1, "appointments": 1} and r.json()["kept_reason"]
    left = client.post(f"{PERSON}/records", json={"id_number": me}, headers=sup).json()
    assert len(left["tickets"]) == 1 and len(left["appointments"]) == 1
    with client.app.state.services.ctx.db.read() as conn:
        order = (tickets.c.business_date, tickets.c.number)
        names = conn.execute(select(tickets.c.applicant_name).order_by(*order))
        assert list(names.scalars()) == [None, "王五", "李四"]
    auditor = login(client, "auditor")
    trail = client.get(
        "/api/v1/halls/demo/audit", params={"who": "supervisor"}, headers=auditor
    ).json()["records"]
    actions = [(x["action"], x["result"]) for x in reversed(trail) if x["action"] != "login"]
    assert actions == [
        ("person_records", "ok"),
        ("person_export", "ok"),
        ("person_records", "refused"),
        ("person_erase", "ok"),
        ("person_records", "ok"),
    ]
    first = next(x for x in reversed(trail) if x["action"] == "person_records")
    counted = '{"appointments":1,"followups":0,"ratings":0,"second_ratings":0,"tickets":2}'
    assert first["details"] == counted  # counts only
    assert me not in str(trail)  # never the ID number


def test_clerks_may_not_ask_for_a_persons_records(client):
    r = client.post(
        f"{PERSON}/records", json={"id_number": valid_id()}, headers=login(client, "clerk01")
    )
    assert r.status_code == 403


def test_a_persons_records_include_their_poor_ratings_follow_up_and_second_rating(client, clock):
    from tests.server.test_rating import owner

    me = valid_id("19800101", "123")
    ticket = issue(client, queue="A", applicant_name="李四", id_number=me)
    clerk = login(client, "clerk01")
    window(client, clerk, "S01", "sign-in")
    window(client, clerk, "S01", "call-next")
    window(client, clerk, "S01", "outcome", outcome="accepted")
    url = f"/api/v1/tickets/{ticket['id']}/evaluation"
    body = {"level": 1, "reasons": ["服务态度差"], "comment": "窗口人员不耐烦"}
    assert client.post(url, json=body, params=owner(ticket)).status_code == 200
    body = {"level": 2, "reasons": ["服务态度差"], "comment": "回访后仍不满意"}
    r = client.post(f"{url}/followup", json=body, params=owner(ticket))
    assert r.status_code == 200, r.text
    sup = login(client, "supervisor")
    found = client.post(f"{PERSON}/records", json={"id_number": me}, headers=sup).json()
    assert [(f["number"], f["level"], f["status"]) for f in found["followups"]] == [
        (ticket["number"], 1, "open")
    ]
    assert [(s["level"], s["comment"]) for s in found["second_ratings"]] == [(2, "回访后仍不满意")]
    clock.advance(days=1)
    sup = login(client, "supervisor")  # a day later: the idle supervisor signs in again
    assert client.post(f"{PERSON}/erase", json={"id_number": me}, headers=sup).status_code == 200
    with client.app.state.services.ctx.db.read() as conn:
        from server.store.tables import rating_followups, second_ratings

        assert list(conn.execute(select(second_ratings.c.comment)).scalars()) == [None]
        # the item is still open: the supervisor needs the citizen's words until it is closed
        assert list(conn.execute(select(rating_followups.c.comment)).scalars()) == [
            "窗口人员不耐烦"
        ]
