"""A driven hall morning through a fake SMS gateway that fails 30 % of requests.

Every opted-in ticket gets exactly one near-turn and one call message (or a 过号 one), none
after a cancel; the numbers are found nowhere but in the notifier's own table.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections import Counter

import pytest
from sqlalchemy import select

from server.outbox.formats import Target
from server.store.tables import metadata
from tests.helpers import issue, login, window
from tests.integrations.fake_sms import FakeSmsGateway
from tests.notify.outbox_driver import OutboxDriver
from tests.notify.test_citizen_routes import act

TARGET = Target(
    "hall-sms", "http://sms.test/send", "k", "sms", {"sign": "示例政务", "auth": "hmac"}
)
PHONES = [f"1390000{n:04d}" for n in range(10)]


def test_a_hall_morning_sends_each_stage_once_through_a_flaky_gateway(
    client, clock, tmp_path, caplog
):
    caplog.set_level(logging.DEBUG)
    gateway = FakeSmsGateway(fail_share=0.3)
    outbox = OutboxDriver(client.app.state.services.ctx, "demo", TARGET, gateway)
    tickets = []
    for n in range(14):
        if n < 6:  # the kiosk's phone step
            t = issue(client, queue="A", phone=PHONES[n])
        else:
            t = issue(client, queue="A")
            if n < 10:  # typed on the progress page
                assert act(client, t, "phone", {"phone": PHONES[n]}).status_code == 200
        tickets.append(t)
        outbox.run()
        clock.advance(minutes=1)
    by_id = {t["id"]: t for t in tickets}
    cancelled = tickets[9]["id"]  # nine ahead: it gives up before it is near
    assert act(client, tickets[9], "cancel").status_code == 200
    outbox.run()
    stepped = tickets[7]
    assert act(client, stepped, "step-back", {"places": 2}).status_code == 200
    no_show = tickets[2]["id"]
    clerks = {code: login(client, user) for code, user in (("S01", "clerk01"), ("S02", "clerk02"))}
    for code, headers in clerks.items():
        assert window(client, headers, code, "sign-in").status_code == 200
    idle = 0
    while idle < len(clerks):  # the two windows take turns until the line is empty
        idle = 0
        for code, headers in clerks.items():
            r = window(client, headers, code, "call-next")
            if r.status_code == 404:
                idle += 1
                continue
            outbox.run()
            clock.advance(minutes=3)
            outcome = "no_show" if r.json()["id"] == no_show else "accepted"
            assert window(client, headers, code, "outcome", outcome=outcome).status_code == 200
            outbox.run()

    assert gateway.failures > 0 and outbox.retries == gateway.failures
    stages = Counter(d.message_id for d in gateway.delivered)
    assert all(count == 1 for count in stages.values()), stages  # each key delivered once
    for n, phone in enumerate(PHONES):
        ticket = tickets[n]
        got = {d.message_id.rsplit(":", 1)[1] for d in gateway.delivered if d.phone == phone}
        if ticket["id"] == cancelled:
            assert got == set()
        elif ticket["id"] == no_show:
            assert got == {"near", "called", "no_show"}
        else:
            assert got == {"near", "called"}, (n, got)
        for d in gateway.delivered:
            if d.phone == phone:
                assert d.message_id.startswith(f"sms:{ticket['id']}:")
                assert by_id[ticket["id"]]["number"] in d.text
    assert not any(d.phone == "" for d in gateway.delivered)

    _numbers_are_only_in_the_notifiers_table(client, caplog, tmp_path)


def _numbers_are_only_in_the_notifiers_table(client, caplog, tmp_path) -> None:
    ctx = client.app.state.services.ctx
    found = []
    with ctx.db.read() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(select(table)):
                text = repr(tuple(row))
                hits = [p for p in PHONES if p in text]
                if hits:
                    found.append(table.name)
    assert set(found) == {"notify_phones"}
    logs = "\n".join(r.getMessage() for r in caplog.records)
    assert not [p for p in PHONES if p in logs]
    other_files = [p for p in tmp_path.rglob("*") if p.is_file() and ".db" not in p.name]
    for path in other_files:
        data = path.read_bytes()
        assert not [p for p in PHONES if p.encode() in data], path
    supervisor = login(client, "supervisor")
    day = {"from": "2026-11-24", "to": "2026-11-24"}
    base = "/api/v1/halls/demo/stats"
    for query in ({**day}, {**day, "rows": "calls"}):
        r = client.get(f"{base}/export.csv", params=query, headers=supervisor)
        assert r.status_code == 200
        assert not [p for p in PHONES if p in r.text]
    r = client.get(f"{base}/export.xlsx", params={**day, "detail": "true"}, headers=supervisor)
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.content)) as book:
        for name in book.namelist():
            data = book.read(name)
            assert not [p for p in PHONES if p.encode() in data], name
    events = client.get("/api/v1/halls/demo/events?since=0", headers=supervisor).text
    assert not [p for p in PHONES if p in events]


pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")
