"""The batching writer: concurrent requests share a commit, and each fails alone."""

from __future__ import annotations

import threading

import pytest

from server.services import tickets
from server.services.context import run_in_hall
from server.services.writer import BatchWriter
from tests.pgschema import BACKEND


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


def test_a_postgresql_batch_leaves_jobs_of_other_halls_unstarted_for_their_own_batch():
    """A job known to be of another hall waits for its own batch instead of raising OtherHall."""
    from types import SimpleNamespace

    from server.services.writer import BatchWriter, Job, _Lane

    writer = BatchWriter.__new__(BatchWriter)  # no threads: the loop runs here
    writer.ctx = SimpleNamespace(units=SimpleNamespace(is_sqlite=False))
    ran: list[list[str]] = []
    writer._run = lambda jobs: ran.append([job.fn() for job in jobs])  # type: ignore[method-assign]
    lane = _Lane()
    for name, hall in (("a1", "A"), ("b1", "B"), ("a2", "A"), ("t1", None), ("b2", "B")):
        lane.jobs.put(Job(lambda name=name: name, hall))
    for _ in range(3):  # an empty queue ends each batch; the last one ends the loop
        lane.jobs.put(None)
    writer._loop(lane)
    assert ran == [["a1", "a2", "t1"], ["b1", "b2"]]


def test_the_loop_writer_runs_one_turns_writes_in_one_commit_and_each_fails_alone(client):
    """SQLite: the writes queued in one turn of the loop share a commit; none answers early."""
    import asyncio

    from sqlalchemy import event

    from server.services.writer import LoopWriter

    ctx = services_of(client).ctx
    commits: list[int] = []

    def count(conn) -> None:
        if threading.get_ident() == here:  # not the server's background threads
            commits.append(1)

    here = threading.get_ident()  # asyncio.run below runs the loop on this thread

    event.listen(ctx.db.engine, "commit", count)

    def issue(queue: str):
        return lambda: tickets.issue_ticket(
            ctx, "demo", tickets.IssueRequest(queue=queue), by_staff=False
        )

    async def turn():
        writer = LoopWriter(ctx)
        futures = [writer.submit(issue("A")) for _ in range(3)] + [writer.submit(issue("NOPE"))]
        assert not any(f.done() for f in futures)  # queued until the loop's turn is over
        return await asyncio.gather(*futures, return_exceptions=True)

    try:
        *good, bad = asyncio.run(turn())
    finally:
        event.remove(ctx.db.engine, "commit", count)
    assert [t["number"] for t in good] == ["A001", "A002", "A003"]
    assert bad.code == "unknown_queue"
    assert len(commits) == 1


@pytest.mark.skipif(
    BACKEND == "pg", reason="SQLite's own: PostgreSQL writers wait on row locks in their threads"
)
def test_while_a_thread_holds_the_write_turn_the_loop_keeps_answering(client):
    """SQLite: a day end or a prune on a thread delays the writes, never the event loop."""
    import time

    from tests.helpers import KIOSK

    db = services_of(client).ctx.db
    held, release = threading.Event(), threading.Event()

    def long_write() -> None:  # what housekeeping's thread does
        with db.write():
            held.set()
            release.wait(10)

    holder = threading.Thread(target=long_write)
    holder.start()
    held.wait(5)
    answers: list[int] = []
    issuing = threading.Thread(
        target=lambda: answers.append(
            client.post(
                "/api/v1/halls/demo/tickets", json={"queue": "A"}, headers=KIOSK
            ).status_code
        )
    )
    issuing.start()
    time.sleep(0.1)  # the issue waits for its turn
    started = time.monotonic()
    assert client.get("/healthz").status_code == 200
    assert time.monotonic() - started < 1.0
    assert not answers  # still waiting: nothing was written beside the thread
    release.set()
    holder.join(5)
    issuing.join(5)
    assert answers == [201]
