"""The writer: runs write use cases in batches, on the event loop's own thread.

Requests that arrive while a transaction is being written wait in a queue; the next
transaction takes them all (up to BATCH_LIMIT), each in its own savepoint, and commits once.
Nobody gets an answer before the commit, so a 201 always means "stored".

SQLite writes one transaction at a time (`LoopWriter`). On PostgreSQL (`GreenWriter`) a
hall's jobs share its next batch, and batches of different halls run side by side, each in
a greenlet that lends the loop back while PostgreSQL answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.services.context import Batch, Context, OtherHall
from server.store import green

log = logging.getLogger("yichuang.writer")
BATCH_LIMIT = 64
BUSY_RETRY_SECONDS = 0.002  # SQLite: how soon the loop looks again for the write turn


@dataclass
class Job:
    """One write use case and where its result goes."""

    fn: Callable[[], Any]
    hall: str | None  # None: not known before it runs
    future: asyncio.Future[Any]


class Writer:
    """What both writers share: a batch of jobs in one transaction, each answered after it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def submit(self, fn: Callable[[], Any], hall: str | None = None) -> asyncio.Future[Any]:
        """Queue a job; the future resolves after its commit (or failure)."""
        raise NotImplementedError

    def shutdown(self) -> None:
        """Stop taking jobs once the queued ones are done."""

    def _defer(self, job: Job, hall: str) -> None:
        """Run `job` in a later batch of `hall` (it met another hall's batch)."""
        raise NotImplementedError

    def _run(self, jobs: list[Job]) -> None:
        done: list[tuple[Job, bool, Any]] = []
        alone = len(jobs) == 1
        try:
            with Batch.open(self.ctx, isolate=not alone):
                for job in jobs:
                    try:
                        done.append((job, True, job.fn()))
                    except OtherHall as other:
                        self._defer(job, other.hall)
                    except Exception as exc:  # the job's own error goes back to its caller
                        done.append((job, False, exc))
                        if alone:  # no savepoint: roll back what it wrote before failing
                            raise _Undo from exc
        except _Undo:
            pass
        except Exception as exc:  # flush or commit failed: nothing of the batch was stored
            log.exception("a write batch of %d jobs failed", len(jobs))
            for job in jobs:
                if not job.future.done():
                    job.future.set_exception(exc)
            return
        for job, ok, value in done:
            if job.future.done():  # its request was cancelled (the client left)
                continue
            if ok:
                job.future.set_result(value)
            else:
                job.future.set_exception(value)


class LoopWriter(Writer):
    """SQLite: the event loop runs each batch itself, once the writes stop coming in.

    SQLite writes one transaction at a time and a ticket's transaction takes a fraction of a
    millisecond of the only core Python has, so a writer thread gains no parallelism: it
    only costs two thread hops per request (measured: a fifth of a staff write). A request
    reaches its write after several turns of the loop (head, body, authentication), so the
    batch waits while each turn brings more writes (at most MAX_TURNS turns): twelve per
    commit instead of four under sixteen kiosks.
    """

    MAX_TURNS = 8

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._queued: list[Job] = []
        self._turns = 0  # turns of the loop the queued writes have waited
        self._seen = 0  # how many were queued at the last turn

    def submit(self, fn: Callable[[], Any], hall: str | None = None) -> asyncio.Future[Any]:
        """Queue a job for a coming turn of the loop; the future resolves after its commit."""
        job = Job(fn, hall, asyncio.get_running_loop().create_future())
        self._queue(job)
        return job.future

    def _queue(self, job: Job) -> None:
        self._queued.append(job)
        if len(self._queued) == 1:
            asyncio.get_running_loop().call_soon(self._turn)

    def _defer(self, job: Job, hall: str) -> None:
        self._queue(job)  # SQLite batches take every hall: a safeguard only

    def _turn(self) -> None:
        loop = asyncio.get_running_loop()
        queued = len(self._queued)
        growing, self._seen = queued > self._seen, queued
        self._turns += 1
        if growing and queued < BATCH_LIMIT and self._turns < self.MAX_TURNS:
            loop.call_soon(self._turn)
            return
        lock = self.ctx.db.write_lock
        if lock is not None and not lock.acquire(blocking=False):
            # a thread writes (a day end, a retention prune): waiting here would stop the
            # loop, and every screen and request with it; look again in a moment
            loop.call_later(BUSY_RETRY_SECONDS, self._turn)
            return
        try:
            jobs, self._queued, self._turns, self._seen = self._queued, [], 0, 0
            for at in range(0, len(jobs), BATCH_LIMIT):
                self._run(jobs[at : at + BATCH_LIMIT])
        finally:
            if lock is not None:
                lock.release()


class _Undo(Exception):
    """Rolls back the transaction of a lone job that failed (the job's error is kept)."""


class GreenWriter(Writer):
    """PostgreSQL: the event loop runs the batches, in greenlets that lend it back while waiting.

    Writer threads cost each request two thread hops, and the threads (eight per worker) and
    the loop handed the GIL to one another at every round trip: 41 context switches per
    staff request. Here, as on SQLite, a request's write runs on the loop's own thread, in a
    greenlet (server/store/green.py); while a batch waits for PostgreSQL (its round trips,
    another worker's hall lock) the loop serves HTTP and queues the next writes, which join
    the hall's next batch. Batches of different
    halls run side by side, at most MAX_BATCHES at once, and never more than half the
    pool's connections: a batch that found the pool empty would wait on the loop's thread
    for a connection that only the loop's other batches could give back.
    """

    MAX_BATCHES = 8

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.max_batches = max(1, min(self.MAX_BATCHES, ctx.db.pool_capacity // 2))
        self._queued: dict[str | None, list[Job]] = {}  # by hall (None: not known before)
        self._busy: set[str | None] = set()  # halls with a batch in flight
        self._tasks: set[asyncio.Task[None]] = set()
        self._kicked = False

    def submit(self, fn: Callable[[], Any], hall: str | None = None) -> asyncio.Future[Any]:
        """Queue a job for its hall's next batch; the future resolves after its commit."""
        job = Job(fn, hall, asyncio.get_running_loop().create_future())
        self._queued.setdefault(hall, []).append(job)
        self._kick()
        return job.future

    def _defer(self, job: Job, hall: str) -> None:
        job.hall = hall
        self._queued.setdefault(hall, []).append(job)  # started when the batch ends

    def _kick(self) -> None:
        if not self._kicked:  # once per turn of the loop, however many jobs came in it
            self._kicked = True
            asyncio.get_running_loop().call_soon(self._start)

    def _start(self) -> None:
        self._kicked = False
        loop = asyncio.get_running_loop()
        for hall in list(self._queued):
            if len(self._busy) >= self.max_batches:
                return
            if hall in self._busy:
                continue  # its jobs join the batch after the one in flight
            jobs = self._queued.pop(hall)
            if len(jobs) > BATCH_LIMIT:
                jobs, self._queued[hall] = jobs[:BATCH_LIMIT], jobs[BATCH_LIMIT:]
            self._busy.add(hall)
            task = loop.create_task(self._batch(hall, jobs))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _batch(self, hall: str | None, jobs: list[Job]) -> None:
        try:
            await green.run(self._run, jobs)
        finally:
            self._busy.discard(hall)
            if self._queued:
                self._kick()
