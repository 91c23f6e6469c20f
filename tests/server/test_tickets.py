"""Issuing, reading, 过号取号, cancelling and rating tickets through the HTTP API."""

import datetime as dt
from urllib.parse import parse_qs, urlparse

from tests.helpers import EVALUATOR, KIOSK, TZ, issue, login, valid_id, window


def secret_of(ticket: dict) -> str:
    return parse_qs(urlparse(ticket["progress_url"]).query)["s"][0]


def test_a_matter_routes_to_its_queue_and_the_stub_fields_are_all_there(client):
    t = issue(client, matter="bdc-mmgh", applicant_name="张三", id_number=valid_id())
    assert t["number"] == "B001" and t["queue"] == "B" and t["queue_name"] == "不动产登记"
    assert t["matter_name"] == "二手房买卖转移登记"
    assert t["windows"] == ["S13", "S14", "S15"]
    assert t["applicant_masked"] == "张*"
    assert t["id_masked"] == valid_id()[:6] + "****" + valid_id()[-4:]
    assert valid_id() not in str(t)
    assert t["waiting_ahead"] == 0 and t["status"] == "waiting"
    assert t["business_date"] == "2026-11-24"
    assert t["progress_url"].startswith("http://") and "/t/" in t["progress_url"]


def test_numbers_increase_per_queue_and_waiting_ahead_counts_the_line(client):
    a = [issue(client, queue="A") for _ in range(3)]
    b = issue(client, queue="B")
    assert [t["number"] for t in a] == ["A001", "A002", "A003"]
    assert b["number"] == "B001"
    assert [t["waiting_ahead"] for t in a] == [0, 1, 2]
    assert a[2]["estimated_wait_min"] > 0


