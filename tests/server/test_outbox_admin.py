"""Outbox subscribers: the API refuses bad input with codes; the hall file's; pruning waits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from server.config import DEMO_HALL_FILE
from server.hallfile import load_hall_file
from server.services import dayend
from server.tomlreader import ConfigError
from tests.helpers import issue, login
from tests.integrations.webhook_receiver import FakeWebhook
from tests.server.outbox_helpers import BASE, SECRET, deliver, subscribe

GOOD = {"name": "city", "url": "https://dashboard.example.cn/hook", "secret": "s" * 20}


@pytest.fixture
def hall(make_client, clock):
    return make_client(clock, outbox_deliver=False)


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"url": "ftp://example.cn/x"}, 422, "invalid_subscriber_url"),
        ({"url": "javascript:alert(1)"}, 422, "invalid_subscriber_url"),
        ({"url": "http://"}, 422, "invalid_subscriber_url"),
        ({"format": "telex"}, 422, "unknown_format"),
        ({"events": ["ticket.exploded"]}, 422, "unknown_event_type"),
        ({"events": []}, 422, "unknown_event_type"),
        ({"secret": "short"}, 422, "invalid_subscriber_secret"),
        ({"name": "Bad Name!"}, 422, "invalid_subscriber_name"),
    ],
)
def test_bad_subscribers_are_refused_and_nothing_changes(hall, change, status, code):
    sup = login(hall, "supervisor")
    r = hall.post(BASE, json={**GOOD, **change}, headers=sup)
    assert r.status_code == status and r.json()["error"]["code"] == code, r.text
    assert any("\u4e00" <= c <= "\u9fff" for c in r.json()["error"]["message"])
    assert hall.get(BASE, headers=sup).json()["subscribers"] == []


def test_crud_never_shows_the_secret(hall):
    sup = login(hall, "supervisor")
    r = hall.post(BASE, json=GOOD, headers=sup)
    assert r.status_code == 201 and "secret" not in r.json()
    assert r.json()["format"] == "cloudevents" and r.json()["events"] == ["*"]
    again = hall.post(BASE, json=GOOD, headers=sup)
    assert again.status_code == 409 and again.json()["error"]["code"] == "subscriber_exists"
    r = hall.patch(
        f"{BASE}/city", json={"events": ["ticket.called"], "secret": "t" * 16}, headers=sup
    )
    assert r.status_code == 200 and r.json()["events"] == ["ticket.called"]
    bad = hall.patch(f"{BASE}/city", json={"url": "file:///etc/passwd"}, headers=sup)
    assert bad.json()["error"]["code"] == "invalid_subscriber_url"
    listed = hall.get(BASE, headers=sup).json()
    assert "cloudevents" in listed["formats"]
    assert "secret" not in str(listed) and "s" * 16 not in str(listed)
    assert hall.get(f"{BASE}/nope/status", headers=sup).json()["error"]["code"] == (
        "unknown_subscriber"
    )
    assert hall.delete(f"{BASE}/city", headers=sup).json()["deleted"] is True
    assert hall.delete(f"{BASE}/city", headers=sup).status_code == 404


def test_clerks_may_not_manage_subscribers(hall):
    r = hall.post(BASE, json=GOOD, headers=login(hall))
    assert r.status_code == 403


def hall_file(tmp_path: Path, extra: str) -> Path:
    path = tmp_path / "hall.toml"
    path.write_text(DEMO_HALL_FILE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


SUBSCRIBER = """
[[subscribers]]
name = "case-system"
url = "http://receiver.test/hook"
secret = "test-secret-0123456789"
events = ["ticket.called", "ticket.finished"]
"""


def test_hall_file_subscribers_load_and_stay_the_files(make_client, clock, tmp_path):
    client = make_client(clock, halls=[hall_file(tmp_path, SUBSCRIBER)], outbox_deliver=False)
    sup = login(client, "supervisor")
    subs = client.get(BASE, headers=sup).json()["subscribers"]
    assert [(s["name"], s["source"], s["events"]) for s in subs] == [
        ("case-system", "file", ["ticket.called", "ticket.finished"])
    ]
    r = client.patch(f"{BASE}/case-system", json={"url": "http://x.test/"}, headers=sup)
    assert r.status_code == 409 and r.json()["error"]["code"] == "subscriber_from_file"
    assert client.post(f"{BASE}/case-system/pause", headers=sup).status_code == 200


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ('url = "ftp://x.cn/"', "url"),
        ('format = "telex"', "format"),
        ('events = ["nope"]', "events"),
        ('colour = "red"', "colour"),
    ],
)
def test_bad_hall_file_subscribers_name_the_key(tmp_path, extra, problem):
    key = extra.split(" ")[0]
    lines = [line for line in SUBSCRIBER.splitlines() if not line.startswith(key + " ")]
    text = "\n".join(lines) + "\n"
    with pytest.raises(ConfigError, match=rf"subscribers\[0\]\.{problem}"):
        load_hall_file(hall_file(tmp_path, text + extra + "\n"))


def test_pruning_keeps_what_a_subscriber_has_not_had(hall, clock):
    receiver = FakeWebhook(SECRET)
    subscribe(hall, receiver)
    receiver.down_for(10**6)
    issue(hall, queue="A")
    ctx = hall.app.state.services.ctx
    clock.advance(days=8)
    dayend.close_day(ctx, "demo", keep_days=7)
    receiver.down_until = 0
    clock.advance(seconds=10)
    hall.post(f"{BASE}/hook/resume", headers=login(hall, "supervisor"))
    deliver(hall)
    assert receiver.seqs()[0] == 1  # the 8-day-old event was kept and delivered
    clock.advance(days=8)
    dayend.close_day(ctx, "demo", keep_days=7)
    with ctx.units.read() as repos:
        first = repos.events.first_kept_seq("demo")
    assert first is None or first > receiver.seqs()[-1]  # once delivered, pruned as before


def test_pruning_after_thirty_days_dead_letters_the_rest(hall, clock):
    receiver = FakeWebhook(SECRET)
    subscribe(hall, receiver)
    sup = login(hall, "supervisor")
    hall.post(f"{BASE}/hook/pause", headers=sup)
    issue(hall, queue="A")
    clock.advance(days=31)
    dayend.close_day(hall.app.state.services.ctx, "demo", keep_days=7)
    s = hall.get(f"{BASE}/hook/status", headers=login(hall, "supervisor")).json()
    assert s["dead_letters"] == 1 and s["recent_dead_letters"][0]["reason"] == "pruned"
    assert dt.datetime.fromisoformat(s["recent_dead_letters"][0]["at"].replace("Z", "+00:00"))
