"""The audit trail: one record per audited action, its fields, the chain and `audit verify`."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from server.cli import main as cli_main
from server.store.audit_verify import verify
from tests.helpers import KIOSK, issue, login, window

AUDIT = "/api/v1/halls/demo/audit"


def trail(client, **params) -> list[dict]:
    r = client.get(AUDIT, params=params, headers=login(client, "auditor"))
    assert r.status_code == 200, r.text
    return [rec for rec in r.json()["records"] if rec["action"] != "login" or params]


def test_each_audited_action_leaves_exactly_one_record_with_its_fields(client):
    sup = login(client, "supervisor")
    window(client, sup, "S01", "sign-in")
    issue(client, queue="A")
    issue(client, queue="A")
    window(client, sup, "S01", "call-next")
    window(client, sup, "S01", "recall")
    window(client, sup, "S01", "outcome", outcome="accepted")
    window(client, sup, "S01", "pause", reason="休息")
    window(client, sup, "S01", "resume")
    r = client.put("/api/v1/halls/demo/windows/S01/queues", json={"queues": ["A"]}, headers=sup)
    assert r.status_code == 200
    assert client.get("/api/v1/halls/demo/stats/export.csv", headers=sup).status_code == 200
    window(client, sup, "S01", "sign-out")
    client.post("/api/v1/auth/logout", headers=sup)
    records = trail(client, who="supervisor")
    actions = [rec["action"] for rec in reversed(records)]
    assert actions == [
        "login",
        "window_sign_in",
        "call_next",
        "recall",
        "outcome",
        "pause",
        "resume",
        "tidal_change",
        "export",
        "window_sign_out",
        "logout",
    ]
    call = next(rec for rec in records if rec["action"] == "call_next")
    assert call["who"] == "supervisor" and call["role"] == "supervisor"
    assert call["hall"] == "demo" and call["object"] == "code=S01"
    assert call["result"] == "ok" and call["address"] == "testclient"
    assert call["at"].startswith("2026-11-24T01:00") and call["at_local"] == "2026-11-24 09:00:00"
    # the kiosk's tickets are a device's, not a person's: no record
    assert not [rec for rec in trail(client) if rec["action"] == "issue_ticket"]


def test_a_refused_or_failed_action_is_recorded_with_its_code(client):
    clerk = login(client, "clerk01")
    r = window(client, clerk, "S01", "call-next")  # not signed in at the window
    assert r.status_code == 403
    r = client.post("/api/v1/auth/login", json={"username": "clerk02", "password": "nope"})
    assert r.status_code == 401
    records = trail(client, action="call_next")
    assert [(x["who"], x["result"], x["code"]) for x in records] == [
        ("clerk01", "refused", "not_signed_in")
    ]
    r = client.post("/api/v1/auth/login", json={"username": "nobody9", "password": "nope"})
    assert r.status_code == 401
    failed = [x for x in trail(client, action="login") if x["who"] in ("clerk02", "nobody9")]
    assert [(x["who"], x["role"], x["code"], x["hall"]) for x in failed] == [
        ("nobody9", "-", "login_failed", "*"),  # no such account: the chain of no hall
        ("clerk02", "clerk", "login_failed", "demo"),
    ]


def test_throttled_sign_ins_are_recorded(client):
    for _ in range(6):
        client.post("/api/v1/auth/login", json={"username": "clerk03", "password": "nope"})
    codes = [x["code"] for x in trail(client, action="login") if x["who"] == "clerk03"]
    assert codes.count("too_many_attempts") >= 1 and "login_failed" in codes


def test_hall_file_loads_are_recorded(client):
    loads = trail(client, action="hall_file_loaded")
    assert len(loads) == 1 and loads[0]["who"] == "system" and loads[0]["object"] == "demo.toml"


def test_an_edited_record_makes_verify_fail_and_name_it(client, tmp_path, capsys):
    sup = login(client, "supervisor")
    window(client, sup, "S01", "sign-in")
    db = client.app.state.services.ctx.db
    checked, breaks = verify(db)
    assert checked >= 3 and breaks == []
    assert cli_main(["audit", "verify", "--data-dir", str(tmp_path)]) == 0
    seq = next(x["seq"] for x in trail(client, action="window_sign_in"))
    with db.write() as conn:
        conn.execute(
            text("UPDATE audit_log SET who = 'clerk09' WHERE hall = 'demo' AND seq = :s"),
            {"s": seq},
        )
    _, breaks = verify(db)
    assert [(b.hall, b.seq, b.why) for b in breaks] == [("demo", seq, "hash")]
    assert cli_main(["audit", "verify", "--data-dir", str(tmp_path)]) == 1
    assert f"record seq {seq}" in capsys.readouterr().err


def test_a_removed_record_breaks_the_chain(client):
    login(client, "supervisor")
    login(client, "admin")
    db = client.app.state.services.ctx.db
    with db.write() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE hall = 'demo' AND seq = 2"))
    _, breaks = verify(db)
    assert [(b.seq, b.why) for b in breaks] == [(3, "missing")]


def test_pruning_keeps_the_chain_verifiable(client, clock):
    login(client, "supervisor")
    clock.advance(days=181)
    services = client.app.state.services
    from server.services import retention

    retention.forget(services.ctx)
    counts = retention.run(services.ctx, "demo")
    assert counts is not None and counts["audit_records"] >= 2
    login(client, "admin")
    checked, breaks = verify(services.ctx.db)
    assert breaks == [] and checked >= 1
    kept = trail(client)
    assert min(x["at"] for x in kept) > (clock.now - dt.timedelta(days=1)).isoformat()[:10]


def test_devices_calls_are_not_recorded_but_people_issuing_are(client):
    issue(client, queue="A")
    clerk = login(client, "clerk01")
    r = client.post("/api/v1/halls/demo/tickets", json={"queue": "A"}, headers=clerk)
    assert r.status_code == 201
    assert client.post("/api/v1/halls/demo/tickets", json={"queue": "A"}, headers=KIOSK)
    issued = trail(client, action="issue_ticket")
    assert [x["who"] for x in issued] == ["clerk01"]


def test_a_write_records_in_its_own_transaction(client, monkeypatch):
    from server.services import audit

    sup = login(client, "supervisor")
    window(client, sup, "S01", "sign-in")
    issue(client, queue="A")

    def no_separate_transaction(ctx, fields):
        raise AssertionError(f"recorded apart from its write: {fields['action']}")

    monkeypatch.setattr(audit, "record", no_separate_transaction)
    assert window(client, sup, "S01", "call-next").status_code == 200
    monkeypatch.undo()
    assert [x["who"] for x in trail(client, action="call_next")] == ["supervisor"]


def test_a_write_that_fails_leaves_no_ok_record_but_a_failed_one(client, monkeypatch):
    from server.services import windows as window_service

    sup = login(client, "supervisor")
    window(client, sup, "S01", "sign-in")
    issue(client, queue="A")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(window_service, "call_next", broken)
    with pytest.raises(OSError):  # the test client re-raises what the server answers 500
        window(client, sup, "S01", "call-next")
    monkeypatch.undo()
    assert [(x["result"], x["code"]) for x in trail(client, action="call_next")] == [
        ("failed", "internal_error")
    ]
