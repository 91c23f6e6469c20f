"""More of who may do what: the ticket owner's secret, the live feed, a second hall, web pages.

`test_authorization.py` holds the route × caller matrix; this file adds the callers and
surfaces the matrix does not reach.
"""

from __future__ import annotations

import pytest
from starlette.websockets import WebSocketDisconnect

from server.config import DEMO_HALL_FILE
from tests.helpers import api_operations, issue, login, window
from tests.server.other_hall import write_other_hall
from tests.server.test_authorization import BODIES, DEVICES, MATRIX, PEOPLE, STAFF

USERS = {
    "clerk": "clerk01",
    "supervisor": "supervisor",
    "admin": "admin",
    "security": "security",
    "auditor": "auditor",
}
LIVE_ADMITTED = {"kiosk", "display", "evaluator", *STAFF}
QUERIES = {"notice": {"kind": "accepted"}}  # required query parameters, by last path segment


def secret_of(ticket: dict) -> str:
    return ticket["progress_url"].split("s=")[1]


def code(response) -> str:
    return response.json()["error"]["code"]


def finished_ticket(client) -> dict:
    """A ticket that clerk01 called and accepted at S01 (so it can be rated)."""
    ticket = issue(client, queue="A")
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    assert window(client, clerk, "S01", "call-next").json()["id"] == ticket["id"]
    assert window(client, clerk, "S01", "outcome", outcome="accepted").status_code == 200
    return ticket


# --- the ticket owner: the secret printed in the stub's QR code ----------------------------


@pytest.mark.parametrize("how", ["query", "header"])
def test_the_owner_secret_opens_reads_rates_and_cancels_its_ticket(client, how):
    def owner(ticket: dict) -> dict:
        secret = secret_of(ticket)
        if how == "query":
            return {"params": {"s": secret}}
        return {"headers": {"X-Ticket-Secret": secret}}

    rated = finished_ticket(client)
    r = client.get(f"/api/v1/tickets/{rated['id']}", **owner(rated))
    assert r.status_code == 200 and r.json()["number"] == rated["number"]
    assert "phone_masked" not in r.json()  # the owner gets the public view, not the staff one
    url = f"/api/v1/tickets/{rated['id']}/evaluation"
    assert client.post(url, json={"level": 5}, **owner(rated)).status_code == 200
    r = client.post(url, json={"level": 4}, **owner(rated))
    assert r.status_code == 409 and code(r) == "already_evaluated"  # let through, once only
    waiting = issue(client, queue="A")
    r = client.post(f"/api/v1/tickets/{waiting['id']}/cancel", **owner(waiting))
    assert r.status_code == 200 and r.json()["status"] == "cancelled"


@pytest.mark.parametrize("secret", ["wrong", None, "x" * 22])
def test_a_wrong_or_missing_secret_opens_nothing(client, secret):
    ticket = finished_ticket(client)
    params = {"s": secret} if secret else {}
    base = f"/api/v1/tickets/{ticket['id']}"
    for method, path, body in (
        ("GET", "", None),
        ("POST", "/evaluation", {"level": 1}),
        ("POST", "/cancel", None),
    ):
        r = client.request(method, base + path, params=params, json=body)
        assert r.status_code == 403 and code(r) == "invalid_ticket_secret", (path, r.text)
    staff = login(client, "supervisor")
    assert client.get(base, headers=staff).json()["evaluation_level"] is None  # nothing rated


def test_the_secret_of_one_ticket_does_not_open_another(client):
    first, second = finished_ticket(client), issue(client, queue="A")
    wrong = {"s": secret_of(first)}
    for method, path, body in (
        ("GET", "", None),
        ("POST", "/evaluation", {"level": 1}),
        ("POST", "/cancel", None),
    ):
        r = client.request(method, f"/api/v1/tickets/{second['id']}{path}", params=wrong, json=body)
        assert r.status_code == 403 and code(r) == "invalid_ticket_secret", path


