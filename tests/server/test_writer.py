"""The batching writer: concurrent requests share a commit, and each fails alone."""

from __future__ import annotations

import threading

from server.services import tickets
from server.services.context import run_in_hall
from server.services.writer import BatchWriter


def services_of(client):
    return client.app.state.services


def test_a_batch_commits_many_requests_and_a_failing_one_changes_nothing(client):
    ctx = services_of(client).ctx
    writer = BatchWriter(ctx, threads=1)
    gate = threading.Event()
    blocker = writer.submit(lambda: gate.wait(5))  # hold the writer so the rest queue up
    good = [
        writer.submit(
            lambda: tickets.issue_ticket(
                ctx, "demo", tickets.IssueRequest(queue="A"), by_staff=False
            )
        )
        for _ in range(5)
    ]
    bad = writer.submit(
        lambda: tickets.issue_ticket(
            ctx, "demo", tickets.IssueRequest(queue="NOPE"), by_staff=False
        )
    )
    nested = writer.submit(lambda: _write_twice(ctx))
    gate.set()
    assert blocker.result(5) is True
    numbers = [f.result(5)["number"] for f in good]
    assert numbers == ["A001", "A002", "A003", "A004", "A005"]
    assert bad.exception(5).code == "unknown_queue"
    assert nested.result(5) == "ok"
    events = client.get(
        "/api/v1/halls/demo/events",
        params={"since": 0},
        headers={"Authorization": "Bearer demo-display"},
    ).json()["events"]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5, 6]
    # Each event carries the counts right after it, though all shared one commit.
    assert [e["queue_counts"]["A"] for e in events[:5]] == [1, 2, 3, 4, 5]
    writer.shutdown()


def _write_twice(ctx) -> str:
    """A use case that opens its own write inside the batch (nests, does not deadlock)."""
    with ctx.db.write():
        run_in_hall(
            ctx,
            "demo",
            lambda tx: tickets.issue_ticket(
                ctx, "demo", tickets.IssueRequest(queue="B"), by_staff=False
            ),
        )
    return "ok"
