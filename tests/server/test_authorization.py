"""Who may do what: every API route × every role and device token, plus nobody."""

from __future__ import annotations

import datetime as dt

import pytest

from server.config import DEMO_HALL_FILE
from server.security import token_hash
from tests.helpers import (
    KIOSK,
    TZ,
    api_operations,
    issue,
    login,
    second_hall,
    valid_id,
    window,
)

DEVICES = {
    "kiosk": "demo-kiosk",
    "display": "demo-display",
    "evaluator": "demo-evaluator",
    "online": "demo-online",
}
PEOPLE = ("clerk", "supervisor", "admin", "security", "auditor")
EVERYONE = {"nobody", *DEVICES, *PEOPLE}
STAFF = {"clerk", "supervisor", "admin"}
DUTY_ONLY = {"security", "auditor"}  # 三员分立 (issue 19): their own routes and nothing else
SUPERVISORS = {"supervisor", "admin"}
WINDOW_ACTIONS = (
    "call-next",
    "call",
    "recall",
    "outcome",
    "transfer",
    "pause",
    "resume",
    "walk-in",
)

# (method, path) -> who is let through (a 4xx other than 401/403 still counts as let through)
MATRIX: dict[tuple[str, str], set[str]] = {
    ("POST", "/api/v1/auth/login"): EVERYONE,
    ("POST", "/api/v1/auth/logout"): EVERYONE - {"nobody"},
    ("GET", "/api/v1/auth/me"): EVERYONE - {"nobody"},
    ("GET", "/api/v1/halls/{hall}"): EVERYONE - {"nobody"} - DUTY_ONLY,
    ("POST", "/api/v1/halls/{hall}/tickets"): {"kiosk", *STAFF},
    ("POST", "/api/v1/halls/{hall}/tickets/find"): {"kiosk", *STAFF},
    ("POST", "/api/v1/halls/{hall}/appointments"): {"online", "kiosk", *STAFF},
    ("POST", "/api/v1/halls/{hall}/devices/{device}/status"): {
        "kiosk",
        "display",
        "evaluator",
        *SUPERVISORS,
    },
    ("GET", "/api/v1/halls/{hall}/events"): EVERYONE - {"nobody"} - DUTY_ONLY,
    ("GET", "/api/v1/tickets/{ticket_id}"): {"kiosk", "display", *STAFF},
    ("POST", "/api/v1/tickets/{ticket_id}/requeue"): {"kiosk", *STAFF},
    ("POST", "/api/v1/tickets/{ticket_id}/cancel"): STAFF,
    ("POST", "/api/v1/tickets/{ticket_id}/evaluation"): {"evaluator"},
    ("PUT", "/api/v1/halls/{hall}/windows/{code}/queues"): {"supervisor", "admin"},
    # clerk pads (issue 5)
    ("GET", "/api/v1/halls/{hall}/windows/{code}/context"): STAFF,
    ("GET", "/api/v1/halls/{hall}/rejection-reasons"): STAFF,
    ("GET", "/api/v1/halls/{hall}/windows"): STAFF,
    ("GET", "/api/v1/halls/{hall}/tickets/{ticket_id}/notice"): STAFF,
    # the hall announcer's lease (issue 6)
    ("GET", "/api/v1/halls/{hall}/leases/{name}"): {"display", *STAFF},
    ("PUT", "/api/v1/halls/{hall}/leases/{name}"): {"display"},
    ("DELETE", "/api/v1/halls/{hall}/leases/{name}"): {"display", "supervisor", "admin"},
    # what happened to a write sent with an Idempotency-Key (issue 13), the caller's own keys
    ("GET", "/api/v1/halls/{hall}/idempotency/{key}"): EVERYONE - {"nobody"} - DUTY_ONLY,
    # 等保 2.0 (issue 19): the audit trail, security settings, passwords, a person's records
    ("GET", "/api/v1/halls/{hall}/audit"): {"auditor"},
    ("GET", "/api/v1/halls/{hall}/audit/export.{fmt}"): {"auditor"},
    ("GET", "/api/v1/halls/{hall}/security-settings"): {"security"},
    ("PUT", "/api/v1/halls/{hall}/security-settings"): {"security"},
    ("POST", "/api/v1/auth/password"): set(PEOPLE),
    ("POST", "/api/v1/halls/{hall}/person/records"): SUPERVISORS,
    ("POST", "/api/v1/halls/{hall}/person/records.pdf"): SUPERVISORS,
    ("POST", "/api/v1/halls/{hall}/person/erase"): SUPERVISORS,
    # the citizen's own actions (issue 16): the owner secret, or the kiosk (and staff) for them
    ("POST", "/api/v1/tickets/{ticket_id}/phone"): {"kiosk", *STAFF},
    ("DELETE", "/api/v1/tickets/{ticket_id}/phone"): {"kiosk", *STAFF},
    ("POST", "/api/v1/tickets/{ticket_id}/step-back"): {"kiosk", *STAFF},
    ("POST", "/api/v1/tickets/{ticket_id}/away"): {"kiosk", *STAFF},
    ("POST", "/api/v1/tickets/{ticket_id}/back"): {"kiosk", *STAFF},
    ("GET", "/api/v1/tickets/{ticket_id}/stream"): set(),  # the owner secret only
    # cases after 受理 (issue 18); department users and integrations: tests/server/test_cases.py
    ("GET", "/api/v1/halls/{hall}/cases/{case_no}"): STAFF,
    ("POST", "/api/v1/halls/{hall}/cases/{case_no}/steps"): STAFF,
    ("GET", "/api/v1/halls/{hall}/tickets/{ticket_id}/case"): STAFF,
    ("PUT", "/api/v1/tickets/{ticket_id}/case"): STAFF,
    ("GET", "/api/v1/halls/{hall}/cases/{case_no}/documents/{kind}"): STAFF,
}
# supervisor statistics, exports and the anomaly report (issue 7)
for path in (
    "stats",
    "stats/export.csv",
    "stats/export.xlsx",
    "anomalies",
    "anomalies.html",
    "anomalies.xlsx",
    "charts/{name}.svg",
    "overview",
    "staffing",
    "reported-volumes",
    "reported-volumes/template.xlsx",
):
    MATRIX[("GET", f"/api/v1/halls/{{hall}}/{path}")] = SUPERVISORS
