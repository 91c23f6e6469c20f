"""三员分立：the auditor reads the trail and nothing else; the security administrator's settings;
every staff write route (and every download) declares its audit action."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
from fastapi.routing import APIRoute

from tests.helpers import api_operations, api_routes, issue, login, window
from tests.server.test_authorization import BODIES

AUDIT = "/api/v1/halls/demo/audit"
SETTINGS = "/api/v1/halls/demo/security-settings"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
DOWNLOADS = (".csv", ".xlsx", ".pdf", ".html", ".svg", "/notice", "/documents/{kind}")
# Reads that change nothing and are no download (a chart is a picture of the statistics).
NOT_AUDITED_DOWNLOADS = {"/api/v1/halls/{hall}/charts/{name}.svg"}


def audit_action(route: APIRoute) -> str | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        action = getattr(dep.call, "audit_action", None)
        if action:
            return action
        stack.extend(dep.dependencies)
    return None


def test_every_write_route_and_every_download_declares_its_audit_action(client):
    missing = []
    routes = api_routes(client.app)
    assert len(routes) > 50  # the walk reaches the included routers
    for route in routes:
        if not route.path.startswith("/api/"):
            continue
        writes = bool(route.methods & WRITES)
        download = route.path.endswith(DOWNLOADS) and route.path not in NOT_AUDITED_DOWNLOADS
        if (writes or download) and audit_action(route) is None:
            missing.append((sorted(route.methods), route.path))
    assert not missing, f"add dependencies=audit_as('<action>') to these routes: {missing}"


def test_the_auditor_reads_and_exports_the_trail(client):
    sup = login(client, "supervisor")
    window(client, sup, "S01", "sign-in")
    auditor = login(client, "auditor")
    r = client.get(AUDIT, params={"who": "supervisor", "from": "2026-11-24"}, headers=auditor)
    assert r.status_code == 200
    assert [x["action"] for x in r.json()["records"]] == ["window_sign_in", "login"]
    r = client.get(AUDIT, params={"from": "2026-11-25"}, headers=auditor)
    assert r.json()["records"] == []
    r = client.get(f"{AUDIT}/export.csv", params={"who": "supervisor"}, headers=auditor)
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["序号", "时间（大厅当地）", "时间（UTC）", "操作人"]
    assert [row[6] for row in rows[1:]] == ["window_sign_in", "login"]
    assert rows[1][1] == "2026-11-24 09:00:00"
    r = client.get(f"{AUDIT}/export.xlsx", headers=auditor)
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert sheet.cell(1, 7).value == "操作" and sheet.max_row >= 4
    reads = client.get(AUDIT, params={"action": "audit_export"}, headers=auditor).json()
    assert len(reads["records"]) == 2  # the auditor's own reads are in the trail too
    r = client.get(AUDIT, params={"from": "2026-13-01"}, headers=auditor)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_date"


def test_nobody_but_the_auditor_reads_the_trail(client):
    for user in ("clerk01", "supervisor", "admin", "security"):
        headers = login(client, user)
        for path in (AUDIT, f"{AUDIT}/export.csv"):
            r = client.get(path, headers=headers)
            assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden", user


def test_the_auditor_can_do_nothing_else_and_tries_are_recorded(client):
    auditor = login(client, "auditor")
    ticket = issue(client, queue="A")
    tried = 0
    for method, template in sorted(api_operations(client.app)):
        if "/audit" in template or template.startswith("/api/v1/auth/"):
            continue
        path = (
            template.replace("{hall}", "demo")
            .replace("{code}", "S01")
            .replace("{ticket_id}", ticket["id"])
            .replace("{device}", "kiosk-1")
            .replace("{name}", "announcer")
            .replace("{key}", "k")
        )
        body = next((b for s, b in BODIES.items() if template.endswith(s)), None)
        r = client.request(method, path, json=body, headers=auditor)
        assert r.status_code == 403, (method, path, r.text)
        # The progress stream reads no token at all: only the ticket's secret opens it.
        owner_only = template.endswith("/stream")
        expected = "invalid_ticket_secret" if owner_only else "forbidden"
        assert r.json()["error"]["code"] == expected, (method, path)
        tried += 1
    assert tried > 30
    refused = client.get(AUDIT, params={"action": "call_next"}, headers=auditor).json()
    assert [(x["who"], x["result"], x["code"]) for x in refused["records"]] == [
        ("auditor", "refused", "forbidden")
    ]


def test_the_security_administrator_sets_rules_and_a_too_short_retention_is_refused(client):
    security = login(client, "security")
    r = client.get(SETTINGS, headers=security)
    assert r.status_code == 200
    before = r.json()["settings"]
    assert before["audit_keep_days"] == 180 and before["password_force_change"] is False
    for change, code in [
        ({"audit_keep_days": 179}, "retention_too_short"),
        ({"id_hash_keep_days": 0}, "retention_too_short"),
        ({"names_keep_days": 0}, "retention_too_short"),
        ({"password_min_length": 4}, "invalid_request"),
        ({"no_such_rule": 1}, "invalid_request"),
        ({"idle_minutes": True}, "invalid_request"),
    ]:
        r = client.put(SETTINGS, json={"settings": change}, headers=security)
        assert r.status_code == 422 and r.json()["error"]["code"] == code, (change, r.text)
        assert re.search(r"[\u4e00-\u9fff]", r.json()["error"]["message"])
    assert client.get(SETTINGS, headers=security).json()["settings"] == before  # unchanged
    longer = {"settings": {"audit_keep_days": 365, "names_keep_days": 7}}
    r = client.put(SETTINGS, json=longer, headers=security)
    assert r.status_code == 200 and r.json()["settings"]["audit_keep_days"] == 365
    for user in ("supervisor", "admin", "auditor"):
        shorter = {"settings": {"idle_minutes": 5}}
        r = client.put(SETTINGS, json=shorter, headers=login(client, user))
        assert r.status_code == 403
    auditor = login(client, "auditor")
    changes = client.get(AUDIT, params={"action": "security_settings"}, headers=auditor).json()
    assert [(x["result"], x["code"]) for x in changes["records"]][:2] == [
        ("refused", "forbidden"),
        ("refused", "forbidden"),
    ]
    ok = [x for x in changes["records"] if x["result"] == "ok"]
    assert len(ok) == 1 and "audit_keep_days" in ok[0]["details"]


def test_a_hall_file_with_too_short_a_retention_is_refused_at_start(tmp_path):
    import pytest

    from server.config import DEMO_HALL_FILE
    from server.hallfile import load_hall_file
    from server.tomlreader import ConfigError

    text = DEMO_HALL_FILE.read_text(encoding="utf-8").replace(
        "password_force_change = false\n", "password_force_change = false\naudit_keep_days = 30\n"
    )
    path = tmp_path / "short.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="retention_too_short"):
        load_hall_file(path)