def test_one_active_ticket_per_id_per_queue(client):
    first = issue(client, queue="A", id_number=valid_id())
    r = client.post(
        "/api/v1/halls/demo/tickets", json={"queue": "A", "id_number": valid_id()}, headers=KIOSK
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "id_limit_reached"
    # Whoever typed the ID number is not told which number its owner holds.
    assert first["number"] not in r.text
    assert issue(client, queue="B", id_number=valid_id())["number"] == "B001"


def test_green_channel_tickets_are_called_first(client):
    issue(client, queue="A")
    green = issue(client, queue="A", priority="green")
    assert green["priority"] == "green" and green["waiting_ahead"] == 0
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    assert window(client, clerk, "S01", "call-next").json()["number"] == green["number"]


def test_the_owner_reads_the_ticket_with_its_secret_and_strangers_cannot(client):
    t = issue(client, queue="A")
    ok = client.get(f"/api/v1/tickets/{t['id']}", params={"s": secret_of(t)})
    assert ok.status_code == 200 and ok.json()["number"] == t["number"]
    bad = client.get(f"/api/v1/tickets/{t['id']}", params={"s": "guess"})
    assert bad.status_code == 403
    assert client.get(f"/api/v1/tickets/{t['id']}").status_code == 403
    assert client.get(f"/api/v1/tickets/{t['id']}", headers=KIOSK).status_code == 200


def test_no_show_then_requeue_puts_the_ticket_behind_three_waiting(client, clock):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    first = issue(client, queue="A", id_number=valid_id())
    others = [issue(client, queue="A") for _ in range(5)]
    assert window(client, clerk, "S01", "call-next").json()["id"] == first["id"]
    skipped = window(client, clerk, "S01", "outcome", outcome="no_show").json()
    assert skipped["status"] == "no_show"
    # While the no-show may still be requeued it counts as active for the ID limit.
    r = client.post(
        "/api/v1/halls/demo/tickets", json={"queue": "A", "id_number": valid_id()}, headers=KIOSK
    )
    assert r.json()["error"]["code"] == "id_limit_reached"
    clock.advance(minutes=10)
    back = client.post(f"/api/v1/tickets/{first['id']}/requeue", headers=KIOSK)
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "waiting" and back.json()["waiting_ahead"] == 3
    assert back.json()["requeue_count"] == 1
    order = []
    for _ in range(6):
        order.append(window(client, clerk, "S01", "call-next").json()["id"])
        window(client, clerk, "S01", "outcome", outcome="accepted")
    assert order == [o["id"] for o in others[:3]] + [first["id"]] + [o["id"] for o in others[3:]]


def test_requeue_is_refused_after_the_time_limit_with_the_reason(client, clock):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    t = issue(client, queue="A")
    window(client, clerk, "S01", "call-next")
    window(client, clerk, "S01", "outcome", outcome="no_show")
    clock.advance(minutes=61)
    r = client.post(f"/api/v1/tickets/{t['id']}/requeue", headers=KIOSK)
    assert r.status_code == 409
    assert r.json()["error"]["detail"]["reason"] == "too_old"
    waiting = client.post(
        f"/api/v1/tickets/{issue(client, queue='A')['id']}/requeue", headers=KIOSK
    )
    assert waiting.json()["error"]["detail"]["reason"] == "not_no_show"


def test_kiosk_finds_a_ticket_by_number_only_with_the_matching_id(client):
    t = issue(client, queue="A", id_number=valid_id())
    found = client.post(
        "/api/v1/halls/demo/tickets/find",
        json={"number": "a001", "id_number": valid_id()},
        headers=KIOSK,
    )
    assert found.status_code == 200 and found.json()["id"] == t["id"]
    other = client.post(
        "/api/v1/halls/demo/tickets/find",
        json={"number": "A001", "id_number": valid_id(seq="999")},
        headers=KIOSK,
    )
    assert other.status_code == 403 and other.json()["error"]["code"] == "id_mismatch"


def test_cancel_and_a_single_rating_per_service(client):
    t = issue(client, queue="A")
    gone = client.post(f"/api/v1/tickets/{t['id']}/cancel", params={"s": secret_of(t)})
    assert gone.json()["status"] == "cancelled"
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    served = issue(client, queue="A")
    window(client, clerk, "S01", "call-next")
    window(client, clerk, "S01", "outcome", outcome="accepted")
    rated = client.post(
        f"/api/v1/tickets/{served['id']}/evaluation", json={"level": 5}, headers=EVALUATOR
    )
    assert rated.status_code == 200 and rated.json()["evaluation_level"] == 5
    again = client.post(
        f"/api/v1/tickets/{served['id']}/evaluation",
        json={"level": 1},
        params={"s": secret_of(served)},
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_evaluated"


def test_numbering_restarts_on_the_next_business_day_and_old_tickets_expire(make_client, clock):
    client = make_client(clock)
    old = issue(client, queue="A")
    issue(client, queue="A")
    clock.advance(days=1)
    restarted = make_client(clock)  # the day-end runs at start and on the server's ticker
    fresh = issue(restarted, queue="A")
    assert fresh["number"] == "A001" and fresh["business_date"] == "2026-11-25"
    expired = restarted.get(f"/api/v1/tickets/{old['id']}", headers=KIOSK).json()
    assert expired["status"] == "expired"


def test_appointment_check_in_within_the_slot_gives_appointment_priority(client, clock):
    online = {"Authorization": "Bearer demo-online"}
    slot = dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
    booked = client.post(
        "/api/v1/halls/demo/appointments",
        headers=online,
        json={
            "queue": "B",
            "slot": slot.isoformat(),
            "applicant_name": "李四",
            "id_number": valid_id(),
            "phone": "13800000000",
        },
    )
    assert booked.status_code == 201, booked.text
    code = booked.json()["code"]
    early = client.post(
        "/api/v1/halls/demo/tickets", headers=KIOSK, json={"queue": "B", "appointment_code": code}
    )
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "appointment_too_early"
    walk_in = issue(client, queue="B")
    clock.advance(minutes=50)  # 09:50, within 15 minutes of the slot
    t = issue(client, queue="B", appointment_code=code)
    assert t["priority"] == "appointment" and t["applicant_masked"] == "李*"
    clerk = login(client, "clerk13")
    window(client, clerk, "S13", "sign-in")
    assert window(client, clerk, "S13", "call-next").json()["id"] == t["id"]
    assert walk_in["number"] == "B001"
    reuse = client.post(
        "/api/v1/halls/demo/tickets", headers=KIOSK, json={"queue": "B", "appointment_code": code}
    )
    assert reuse.json()["error"]["code"] == "appointment_used"


def test_a_full_appointment_slot_is_refused(client):
    online = {"Authorization": "Bearer demo-online"}
    slot = dt.datetime(2026, 11, 24, 14, 0, tzinfo=TZ).isoformat()
    for i in range(4):  # capacity of queue B in the demo hall
        r = client.post(
            "/api/v1/halls/demo/appointments",
            headers=online,
            json={
                "queue": "B",
                "slot": slot,
                "applicant_name": "王五",
                "id_number": valid_id(seq=f"{i:03d}"),
            },
        )
        assert r.status_code == 201
    full = client.post(
        "/api/v1/halls/demo/appointments",
        headers=online,
        json={"queue": "B", "slot": slot, "applicant_name": "王五", "id_number": valid_id()},
    )
    assert full.status_code == 409 and full.json()["error"]["code"] == "appointment_full"


def book(client, slot: dt.datetime, id_number: str, queue: str = "B"):
    return client.post(
        "/api/v1/halls/demo/appointments",
        headers={"Authorization": "Bearer demo-online"},
        json={
            "queue": queue,
            "slot": slot.isoformat(),
            "applicant_name": "李四",
            "id_number": id_number,
        },
    )


def test_an_appointment_code_alone_issues_the_ticket_in_the_booked_queue(client, clock):
    booked = book(client, dt.datetime(2026, 11, 24, 9, 0, tzinfo=TZ), valid_id())
    assert booked.status_code == 201, booked.text
    clock.advance(minutes=5)
    t = issue(client, appointment_code=booked.json()["code"].lower())
    assert t["queue"] == "B" and t["number"] == "B001" and t["priority"] == "appointment"
    r = client.post(
        "/api/v1/halls/demo/tickets", headers=KIOSK, json={"appointment_code": "NOSUCHCD"}
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_appointment"


def test_one_id_books_one_appointment_per_queue_and_day(client):
    morning = dt.datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
    assert book(client, morning, valid_id()).status_code == 201
    again = book(client, morning + dt.timedelta(hours=5), valid_id())
    assert again.status_code == 409, again.text
    err = again.json()["error"]
    assert err["code"] == "appointment_exists" and "10:00" in err["message"]
    assert "每天只能预约一次" in err["message"]
    assert book(client, morning + dt.timedelta(days=1), valid_id()).status_code == 201
    assert book(client, morning, valid_id(), queue="A").status_code == 201
    assert book(client, morning, valid_id(seq="124")).status_code == 201


def test_an_id_number_born_after_today_is_refused_by_the_hall_clock(client, clock):
    born_tomorrow = valid_id("20261125")
    r = client.post(
        "/api/v1/halls/demo/tickets", headers=KIOSK, json={"queue": "A", "id_number": born_tomorrow}
    )
    assert r.status_code == 422 and "晚于今天" in r.json()["error"]["message"]
    clock.advance(days=1)
    masked = issue(client, queue="A", id_number=born_tomorrow)["id_masked"]
    assert masked == f"{born_tomorrow[:6]}****{born_tomorrow[-4:]}"


def test_a_15_digit_id_number_is_the_same_person_as_its_18_digit_form(client):
    first = issue(client, queue="A", id_number="110105900101100")
    again = {"queue": "A", "id_number": "110105199001011005"}
    r = client.post("/api/v1/halls/demo/tickets", json=again, headers=KIOSK)
    assert r.status_code == 409 and r.json()["error"]["code"] == "id_limit_reached"
    assert first["number"] not in r.text
    assert first["id_masked"] == "110105****1005"
    find = {"number": first["number"], "id_number": "110105199001011005"}
    assert (
        client.post("/api/v1/halls/demo/tickets/find", json=find, headers=KIOSK).status_code == 200
    )
