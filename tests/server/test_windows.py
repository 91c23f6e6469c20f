"""The clerk pad's buttons through the HTTP API."""

from tests.helpers import DISPLAY, KIOSK, TZ, issue, login, window


def error(r) -> str:
    return r.json()["error"]["code"]


def test_a_clerk_must_be_signed_in_at_the_window_to_act(client):
    clerk = login(client)
    other = login(client, "clerk02")
    issue(client, queue="A")
    assert error(window(client, clerk, "S01", "call-next")) == "not_signed_in"
    window(client, clerk, "S01", "sign-in")
    r = window(client, other, "S01", "call-next")
    assert r.status_code == 403 and error(r) == "not_signed_in"
    taken = window(client, other, "S01", "sign-in")
    assert taken.status_code == 409 and error(taken) == "window_taken"
    assert error(window(client, clerk, "S02", "sign-in")) == "already_signed_in"


def test_an_outcome_is_required_before_the_next_call_and_only_after_a_call(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    r = window(client, clerk, "S01", "outcome", outcome="accepted")
    assert r.status_code == 409 and error(r) == "nothing_called"
    issue(client, queue="A")
    issue(client, queue="A")
    window(client, clerk, "S01", "call-next")
    r = window(client, clerk, "S01", "call-next")
    assert r.status_code == 409 and error(r) == "outcome_required"
    bad = window(client, clerk, "S01", "outcome", outcome="done")
    assert bad.status_code == 422 and error(bad) == "invalid_outcome"
    no_reason = window(client, clerk, "S01", "outcome", outcome="rejected")
    assert no_reason.status_code == 422 and error(no_reason) == "reason_required"
    ok = window(client, clerk, "S01", "outcome", outcome="rejected", reason="材料不齐")
    assert ok.json()["outcome"] == "rejected"
    second = window(client, clerk, "S01", "outcome", outcome="accepted")
    assert error(second) == "nothing_called"


def test_call_next_on_an_empty_queue_is_404_no_waiting_ticket(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    r = window(client, clerk, "S01", "call-next")
    assert r.status_code == 404 and error(r) == "no_waiting_ticket"
    assert "等候" in r.json()["error"]["message"]


def test_recall_counts_and_suggests_no_show_after_the_limit(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    issue(client, queue="A")
    window(client, clerk, "S01", "call-next")
    results = [window(client, clerk, "S01", "recall").json() for _ in range(3)]
    assert [r["recalls"] for r in results] == [1, 2, 3]
    assert [r["suggest_no_show"] for r in results] == [False, False, True]
    assert results[-1]["call_count"] == 4


def test_call_a_specific_ticket_by_number(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    issue(client, queue="A")
    second = issue(client, queue="A")
    r = window(client, clerk, "S01", "call", ticket="A002")
    assert r.json()["id"] == second["id"]
    window(client, clerk, "S01", "outcome", outcome="consulted")
    elsewhere = issue(client, queue="B")
    r = window(client, clerk, "S01", "call", ticket=elsewhere["number"])
    assert error(r) == "ticket_not_served_here"


def test_transfer_to_a_window_is_called_first_there(client):
    a, b = login(client), login(client, "clerk13")
    window(client, a, "S01", "sign-in")
    window(client, b, "S13", "sign-in")
    t = issue(client, queue="A")
    issue(client, queue="B")
    window(client, a, "S01", "call-next")
    moved = window(client, a, "S01", "transfer", window="S13", note="需办理不动产").json()
    assert moved["status"] == "waiting" and moved["queue"] == "B" and moved["number"] == "A001"
    assert window(client, b, "S13", "call-next").json()["id"] == t["id"]
    r = window(client, a, "S01", "transfer", queue="B")
    assert error(r) == "nothing_called"


def test_the_transfer_note_reaches_the_receiving_clerk_and_no_screen_or_kiosk(client):
    a, b = login(client), login(client, "clerk13")
    window(client, a, "S01", "sign-in")
    window(client, b, "S13", "sign-in")
    t = issue(client, queue="A", applicant_name="张三丰")
    window(client, a, "S01", "call-next")
    note = "张三丰 需补交不动产权证书原件"
    window(client, a, "S01", "transfer", window="S13", note=note)
    window(client, b, "S13", "call-next")
    context = client.get("/api/v1/halls/demo/windows/S13/context", headers=b).json()
    assert context["current"]["number"] == "A001"
    assert context["current"]["transfer_note"] == note
    staff = client.get(f"/api/v1/tickets/{t['id']}", headers=b).json()
    assert staff["transfer_note"] == note
    for device in (DISPLAY, KIOSK):
        log = client.get("/api/v1/halls/demo/events", params={"since": 0}, headers=device)
        moved = [e for e in log.json()["events"] if e["type"] == "ticket.transferred"]
        assert moved and moved[0]["to_window"] == "S13"
        assert note not in log.text and "note" not in moved[0]
    snapshot = client.get("/api/v1/halls/demo/events", headers=DISPLAY).text
    assert note not in snapshot


def test_a_transfer_to_a_window_that_does_not_serve_the_queue_is_refused(client):
    a = login(client)
    window(client, a, "S01", "sign-in")
    issue(client, queue="A")
    window(client, a, "S01", "call-next")
    r = window(client, a, "S01", "transfer", queue="G", window="S13")
    assert r.status_code == 422 and error(r) == "queue_not_served_by_window"
    assert (
        r.json()["error"]["message"]
        == "S13 13号窗口 不办理 G 公积金 业务（该窗口办理：B 不动产登记）"
    )
    assert r.json()["error"]["detail"] == {"window": "S13", "queue": "G", "served": ["B"]}
    context = client.get("/api/v1/halls/demo/windows/S01/context", headers=a).json()
    assert context["current"]["number"] == "A001"  # still called here, nothing moved
    window(client, login(client, "clerk13"), "S13", "sign-in")  # only open windows receive
    ok = window(client, a, "S01", "transfer", queue="B", window="S13")
    assert ok.status_code == 200 and ok.json()["queue"] == "B"


def test_pause_shows_the_reason_and_blocks_calls_until_resume(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    paused = window(client, clerk, "S01", "pause", reason="午休").json()
    assert paused["status"] == "paused" and paused["paused_reason"] == "午休"
    issue(client, queue="A")
    assert error(window(client, clerk, "S01", "call-next")) == "window_paused"
    assert window(client, clerk, "S01", "resume").json()["status"] == "open"
    assert window(client, clerk, "S01", "call-next").status_code == 200


def test_pausing_a_paused_window_answers_its_state_and_announces_nothing_again(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    first = window(client, clerk, "S01", "pause", reason="午休")
    again = window(client, clerk, "S01", "pause", reason="开会")
    assert again.status_code == 200 and again.json() == first.json()
    assert again.json()["paused_reason"] == "午休"
    events = client.get("/api/v1/halls/demo/events", params={"since": 0}, headers=DISPLAY)
    types = [e["type"] for e in events.json()["events"]]
    assert types.count("window.paused") == 1


def test_signing_out_with_a_called_ticket_pauses_the_window(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    issue(client, queue="A")
    window(client, clerk, "S01", "call-next")
    out = window(client, clerk, "S01", "sign-out").json()
    assert out["status"] == "paused" and out["current_number"] == "A001"
    window(client, clerk, "S01", "outcome", outcome="accepted")
    assert window(client, clerk, "S01", "sign-out").json()["status"] == "closed"


def test_a_supervisor_changes_a_tidal_window_and_clerks_cannot(client):
    sup, clerk = login(client, "supervisor"), login(client)
    r = client.put("/api/v1/halls/demo/windows/S26/queues", json={"queues": ["B"]}, headers=clerk)
    assert r.status_code == 403
    r = client.put(
        "/api/v1/halls/demo/windows/S26/queues", json={"queues": ["B", "A"]}, headers=sup
    )
    assert r.status_code == 200 and r.json()["queues"] == ["B", "A"]
    bad = client.put("/api/v1/halls/demo/windows/S26/queues", json={"queues": ["X"]}, headers=sup)
    assert bad.status_code == 422


def test_the_tidal_schedule_switches_s26_to_b_in_the_afternoon(make_client, clock):
    import datetime as dt

    from server.services.dayend import apply_schedules

    client = make_client(clock)
    hall = client.get("/api/v1/halls/demo", headers=login(client)).json()
    s26 = next(w for w in hall["windows"] if w["code"] == "S26")
    assert s26["queues"] == ["A"]
    clock.now = dt.datetime(2026, 11, 24, 12, 5, tzinfo=TZ)
    assert apply_schedules(client.app.state.services.ctx, "demo") == ["S26"]
    assert apply_schedules(client.app.state.services.ctx, "demo") == []
    hall = client.get("/api/v1/halls/demo", headers=login(client)).json()
    s26 = next(w for w in hall["windows"] if w["code"] == "S26")
    assert s26["queues"] == ["B"]


def test_walk_ins_are_recorded_for_the_anomaly_report(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    r = window(client, clerk, "S01", "walk-in", outcome="accepted", matter="qy-sl")
    assert r.status_code == 201 and r.json()["recorded"] is True
    assert error(window(client, clerk, "S01", "walk-in", outcome="no_show")) == "invalid_outcome"


def test_repeated_wrong_passwords_are_throttled_but_good_logins_are_not(client):
    for _ in range(12):
        login(client, "clerk05")
    for _ in range(5):
        r = client.post("/api/v1/auth/login", json={"username": "clerk07", "password": "x"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "login_failed"
    r = client.post("/api/v1/auth/login", json={"username": "clerk07", "password": "demo1234"})
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_attempts"
    assert r.headers["Retry-After"] == "1"


def test_the_hall_layout_shows_what_each_window_is_serving(client):
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    issue(client, queue="A")
    window(client, clerk, "S01", "call-next")
    hall = client.get("/api/v1/halls/demo", headers=clerk).json()
    s01 = next(w for w in hall["windows"] if w["code"] == "S01")
    assert s01["status"] == "open" and s01["current_number"] == "A001"
    assert hall["waiting_counts"]["A"] == 0
