"""The writer: runs write use cases off the event loop, batching concurrent ones.

Requests that arrive while a transaction is being written wait in a queue; the next
transaction takes them all (up to BATCH_LIMIT), each in its own savepoint, and commits once.
Nobody gets an answer before the commit, so a 201 always means "stored".
"""

from __future__ import annotations

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


@dataclass
class Job:
    """One write use case and where its result goes."""

    fn: Callable[[], Any]
    future: Future[Any] = field(default_factory=Future)


class BatchWriter:
    """Writer threads that run queued jobs in batches (one thread on SQLite)."""

    def __init__(self, ctx: Context, threads: int) -> None:
        self.ctx = ctx
        self.jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self.deferred: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self.threads = [
            threading.Thread(target=self._loop, name=f"writer-{i}", daemon=True)
            for i in range(threads)
        ]
        for t in self.threads:
            t.start()

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        """Queue a job; the future resolves after its transaction committed (or failed)."""
        job = Job(fn)
        self.jobs.put(job)
        return job.future

    def shutdown(self) -> None:
        """Stop the threads after the queued jobs."""
        for _ in self.threads:
            self.jobs.put(None)

    def _loop(self) -> None:
        while True:
            first = self._next(block=True)
            if first is None:
                return
            batch = [first]
            while len(batch) < BATCH_LIMIT and (job := self._next(block=False)) is not None:
                batch.append(job)
            self._run(batch)

    def _next(self, *, block: bool) -> Job | None:
        try:
            return self.deferred.get_nowait()
        except queue.Empty:
            pass
        try:
            return self.jobs.get(block=block)
        except queue.Empty:
            return None

    def _run(self, jobs: list[Job]) -> None:
        done: list[tuple[Job, bool, Any]] = []
        alone = len(jobs) == 1
        try:
            with Batch.open(self.ctx, isolate=not alone):
                for job in jobs:
                    try:
                        done.append((job, True, job.fn()))
                    except OtherHall:
                        self.deferred.put(job)
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
            if ok:
                job.future.set_result(value)
            else:
                job.future.set_exception(value)


class _Undo(Exception):
    """Rolls back the transaction of a lone job that failed (the job's error is kept)."""
