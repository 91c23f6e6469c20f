"""Idempotency-Key: a retried write returns the first result and changes nothing."""

from __future__ import annotations

import uuid

from tests.helpers import KIOSK, issue, login, window

TICKETS = "/api/v1/halls/demo/tickets"


def error(r) -> str:
    return r.json()["error"]["code"]


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def event_types(client) -> list[str]:
    r = client.get("/api/v1/halls/demo/events", params={"since": 0}, headers=KIOSK)
    return [e["type"] for e in r.json()["events"]]


def test_a_retried_issue_returns_the_first_ticket_and_issues_nothing_more(client):
    key = str(uuid.uuid4())
    first = client.post(TICKETS, json={"queue": "A"}, headers=keyed(KIOSK, key))
    again = client.post(TICKETS, json={"queue": "A"}, headers=keyed(KIOSK, key))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert event_types(client).count("ticket.issued") == 1
    assert issue(client, queue="A")["number"] == "A002"


def test_a_key_reused_with_another_body_or_route_is_refused(client):
    key = str(uuid.uuid4())
    assert client.post(TICKETS, json={"queue": "A"}, headers=keyed(KIOSK, key)).status_code == 201
    other = client.post(TICKETS, json={"queue": "B"}, headers=keyed(KIOSK, key))
    assert other.status_code == 422 and error(other) == "idempotency_key_reused"
    assert "。" in other.json()["error"]["message"] or "，" in other.json()["error"]["message"]
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    mine = client.post("/api/v1/halls/demo/windows/S01/call-next", headers=keyed(clerk, key))
    assert mine.status_code == 200  # another caller's key space
    moved = client.post(
        "/api/v1/halls/demo/windows/S01/outcome",
        json={"outcome": "accepted"},
        headers=keyed(clerk, key),
    )
    assert moved.status_code == 422 and error(moved) == "idempotency_key_reused"
    assert event_types(client).count("ticket.issued") == 1


def test_keys_belong_to_their_caller(client):
    key = str(uuid.uuid4())
    one, two = login(client, "clerk01"), login(client, "clerk02")
    window(client, one, "S01", "sign-in")
    window(client, two, "S02", "sign-in")
    issue(client, queue="A")
    issue(client, queue="A")
    a = client.post("/api/v1/halls/demo/windows/S01/call-next", headers=keyed(one, key))
    b = client.post("/api/v1/halls/demo/windows/S02/call-next", headers=keyed(two, key))
    assert a.status_code == b.status_code == 200
    assert a.json()["number"] != b.json()["number"]
    seen = client.get(f"/api/v1/halls/demo/idempotency/{key}", headers=two)
    assert seen.status_code == 200 and seen.json()["response"] == b.json()
    assert client.get(f"/api/v1/halls/demo/idempotency/{key}", headers=KIOSK).status_code == 404


def test_a_retried_call_and_outcome_call_once_and_finish_once(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    issue(client, queue="A")
    issue(client, queue="A")
    call, done = str(uuid.uuid4()), str(uuid.uuid4())
    url = "/api/v1/halls/demo/windows/S01"
    first = client.post(f"{url}/call-next", headers=keyed(clerk, call))
    again = client.post(f"{url}/call-next", headers=keyed(clerk, call))
    assert again.status_code == 200 and again.json() == first.json()
    body = {"outcome": "accepted"}
    ok = client.post(f"{url}/outcome", json=body, headers=keyed(clerk, done))
    retry = client.post(f"{url}/outcome", json=body, headers=keyed(clerk, done))
    assert retry.status_code == 200 and retry.json() == ok.json()
    assert event_types(client).count("ticket.called") == 1
    assert event_types(client).count("ticket.finished") == 1


def test_a_failed_request_is_not_remembered_and_its_retry_runs_again(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    key = str(uuid.uuid4())
    url = "/api/v1/halls/demo/windows/S01/call-next"
    empty = client.post(url, headers=keyed(clerk, key))
    assert empty.status_code == 404 and error(empty) == "no_waiting_ticket"
    issue(client, queue="A")
    assert client.post(url, headers=keyed(clerk, key)).status_code == 200


def test_keys_expire_after_a_day(client, clock):
    key = str(uuid.uuid4())
    first = client.post(TICKETS, json={"queue": "A"}, headers=keyed(KIOSK, key))
    clock.advance(hours=25)
    later = client.post(TICKETS, json={"queue": "A"}, headers=keyed(KIOSK, key))
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]


def test_a_malformed_key_is_refused(client):
    r = client.post(TICKETS, json={"queue": "A"}, headers=keyed(KIOSK, "x" * 65))
    assert r.status_code == 422 and error(r) == "invalid_idempotency_key"
    assert event_types(client).count("ticket.issued") == 0


def test_the_day_end_job_forgets_keys_older_than_a_day(client, clock):
    from server.app import run_housekeeping
    from server.store.tables import idempotency_keys

    client.post(TICKETS, json={"queue": "A"}, headers=keyed(KIOSK, str(uuid.uuid4())))
    services = client.app.state.services
    clock.advance(hours=25)
    run_housekeeping(services)
    with services.ctx.db.read() as conn:
        assert conn.execute(idempotency_keys.select()).all() == []


def test_concurrent_requests_with_one_key_wait_for_the_first_and_share_its_answer(client):
    from concurrent.futures import ThreadPoolExecutor

    key = str(uuid.uuid4())

    def post(_: int):
        return client.post(TICKETS, json={"queue": "A"}, headers=keyed(KIOSK, key))

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, range(8)))
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["id"] for r in answers}) == 1
    assert event_types(client).count("ticket.issued") == 1


def test_an_outcome_naming_a_ticket_that_is_no_longer_current_is_refused(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    first, second = issue(client, queue="A"), issue(client, queue="A")
    window(client, clerk, "S01", "call-next")
    r = window(client, clerk, "S01", "outcome", outcome="accepted", ticket=first["id"])
    assert r.status_code == 200
    window(client, clerk, "S01", "call-next")
    late = window(client, clerk, "S01", "outcome", outcome="accepted", ticket=first["number"])
    assert late.status_code == 409 and error(late) == "ticket_not_current"
    moved = window(client, clerk, "S01", "transfer", queue="B", ticket=first["id"])
    assert moved.status_code == 409 and error(moved) == "ticket_not_current"
    ok = window(client, clerk, "S01", "outcome", outcome="accepted", ticket=second["number"])
    assert ok.status_code == 200