MATRIX[("PUT", "/api/v1/halls/{hall}/reported-volumes")] = SUPERVISORS
# 追评 (issue 15): the evaluator or the ticket's secret, never staff；差评整改：supervisors
MATRIX[("POST", "/api/v1/tickets/{ticket_id}/evaluation/followup")] = {"evaluator"}
MATRIX[("GET", "/api/v1/halls/{hall}/followups")] = SUPERVISORS
MATRIX[("GET", "/api/v1/halls/{hall}/followups/{item_id}")] = SUPERVISORS
for step in ("callback", "rectification", "close"):
    MATRIX[("POST", f"/api/v1/halls/{{hall}}/followups/{{item_id}}/{step}")] = SUPERVISORS
MATRIX[("POST", "/api/v1/halls/{hall}/reported-volumes/upload")] = SUPERVISORS
for action in ("sign-in", "sign-out"):
    MATRIX[("POST", f"/api/v1/halls/{{hall}}/windows/{{code}}/{action}")] = STAFF
for action in WINDOW_ACTIONS:  # staff signed in at the window (see the test below)
    MATRIX[("POST", f"/api/v1/halls/{{hall}}/windows/{{code}}/{action}")] = STAFF
# the event outbox's subscribers (issue 15)
for method, path in (
    ("GET", ""),
    ("POST", ""),
    ("PATCH", "/{name}"),
    ("DELETE", "/{name}"),
    ("POST", "/{name}/pause"),
    ("POST", "/{name}/resume"),
    ("POST", "/{name}/replay"),
    ("GET", "/{name}/status"),
):
    MATRIX[(method, f"/api/v1/halls/{{hall}}/subscribers{path}")] = SUPERVISORS

