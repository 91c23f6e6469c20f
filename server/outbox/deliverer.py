"""The background deliverer: one task per subscriber it holds the lease of, sending in seq order.

Every worker of every host runs one; the store's lease makes exactly one of them deliver to a
given subscriber at a time. A task renews its lease before each batch and stops the batch
halfway through the lease, so a holder that stalls loses it before it could send out of order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from starlette.concurrency import run_in_threadpool

from server.outbox.formats import Outgoing
from server.services import outbox_delivery as steps
from server.services.context import Context

log = logging.getLogger("yichuang.outbox")
REFRESH_SECONDS = 2.0  # how often the subscriber list is read again


class Deliverer:
    """Delivers the outbox of every hall in the store from this process."""

    def __init__(
        self,
        ctx: Context,
        settings: Any,
        *,
        holder: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        write: Callable[..., Awaitable[Any]] | None = None,
    ) -> None:
        self.ctx, self.settings = ctx, settings
        # The app's writer (batched with the hall's other writes); a thread by default.
        self.write = write or run_in_threadpool
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.transport = transport  # tests hand in an in-process receiver
        self._tasks: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._runner: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    # --- the background loop ---

    def start(self) -> None:
        """Start delivering (on the running event loop)."""
        self._runner = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop every task and give the leases up, so another process takes over at once."""
        tasks = [t for t in (self._runner, *self._tasks.values()) if t is not None]
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        for hall, name in list(self._tasks):
            with contextlib.suppress(Exception):
                await run_in_threadpool(steps.release, self.ctx, hall, name, self.holder)
        self._tasks.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self) -> None:
        while True:
            try:
                wanted = set(await run_in_threadpool(steps.subscribers, self.ctx))
            except Exception:
                log.exception("outbox: reading the subscribers failed")
                wanted = set(self._tasks)
            for key in set(self._tasks) - wanted:
                self._tasks.pop(key).cancel()
            for key in wanted - set(self._tasks):
                self._tasks[key] = asyncio.create_task(self._serve(*key))
            await asyncio.sleep(REFRESH_SECONDS)

    async def _serve(self, hall: str, name: str) -> None:
        ttl = self.settings.outbox_lease_seconds
        held, renew_at = False, 0.0
        while True:
            try:
                # The lease is renewed every third of its life, not on every poll: a
                # renewal takes the hall's write lock.
                if time.monotonic() >= renew_at:
                    renew_at = time.monotonic() + ttl / 3
                    held = await self.write(steps.claim, self.ctx, hall, name, self.holder, ttl)
                sent = await self.deliver(hall, name, self.client(), renew_at) if held else 0
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox: delivering to %s/%s failed", hall, name)
                held, renew_at, sent = False, 0.0, 0
            if not sent:
                await asyncio.sleep(self.settings.outbox_poll_seconds if held else ttl / 3)

    def client(self) -> httpx.AsyncClient:
        """The HTTP client of this loop (kept: connections are reused between batches)."""
        if self._client is None:
            self._client = self._new_client()
        return self._client

    def _new_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self.transport,
            timeout=self.settings.outbox_timeout_s,
            follow_redirects=False,
            headers={"User-Agent": "YiChuang-outbox/1"},
        )

    # --- one batch ---

    async def deliver(
        self, hall: str, name: str, client: httpx.AsyncClient, deadline: float | None = None
    ) -> int:
        """Send the subscriber's next batch in order; returns the events passed (0: idle).

        The batch stops at `deadline` (monotonic), when the lease is due for renewal.
        """
        limit = self.settings.outbox_batch
        plan = await run_in_threadpool(steps.prepare, self.ctx, hall, name, limit)
        if plan is None:
            return 0
        outcome = steps.Outcome(delivered_to=plan.cursor)
        if deadline is None:
            deadline = time.monotonic() + self.settings.outbox_lease_seconds / 3
        for step in plan.steps:
            if step.error is not None:
                outcome.failed, outcome.error = step.event, step.error
                break
            for request in step.requests:
                error = await self._send(client, request)
                if error is not None:
                    outcome.failed, outcome.error = step.event, error
                    break
                if request.key != f"{hall}:{step.event.seq}":
                    # A key that only its own event renders needs no row: the cursor says it.
                    outcome.sent.append((request.key, step.event.seq))
            if outcome.failed is not None:
                break
            outcome.delivered_to = step.event.seq
            outcome.count += 1 if step.requests else 0
            if time.monotonic() > deadline:
                break  # renew the lease before going on
        recorded = await self.write(steps.record, self.ctx, plan, outcome, self.settings)
        if not recorded or outcome.failed is not None:
            return 0
        return outcome.delivered_to - plan.cursor

    async def _send(self, client: httpx.AsyncClient, request: Outgoing) -> str | None:
        """Send one request; None on a 2xx answer, else why it failed."""
        try:
            answer = await client.request(
                request.method, request.url, headers=dict(request.headers), content=request.body
            )
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return f"连接失败：{type(exc).__name__} {exc}".strip()
        if 200 <= answer.status_code < 300:
            return None
        return f"HTTP {answer.status_code}"

    async def pass_once(self) -> int:
        """Deliver everything due to every subscriber this process can hold (tests, bench)."""
        total = 0
        ttl = self.settings.outbox_lease_seconds
        async with self._new_client() as client:
            for hall, name in await run_in_threadpool(steps.subscribers, self.ctx):
                while await self.write(steps.claim, self.ctx, hall, name, self.holder, ttl):
                    sent = await self.deliver(hall, name, client)
                    total += sent
                    if not sent:
                        break
        return total
