"""The maintained waiting counts always equal a count of the waiting tickets."""

import random

from server.domain.numbering import business_date
from server.store import repo
from tests.helpers import KIOSK, issue, login, window


def counted(client) -> tuple[dict[str, int], dict[str, int]]:
    ctx = client.app.state.services.ctx
    with ctx.db.read() as conn:
        day = business_date(ctx.clock(), "Asia/Shanghai")
        return repo.waiting_by_queue(conn, "demo", day), repo.queue_counts(conn, "demo", day)


def test_counts_follow_every_kind_of_change(client, clock):
    rng = random.Random(5)
    clerk = login(client)
    window(client, clerk, "S01", "sign-in")
    for step in range(120):
        roll = rng.random()
        if roll < 0.45:
            issue(client, queue=rng.choice("ABC"))
        elif roll < 0.75:
            called = window(client, clerk, "S01", "call-next")
            if called.status_code == 200:
                outcome = rng.choice(["accepted", "no_show", "transfer"])
                if outcome == "transfer":
                    window(client, clerk, "S01", "transfer", queue=rng.choice("BC"))
                else:
                    window(client, clerk, "S01", "outcome", outcome=outcome)
                    if outcome == "no_show" and rng.random() < 0.7:
                        client.post(f"/api/v1/tickets/{called.json()['id']}/requeue", headers=KIOSK)
        else:
            hall = client.get("/api/v1/halls/demo", headers=KIOSK).json()
            if hall["waiting_counts"]["A"]:
                t = issue(client, queue="A")
                client.post(f"/api/v1/tickets/{t['id']}/cancel", headers=clerk)
        clock.advance(seconds=30)
        if step % 20 == 0:
            maintained, actual = counted(client)
            assert maintained == actual
    maintained, actual = counted(client)
    assert maintained == actual and sum(actual.values()) > 0