BODIES = {
    "/tickets": {"queue": "A"},
    "/tickets/find": {"number": "A001"},
    "/appointments": {
        "queue": "B",
        "slot": dt.datetime(2026, 11, 24, 15, 0, tzinfo=TZ).isoformat(),
        "applicant_name": "李四",
        "id_number": valid_id(),
    },
    "/status": {"status": "ok"},
    "/evaluation": {"level": 5},
    "/evaluation/followup": {"level": 5},
    "/callback": {"reached": True, "note": "已电话回访"},
    "/rectification": {"note": "已整改"},
    "/call": {"ticket": "A001"},
    "/outcome": {"outcome": "accepted"},
    "/transfer": {"queue": "B"},
    "/queues": {"queues": ["A"]},
    "/walk-in": {"outcome": "accepted"},
    "/login": {"username": "clerk02", "password": "demo1234"},
    "/leases/{name}": {"holder": "matrix", "ttl_seconds": 30},
    "/security-settings": {"settings": {"idle_minutes": 20}},
    "/password": {"old_password": "demo1234", "new_password": "weak"},
    "/records": {"id_number": valid_id()},
    "/records.pdf": {"id_number": valid_id()},
    "/erase": {"id_number": valid_id()},
    "/phone": {"phone": "13912345678"},
    "/step-back": {"places": 1},
    "/away": {"minutes": 5},
    "/subscribers": {"name": "matrix", "url": "http://x.test/", "secret": "s" * 16},
    "/replay": {"from_seq": 1},
    "/subscribers/{name}": {"events": ["*"]},
    "/steps": {"step": "sign"},
    "/case": {"case_no": "MATRIX-0001"},
}


def test_every_api_route_is_in_the_matrix(client):
    operations = api_operations(client.app)
    assert len(operations) > 30, "found too few routes to mean anything"
    missing = operations - set(MATRIX)
    assert not missing, f"add these routes to the authorization matrix: {sorted(missing)}"


@pytest.mark.parametrize("who", sorted(EVERYONE))
def test_each_principal_may_do_exactly_what_the_matrix_says(client, who):
    headers = headers_for(client, who)
    ticket = issue(client, queue="A")
    paths = {
        "{hall}": "demo",
        "{code}": "S01",
        "{ticket_id}": ticket["id"],
        "{device}": {"kiosk": "kiosk-1", "evaluator": "evaluator-1"}.get(who, "display-1"),
        "{name}": "announcer",
        "{item_id}": "1",
        "{fmt}": "csv",
    }
    # Signing out ends the window and logging out the session, so they go last.
    order = sorted(
        MATRIX.items(),
        key=lambda kv: (kv[0][1].endswith("/logout"), kv[0][1].endswith("/sign-out"), kv[0]),
    )
    for (method, template), allowed in order:
        path = template
        for key, value in paths.items():
            path = path.replace(key, value)
        body = next((b for suffix, b in BODIES.items() if template.endswith(suffix)), None)
        r = client.request(method, path, json=body, headers=headers)
        refused = r.status_code in (401, 403)
        assert refused == (who not in allowed), (who, method, template, r.status_code, r.text)
        assert r.status_code < 500


def headers_for(client, who: str) -> dict[str, str]:
    if who == "nobody":
        return {}
    if who in DEVICES:
        return {"Authorization": f"Bearer {DEVICES[who]}"}
    user = {"clerk": "clerk01"}.get(who, who)
    headers = login(client, user)
    window(client, headers, "S01", "sign-in")
    return headers


@pytest.mark.parametrize("who", sorted(STAFF))
def test_staff_not_signed_in_at_the_window_may_not_work_it(client, who):
    owner = login(client, "clerk05")
    window(client, owner, "S01", "sign-in")
    issue(client, queue="A")
    window(client, owner, "S01", "call-next")
    other = login(client, {"clerk": "clerk01", "supervisor": "supervisor", "admin": "admin"}[who])
    for action in WINDOW_ACTIONS:
        body = next((b for suffix, b in BODIES.items() if suffix == f"/{action}"), None)
        r = client.post(f"/api/v1/halls/demo/windows/S01/{action}", json=body, headers=other)
        assert r.status_code == 403 and r.json()["error"]["code"] == "not_signed_in", action