# --- the live feed -------------------------------------------------------------------------


def live_token(client, who: str) -> str | None:
    if who == "nobody":
        return None
    if who in DEVICES:
        return DEVICES[who]
    return login(client, USERS[who])["Authorization"].split()[1]


@pytest.mark.parametrize("who", sorted({"nobody", *DEVICES, *PEOPLE}))
def test_the_live_feed_admits_exactly_devices_and_staff_of_the_hall(client, who):
    token = live_token(client, who)
    url = "/api/v1/halls/demo/live" + (f"?token={token}" if token else "")
    if who in LIVE_ADMITTED:
        with client.websocket_connect(url) as ws:
            assert ws.receive_json()["type"] == "snapshot"
        return
    with pytest.raises(WebSocketDisconnect) as err, client.websocket_connect(url) as ws:
        ws.receive_json()
    assert err.value.code == 4401


def test_the_live_feed_takes_the_token_from_the_authorization_header_too(client):
    headers = login(client, "clerk02")
    with client.websocket_connect("/api/v1/halls/demo/live", headers=headers) as ws:
        assert ws.receive_json()["type"] == "snapshot"
    bad = {"Authorization": "Bearer not-a-token"}
    with (
        pytest.raises(WebSocketDisconnect) as err,
        client.websocket_connect("/api/v1/halls/demo/live", headers=bad) as ws,
    ):
        ws.receive_json()
    assert err.value.code == 4401


def test_a_logged_out_token_no_longer_opens_the_live_feed(client):
    headers = login(client)
    client.post("/api/v1/auth/logout", headers=headers)
    token = headers["Authorization"].split()[1]
    url = f"/api/v1/halls/demo/live?token={token}"
    with pytest.raises(WebSocketDisconnect) as err, client.websocket_connect(url) as ws:
        ws.receive_json()
    assert err.value.code == 4401


# --- two halls: nobody but an administrator acts in a hall not their own -------------------


@pytest.fixture
def two_halls(make_client, clock, tmp_path):
    """The demo hall and `east` (same layout, its own clerk `east-clerk` and devices)."""
    return make_client(clock, halls=[DEMO_HALL_FILE, write_other_hall(tmp_path, "east")])


def outsiders(client) -> dict[str, tuple[str, dict[str, str]]]:
    """Callers of the demo hall and of east: name -> (their hall, Authorization header)."""
    callers = {f"demo {kind}": ("demo", f"Bearer {token}") for kind, token in DEVICES.items()}
    callers |= {f"east {kind}": ("east", f"Bearer east-{kind}") for kind in DEVICES}
    for who, (hall, username) in {
        "demo clerk": ("demo", "clerk01"),
        "demo supervisor": ("demo", "supervisor"),
        "east clerk": ("east", "east-clerk"),
    }.items():
        headers = login(client, username)
        if who == "demo clerk":  # signed in at a window of its own hall
            assert window(client, headers, "S01", "sign-in").status_code == 200
        callers[who] = (hall, headers["Authorization"])
    return {who: (hall, {"Authorization": auth}) for who, (hall, auth) in callers.items()}


def role_of(who: str) -> str:
    return who.split()[1]


def hall_routes(app) -> list[tuple[str, str]]:
    routes = sorted(op for op in api_operations(app) if "{hall}" in op[1])
    assert len(routes) > 25
    return routes


def fill(template: str, hall: str, ticket_id: str, who: str) -> str:
    device = {"kiosk": "kiosk-1", "evaluator": "evaluator-1"}.get(role_of(who), "display-1")
    values = {
        "{hall}": hall,
        "{code}": "S01",
        "{ticket_id}": ticket_id,
        "{device}": device,
        "{name}": "announcer",
        "{fmt}": "csv",
    }
    for key, value in values.items():
        template = template.replace(key, value)
    return template


