"""Every route, fed bad input, answers 4xx with error.code and a Chinese message: never 500."""

import re

import pytest

from tests.helpers import KIOSK, api_operations, issue, login, window

JUNK_BODIES = [
    b"{not json",
    b"[]",
    b'{"queue": 12, "level": "five", "outcome": null, "queues": "A", "slot": "soon"}',
    b'{"applicant_name": "' + "名".encode() * 60 + b'", "phone": "abc"}',
    b"\xff\xfe\x00garbage",
    # Valid for each route but for a NUL, which PostgreSQL text cannot hold.
    b'{"queue": "A", "applicant_name": "a\\u0000b", "username": "a\\u0000", "password": "x",'
    b' "number": "A0\\u00001", "ticket": "A0\\u00001", "holder": "h\\u0000", "status": "ok",'
    b' "detail": "\\u0000", "level": 5, "comment": "\\u0000", "outcome": "accepted",'
    b' "queues": ["A\\u0000"], "month": "2026-11", "items": [{"window": "S01\\u0000"}]}',
]
PATH_VALUES = {
    "hall": ["demo", "nohall", "de%00mo"],
    "code": ["S01", "S99", "S0%001"],
    "ticket_id": ["nope", "ab%00c"],
    "device": ["kiosk-1", "ghost", "kiosk%00-1"],
    "name": ["announcer", "x" * 80, "an%00nouncer"],
    "key": ["0f8e2c1a-5b7d-4e3f-9a6b-1c2d3e4f5a6b", "x" * 200, "ab%00cdefgh"],
    "item_id": ["1", "99999999999999999999", "1%00"],  # 差评整改 items (issue 15)
    "fmt": ["csv", "pdf", "cs%00v"],
    "case_no": ["DEMO202611240001", "x" * 80, "DEMO%000001"],  # cases (issue 18)
    "kind": ["result", "nope", "re%00sult"],
}
QUERIES = [
    "?since=-1&s=x&from=2026-02-30&to=x",
    "?s=a%00b&since=1&holder=h%00&note=%00&month=2026-11%00",
]


def api_routes(app):
    operations = sorted(api_operations(app))
    assert len(operations) > 30, "the route walk found too few routes to mean anything"
    return operations


def fill(path: str) -> list[str]:
    paths = [path]
    for name in re.findall(r"{(\w+)}", path):
        paths = [p.replace("{" + name + "}", v) for p in paths for v in PATH_VALUES[name]]
    return paths


def assert_clean_error(r):
    assert r.status_code < 500, (r.request.method, r.request.url, r.status_code, r.text)
    if r.status_code >= 400:
        err = r.json()["error"]
        assert re.fullmatch(r"[a-z_]+", err["code"])
        assert re.search(r"[\u4e00-\u9fff]", err["message"]), err
        assert "Traceback" not in r.text


@pytest.mark.parametrize("who", ["nobody", "kiosk", "clerk", "supervisor", "auditor", "security"])
def test_every_route_refuses_bad_input_without_a_server_error(client, who):
    if who in ("nobody", "kiosk"):
        headers = {"nobody": {}, "kiosk": KIOSK}[who]
    else:
        headers = login(client, "clerk01" if who == "clerk" else who)
    if who == "clerk":
        window(client, headers, "S01", "sign-in")
    issue(client, queue="A")
    for method, template in api_routes(client.app):
        for path in fill(template):
            for body in JUNK_BODIES:
                r = client.request(
                    method,
                    path,
                    content=body,
                    headers={**headers, "content-type": "application/json"},
                )
                assert_clean_error(r)
            for query in QUERIES:
                assert_clean_error(client.request(method, path + query, headers=headers))


def test_oversized_bodies_are_refused_with_413_and_nothing_changes(client):
    big = b'{"queue": "A", "applicant_name": "' + b"x" * 70_000 + b'"}'
    r = client.post(
        "/api/v1/halls/demo/tickets",
        content=big,
        headers={**KIOSK, "content-type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "body_too_large"
    assert issue(client, queue="A")["number"] == "A001"


def test_a_chunked_body_over_the_limit_gets_the_same_413_as_a_declared_one(client):
    def chunks():
        yield b'{"queue": "A", "applicant_name": "'
        for _ in range(70):
            yield b"x" * 1024
        yield b'"}'

    r = client.post(
        "/api/v1/halls/demo/tickets",
        content=chunks(),
        headers={**KIOSK, "content-type": "application/json"},
    )
    assert r.request.headers["transfer-encoding"] == "chunked"
    assert r.status_code == 413, r.text
    err = r.json()["error"]
    assert err["code"] == "body_too_large" and err["detail"] == {"max_bytes": 65536}
    assert "64 KB" in err["message"]
    assert issue(client, queue="A")["number"] == "A001"


@pytest.mark.parametrize(
    "body",
    [
        b'{"queue": "\xff\xfe"}',
        b"[" * 5000 + b"]" * 5000,
        b'{"queue": ' * 3000 + b"1" + b"}" * 3000,
    ],
    ids=["invalid-utf8", "nested-arrays", "nested-objects"],
)
def test_undecodable_or_absurdly_nested_json_is_invalid_json(client, body):
    r = client.post(
        "/api/v1/halls/demo/tickets",
        content=body,
        headers={**KIOSK, "content-type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json", r.text


def test_invalid_id_numbers_are_refused_and_no_number_is_used(client):
    r = client.post(
        "/api/v1/halls/demo/tickets",
        headers=KIOSK,
        json={"queue": "A", "id_number": "110105194912310021"},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_id_number"
    assert issue(client, queue="A")["number"] == "A001"


def test_unknown_things_are_404_with_their_own_codes(client):
    clerk = login(client)
    cases = [
        (
            client.post("/api/v1/halls/demo/tickets", json={"queue": "X"}, headers=KIOSK),
            "unknown_queue",
        ),
        (
            client.post("/api/v1/halls/demo/tickets", json={"matter": "x"}, headers=KIOSK),
            "unknown_matter",
        ),
        (
            client.post(
                "/api/v1/halls/nohall/tickets", json={"queue": "A"}, headers=login(client, "admin")
            ),
            "unknown_hall",
        ),
        (window(client, clerk, "S99", "sign-in"), "unknown_window"),
        (client.get("/api/v1/tickets/nope", headers=KIOSK), "unknown_ticket"),
    ]
    for r, code in cases:
        assert r.status_code == 404 and r.json()["error"]["code"] == code, r.text


def test_wrong_roles_are_refused(client):
    clerk = login(client)
    assert client.post("/api/v1/halls/demo/tickets", json={"queue": "A"}).status_code == 401
    display = {"Authorization": "Bearer demo-display"}
    r = client.post("/api/v1/halls/demo/tickets", json={"queue": "A"}, headers=display)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = client.put("/api/v1/halls/demo/windows/S01/queues", json={"queues": ["A"]}, headers=clerk)
    assert r.status_code == 403
    r = client.post("/api/v1/halls/demo/windows/S01/sign-in", headers=KIOSK)
    assert r.status_code == 403
    bogus = {"Authorization": "Bearer forged"}
    assert client.get("/api/v1/halls/demo", headers=bogus).json()["error"]["code"] == (
        "invalid_token"
    )