def test_sessions_expire_and_then_nothing_is_allowed(client, clock):
    clerk = login(client)
    assert client.get("/api/v1/auth/me", headers=clerk).status_code == 200
    clock.advance(hours=12, minutes=1)
    r = client.get("/api/v1/auth/me", headers=clerk)
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"


def test_a_logged_out_token_is_dead_at_once(client):
    clerk = login(client)
    client.post("/api/v1/auth/logout", headers=clerk)
    assert client.get("/api/v1/auth/me", headers=clerk).status_code == 401


def test_a_session_ended_by_another_worker_stops_the_pads_next_call_at_once(client):
    """The hot routes read the session on every request too (on PostgreSQL in a greenlet)."""
    issue(client, queue="A")
    clerk = login(client)
    assert window(client, clerk, "S01", "sign-in").status_code == 200
    token = clerk["Authorization"].removeprefix("Bearer ")
    with client.app.state.services.ctx.units.write() as repos:  # a logout elsewhere
        repos.sessions.end(token_hash(token))
    r = window(client, clerk, "S01", "call-next")
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_token"
    assert issue(client, queue="A")["number"] == "A002"  # the hall goes on


def test_a_ticket_secret_is_long_random_and_bound_to_its_ticket(client):
    first, second = issue(client, queue="A"), issue(client, queue="A")
    s1 = first["progress_url"].split("s=")[1]
    assert len(s1) >= 22  # 128 bits, base64url
    assert client.get(f"/api/v1/tickets/{second['id']}", params={"s": s1}).status_code == 403
    assert client.get(f"/api/v1/tickets/{first['id']}", params={"s": s1}).status_code == 200


def test_cors_is_closed_by_default(client):
    r = client.options(
        "/api/v1/halls/demo",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in r.headers
    r = client.get("/api/v1/halls/demo", headers={**KIOSK, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_pages_and_api_carry_security_headers(client):
    for path in ("/", "/api/v1/halls/demo"):
        r = client.get(path, headers=KIOSK)
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_an_unknown_hall_is_404_and_a_hall_the_caller_may_not_use_is_403(
    make_client, clock, tmp_path
):
    client = make_client(clock, halls=[DEMO_HALL_FILE, second_hall(tmp_path)])
    supervisor = login(client, "supervisor")
    for hall, status, code in [("nohall", 404, "unknown_hall"), ("east", 403, "other_hall")]:
        requests = [
            client.get(f"/api/v1/halls/{hall}", headers=supervisor),
            client.post(f"/api/v1/halls/{hall}/tickets", json={"queue": "A"}, headers=KIOSK),
            client.post(f"/api/v1/halls/{hall}/windows/S01/sign-in", headers=supervisor),
        ]
        for r in requests:
            assert r.status_code == status and r.json()["error"]["code"] == code, r.text
    east = {"Authorization": "Bearer east-kiosk"}
    r = client.post("/api/v1/halls/east/tickets", json={"queue": "A"}, headers=east)
    assert r.status_code == 201 and r.json()["hall"] == "east"
    assert client.get("/api/v1/halls/nohall").status_code == 401  # who first, then where


def test_a_device_status_comes_from_the_device_itself_or_a_supervisor_not_a_clerk(client):
    path = "/api/v1/halls/demo/devices/kiosk-1.printer/status"
    r = client.post(path, json={"status": "paper_out"}, headers=KIOSK)
    assert r.status_code == 200 and r.json()["status"] == "paper_out"
    r = client.post(path, json={"status": "ok"}, headers=login(client, "clerk01"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    display = {"Authorization": "Bearer demo-display"}
    r = client.post(path, json={"status": "ok"}, headers=display)
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_your_device"
    devices = client.get("/api/v1/halls/demo/events", headers=KIOSK).json()["snapshot"]["devices"]
    assert {d["id"]: d["status"] for d in devices}["kiosk-1.printer"] == "paper_out"
    r = client.post(path, json={"status": "ok"}, headers=login(client, "supervisor"))
    assert r.status_code == 200 and r.json()["status"] == "ok"