def test_callers_of_one_hall_get_403_other_hall_on_every_route_of_another(two_halls):
    client = two_halls
    callers = outsiders(client)
    tickets = {hall: _issue(client, hall)["id"] for hall in ("demo", "east")}
    for who, (home, headers) in callers.items():
        other = "east" if home == "demo" else "demo"
        for method, template in hall_routes(client.app):
            body = next((b for s, b in BODIES.items() if template.endswith(s)), None)
            path = fill(template, other, tickets[other], who)
            query = QUERIES.get(template.rsplit("/", 1)[-1])
            r = client.request(method, path, json=body, params=query, headers=headers)
            admitted = role_of(who) in MATRIX[(method, template)]
            expected = "other_hall" if admitted else "forbidden"
            assert r.status_code == 403 and code(r) == expected, (who, method, path, r.text)


def test_a_ticket_of_another_hall_is_out_of_reach_by_id(two_halls):
    client = two_halls
    callers = outsiders(client)
    east_ticket = _issue(client, "east")["id"]
    for who, role_routes in (
        ("demo kiosk", [("GET", ""), ("POST", "/requeue")]),
        ("demo display", [("GET", "")]),
        ("demo clerk", [("GET", ""), ("POST", "/cancel"), ("POST", "/requeue")]),
        ("demo evaluator", [("POST", "/evaluation")]),
    ):
        for method, path in role_routes:
            body = {"level": 5} if path == "/evaluation" else None
            r = client.request(
                method,
                f"/api/v1/tickets/{east_ticket}{path}",
                json=body,
                headers=callers[who][1],
            )
            assert r.status_code == 403 and code(r) == "other_hall", (who, path, r.text)


def test_the_live_feed_of_another_hall_is_closed_with_4403(two_halls):
    client = two_halls
    for token in ("demo-display", "east-kiosk", login(client)["Authorization"].split()[1]):
        hall = "demo" if token.startswith("east") else "east"
        url = f"/api/v1/halls/{hall}/live?token={token}"
        with pytest.raises(WebSocketDisconnect) as err, client.websocket_connect(url) as ws:
            ws.receive_json()
        assert err.value.code == 4403, token


def test_an_administrator_acts_in_every_hall(two_halls):
    client = two_halls
    admin = login(client, "admin")
    ticket = _issue(client, "east")
    assert client.get("/api/v1/halls/east", headers=admin).status_code == 200
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=admin).status_code == 200
    r = client.get("/api/v1/halls/east/stats", headers=admin, params={"by": "queue"})
    assert r.status_code == 200, r.text
    with client.websocket_connect(f"/api/v1/halls/east/live?{_token(admin)}") as ws:
        assert ws.receive_json()["type"] == "snapshot"


def _issue(client, hall: str) -> dict:
    token = "demo-kiosk" if hall == "demo" else f"{hall}-kiosk"
    r = client.post(
        f"/api/v1/halls/{hall}/tickets",
        json={"queue": "A"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
    return r.json()


def _token(headers: dict[str, str]) -> str:
    return f"token={headers['Authorization'].split()[1]}"


# --- security headers on every web page ----------------------------------------------------


def test_every_web_page_carries_the_security_headers(client):
    ticket = issue(client, queue="A")
    pages = [
        "/",
        "/screen?hall=demo",
        "/pad",
        "/pad/rate",
        "/admin",
        "/audit",
        f"/t/{ticket['id']}?s={secret_of(ticket)}",
        "/docs",
        "/screen?hall=nohall",  # an error page too
    ]
    for page in pages:
        r = client.get(page)
        assert r.status_code == (404 if "nohall" in page else 200), page
        assert r.headers["x-content-type-options"] == "nosniff", page
        assert r.headers["x-frame-options"] == "DENY", page
        assert r.headers["referrer-policy"] == "no-referrer", page
        assert "camera=()" in r.headers["permissions-policy"], page
        if page == "/docs":  # Swagger UI runs an inline script: no CSP (docs/security.md)
            assert "content-security-policy" not in r.headers
            continue
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp, page
        assert "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp, page
