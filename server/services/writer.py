"""The writer: runs write use cases in batches, on the loop (SQLite) or on threads (PostgreSQL).

Requests that arrive while a transaction is being written wait in a queue; the next
transaction takes them all (up to BATCH_LIMIT), each in its own savepoint, and commits once.
Nobody gets an answer before the commit, so a 201 always means "stored".

With several threads (PostgreSQL), each thread has its own lane and a hall's jobs always go
to the same lane. Were they spread over the threads, every job of a busy hall would open its
own transaction and queue for the hall's lock behind the others (one commit each); in one
lane they queue in the process and share a transaction and its commit.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from server.services.context import Batch, Context, OtherHall

log = logging.getLogger("yichuang.writer")
BATCH_LIMIT = 64
BUSY_RETRY_SECONDS = 0.002  # SQLite: how soon the loop looks again for the write turn


@dataclass
class Job:
    """One write use case and where its result goes."""

    fn: Callable[[], Any]
    hall: str | None = None  # None: not known before it runs
    future: Future[Any] | asyncio.Future[Any] = field(default_factory=Future)


class Writer:
    """What both writers share: a batch of jobs in one transaction, each answered after it."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def submit(
        self, fn: Callable[[], Any], hall: str | None = None
    ) -> Future[Any] | asyncio.Future[Any]:
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


class BatchWriter(Writer):
    """Writer threads that run queued jobs in batches, a lane per hall (PostgreSQL)."""

    def __init__(self, ctx: Context, threads: int) -> None:
        super().__init__(ctx)
        self.lanes = [_Lane() for _ in range(threads)]
        self._spread = itertools.count()
        self.threads = [
            threading.Thread(target=self._loop, args=(lane,), name=f"writer-{i}", daemon=True)
            for i, lane in enumerate(self.lanes)
        ]
        for t in self.threads:
            t.start()

    def submit(
        self, fn: Callable[[], Any], hall: str | None = None
    ) -> Future[Any] | asyncio.Future[Any]:
        """Queue a job (in its hall's lane); the future resolves after its commit (or failure)."""
        job = Job(fn, hall)
        self._lane(hall).jobs.put(job)
        return job.future

    def shutdown(self) -> None:
        """Stop the threads after the queued jobs."""
        for lane in self.lanes:
            lane.jobs.put(None)

    def _lane(self, hall: str | None) -> _Lane:
        if len(self.lanes) == 1:
            return self.lanes[0]
        at = hash(hall) if hall is not None else next(self._spread)
        return self.lanes[at % len(self.lanes)]

    def _loop(self, lane: _Lane) -> None:
        while True:
            first = lane.next(block=True)
            if first is None:
                return
            batch, later = [first], []
            while len(batch) < BATCH_LIMIT and (job := lane.next(block=False)) is not None:
                if self._other_hall(first, job):
                    later.append(job)  # not even started: it would only raise OtherHall
                else:
                    batch.append(job)
            for job in later:
                lane.deferred.put(job)
            self._run(batch)

    def _other_hall(self, first: Job, job: Job) -> bool:
        """Whether `job` is known to be of another hall than a PostgreSQL batch's first job."""
        if self.ctx.units.is_sqlite or first.hall is None or job.hall is None:
            return False
        return job.hall != first.hall

    def _defer(self, job: Job, hall: str) -> None:
        self._lane(hall).deferred.put(job)  # its hall's lane runs it next


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

    def submit(
        self, fn: Callable[[], Any], hall: str | None = None
    ) -> Future[Any] | asyncio.Future[Any]:
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


class _Lane:
    """One writer thread's queue, and the jobs of another hall it handed back (served first)."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self.deferred: queue.SimpleQueue[Job] = queue.SimpleQueue()

    def next(self, *, block: bool) -> Job | None:
        """The next job: a handed-back one first; None when empty (or told to stop)."""
        try:
            return self.deferred.get_nowait()
        except queue.Empty:
            pass
        try:
            return self.jobs.get(block=block)
        except queue.Empty:
            return None


class _Undo(Exception):
    """Rolls back the transaction of a lone job that failed (the job's error is kept)."""
