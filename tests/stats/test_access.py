"""Only supervisors and administrators reach the statistics routes; nothing answers 500."""

from __future__ import annotations

import pytest

from tests.helpers import login

ROUTES = [
    ("GET", "/stats", None),
    ("GET", "/stats/export.xlsx", None),
    ("GET", "/stats/export.csv", None),
    ("GET", "/reported-volumes", None),
    ("PUT", "/reported-volumes", {"month": "2026-11", "items": []}),
    ("GET", "/reported-volumes/template.xlsx", None),
    ("POST", "/reported-volumes/upload", "file"),
    ("GET", "/anomalies", None),
    ("GET", "/anomalies.xlsx", None),
    ("GET", "/anomalies.html", None),
    ("GET", "/overview", None),
    ("GET", "/staffing", None),
    ("GET", "/charts/arrivals.svg", None),
]
DEVICES = {
    "kiosk": "demo-kiosk",
    "display": "demo-display",
    "evaluator": "demo-evaluator",
    "online": "demo-online",
}


def call(client, method, path, body, headers):
    url = f"/api/v1/halls/demo{path}"
    if body == "file":
        return client.post(
            url, files={"file": ("x.xlsx", b"junk", "application/octet-stream")}, headers=headers
        )
    return client.request(method, url, json=body, headers=headers)


@pytest.mark.parametrize("who", ["nobody", *DEVICES, "clerk"])
def test_everyone_but_supervisors_is_refused(client, who):
    if who == "nobody":
        headers, status = {}, 401
    elif who in DEVICES:
        headers, status = {"Authorization": f"Bearer {DEVICES[who]}"}, 403
    else:
        headers, status = login(client, "clerk01"), 403
    for method, path, body in ROUTES:
        r = call(client, method, path, body, headers)
        assert r.status_code == status, (who, method, path, r.status_code)
        assert r.json()["error"]["code"] in ("unauthorized", "forbidden")


@pytest.mark.parametrize("who", ["supervisor", "admin"])
def test_supervisors_and_admins_are_let_through(client, who):
    headers = login(client, who)
    for method, path, body in ROUTES:
        r = call(client, method, path, body, headers)
        expected = 422 if body == "file" else 200  # junk is not a workbook
        assert r.status_code == expected, (who, method, path, r.text)


def test_an_unknown_hall_is_a_404_not_a_crash(client):
    headers = login(client, "admin")
    for _method, path, body in ROUTES:
        if body is not None:
            continue
        r = client.get(f"/api/v1/halls/nowhere{path}", headers=headers)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["code"] == "unknown_hall"
