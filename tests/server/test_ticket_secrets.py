"""The ticket's owner secret goes out once; masked ID numbers reach only staff and the owner."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest

from tests.helpers import DISPLAY, EVALUATOR, KIOSK, TZ, issue, login, valid_id, window
from tests.server.test_authorization import (
    BODIES,
    DUTY_ONLY,
    EVERYONE,
    MATRIX,
    STAFF,
    headers_for,
)

ID_NUMBER = valid_id("19800101", "123")


def secret_of(ticket: dict) -> str:
    return parse_qs(urlparse(ticket["progress_url"]).query)["s"][0]


def test_the_issuing_kiosk_gets_the_secret_and_the_masked_id_for_the_stub(client):
    t = issue(client, queue="A", id_number=ID_NUMBER)
    assert secret_of(t) and t["id_masked"].endswith(ID_NUMBER[-4:])
    staff = client.post(
        "/api/v1/halls/demo/tickets", json={"queue": "A"}, headers=login(client, "clerk02")
    )
    assert staff.status_code == 201 and secret_of(staff.json())


@pytest.mark.parametrize("who", sorted(EVERYONE))
def test_no_route_hands_another_ticket_s_secret_or_masked_id_to_a_caller(client, who):
    victim = issue(client, queue="A", applicant_name="张三", id_number=ID_NUMBER)
    secret, masked = secret_of(victim), victim["id_masked"]
    headers = headers_for(client, who)
    paths = {
        "{hall}": "demo",
        "{code}": "S01",
        "{ticket_id}": victim["id"],
        "{device}": {"kiosk": "kiosk-1", "evaluator": "evaluator-1"}.get(who, "display-1"),
        "{name}": "announcer",
    }
    order = sorted(
        MATRIX,
        key=lambda k: (k[1].endswith("/logout"), k[1].endswith("/sign-out"), k),
    )
    for method, template in order:
        path = template
        for key, value in paths.items():
            path = path.replace(key, value)
        body = next((b for suffix, b in BODIES.items() if template.endswith(suffix)), None)
        if template.endswith("/tickets/find"):
            body = {"number": victim["number"]}
        r = client.request(method, path, json=body, headers=headers)
        assert secret not in r.text, (who, method, template)
        if who not in STAFF:
            assert masked not in r.text, (who, method, template)


# the live feed is closed to the security administrator and the auditor (4401)
@pytest.mark.parametrize("who", sorted(EVERYONE - {"nobody", "online"} - DUTY_ONLY))
def test_no_live_feed_message_carries_a_secret_or_a_masked_id(client, who):
    victim = issue(client, queue="A", applicant_name="张三", id_number=ID_NUMBER)
    headers = headers_for(client, who)
    token = headers["Authorization"].split(" ")[1]
    clerk = login(client, "clerk03")
    window(client, clerk, "S02", "sign-in")
    window(client, clerk, "S02", "call-next")
    window(client, clerk, "S02", "outcome", outcome="accepted")
    for since in ("", "&since=0"):
        with client.websocket_connect(f"/api/v1/halls/demo/live?token={token}{since}") as ws:
            first = ws.receive_text()
            issue(client, queue="A", applicant_name="王五")
            text = first + ws.receive_text()
        assert secret_of(victim) not in text and victim["id_masked"] not in text
    polled = client.get("/api/v1/halls/demo/events?since=0", headers=headers).text
    assert secret_of(victim) not in polled and victim["id_masked"] not in polled


@pytest.mark.parametrize("device", [KIOSK, DISPLAY])
def test_a_device_reading_a_ticket_gets_neither_secret_nor_masked_id_but_null(client, device):
    t = issue(client, queue="A", id_number=ID_NUMBER)
    got = client.get(f"/api/v1/tickets/{t['id']}", headers=device).json()
    assert got["progress_url"] is None and got["id_masked"] is None
    assert got["number"] == t["number"] and got["waiting_ahead"] == 0


def test_staff_read_the_masked_id_but_not_the_secret(client):
    t = issue(client, queue="A", id_number=ID_NUMBER)
    got = client.get(f"/api/v1/tickets/{t['id']}", headers=login(client, "clerk02")).json()
    assert got["progress_url"] is None and got["id_masked"] == t["id_masked"]


def test_the_owner_with_the_secret_reads_what_the_stub_shows(client):
    t = issue(client, queue="A", id_number=ID_NUMBER)
    got = client.get(f"/api/v1/tickets/{t['id']}", params={"s": secret_of(t)}).json()
    assert got["progress_url"] == t["progress_url"] and got["id_masked"] == t["id_masked"]


def test_a_kiosk_finds_the_secret_only_after_the_citizen_proves_ownership(client):
    with_id = issue(client, queue="A", id_number=ID_NUMBER)
    anonymous = issue(client, queue="A")
    find = "/api/v1/halls/demo/tickets/find"
    proved = client.post(
        find, json={"number": with_id["number"], "id_number": ID_NUMBER}, headers=KIOSK
    )
    assert proved.json()["progress_url"] == with_id["progress_url"]
    assert proved.json()["id_masked"] == with_id["id_masked"]
    r = client.post(find, json={"number": anonymous["number"]}, headers=KIOSK)
    assert r.status_code == 200 and r.json()["progress_url"] is None
    assert r.json()["id_masked"] is None


def test_a_kiosk_finds_an_appointment_ticket_by_its_code(client, clock):
    slot = dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
    body = {
        "queue": "B",
        "slot": slot.isoformat(),
        "applicant_name": "李四",
        "id_number": ID_NUMBER,
    }
    booked = client.post("/api/v1/halls/demo/appointments", json=body, headers=KIOSK)
    code = booked.json()["code"]
    clock.advance(minutes=50)
    t = issue(client, queue="B", appointment_code=code)
    find = "/api/v1/halls/demo/tickets/find"
    r = client.post(find, json={"number": t["number"], "appointment_code": code}, headers=KIOSK)
    assert r.status_code == 200 and r.json()["progress_url"] == t["progress_url"]
    r = client.post(find, json={"number": t["number"], "appointment_code": "000000"}, headers=KIOSK)
    assert r.status_code == 403 and r.json()["error"]["code"] == "id_mismatch"


def test_a_requeue_with_the_secret_gets_it_back_for_the_new_stub(client, clock):
    t = issue(client, queue="A", id_number=ID_NUMBER)
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    window(client, clerk, "S01", "call-next")
    window(client, clerk, "S01", "outcome", outcome="no_show")
    path = f"/api/v1/tickets/{t['id']}/requeue"
    r = client.post(path, headers={**KIOSK, "X-Ticket-Secret": secret_of(t)})
    assert r.status_code == 200 and r.json()["progress_url"] == t["progress_url"]
    assert r.json()["id_masked"] == t["id_masked"]


def test_a_requeue_without_proof_prints_no_secret(client):
    t = issue(client, queue="A")
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    window(client, clerk, "S01", "call-next")
    window(client, clerk, "S01", "outcome", outcome="no_show")
    r = client.post(f"/api/v1/tickets/{t['id']}/requeue", headers=KIOSK)
    assert r.status_code == 200 and r.json()["progress_url"] is None


def test_a_wrong_secret_on_requeue_is_refused(client):
    t = issue(client, queue="A")
    r = client.post(
        f"/api/v1/tickets/{t['id']}/requeue", headers={**KIOSK, "X-Ticket-Secret": "x" * 22}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "invalid_ticket_secret"


def test_window_actions_return_no_secret(client):
    t = issue(client, queue="A", id_number=ID_NUMBER)
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    called = client.post("/api/v1/halls/demo/windows/S01/call-next", headers=clerk).json()
    assert called["ticket"]["id"] == t["id"] if "ticket" in called else called["id"] == t["id"]
    assert secret_of(t) not in str(called)
    context = client.get("/api/v1/halls/demo/windows/S01/context", headers=clerk).text
    assert secret_of(t) not in context


def test_the_outcome_notice_carries_the_qr_only_for_the_clerk_who_served(client):
    t = issue(client, queue="A", id_number=ID_NUMBER)
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    window(client, clerk, "S01", "call-next")
    window(client, clerk, "S01", "outcome", outcome="accepted")
    path = f"/api/v1/halls/demo/tickets/{t['id']}/notice?kind=accepted"
    assert client.get(path, headers=clerk).json()["progress_url"] == t["progress_url"]
    other = client.get(path, headers=login(client, "supervisor")).json()
    assert other["progress_url"] is None


def test_the_evaluator_rating_gets_no_secret(client):
    t = issue(client, queue="A", id_number=ID_NUMBER)
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    window(client, clerk, "S01", "call-next")
    window(client, clerk, "S01", "outcome", outcome="accepted")
    r = client.post(f"/api/v1/tickets/{t['id']}/evaluation", json={"level": 5}, headers=EVALUATOR)
    assert r.status_code == 200 and r.json()["progress_url"] is None
    assert r.json()["id_masked"] is None
