"""Synchronous code run on the event loop that lends the loop back while it waits (greenlets).

The write use cases and the store are synchronous. `run` starts one in a greenlet on the
loop's thread; where it would block on a socket (waiting for PostgreSQL: wire.py's
pipelines, and every other statement through green_pg.GreenConnection), `wait` switches
back to `run`, which awaits readiness on the loop and switches in again with the result.
The loop serves other requests meanwhile. Each greenlet has its own copy of the context, so
the context variables of a use case stay its own.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Any

import greenlet


class _Green(greenlet.greenlet):  # type: ignore[misc]
    """A greenlet run by `run`: `wait` may hand the loop an awaitable."""


async def run(fn: Callable[..., Any], *args: Any) -> Any:
    """Run `fn(*args)` on the loop's thread; each `wait` inside it awaits without blocking."""
    child = _Green(lambda: fn(*args), parent=greenlet.getcurrent())
    child.gr_context = contextvars.copy_context()
    asked = child.switch()
    while not child.dead:
        try:
            value = await asked
        except BaseException as exc:  # the waiter's to handle, as an await's would be
            asked = child.throw(exc)
        else:
            asked = child.switch(value)
    return asked


def inside() -> bool:
    """Whether the caller runs in a greenlet of `run` (so `wait` may be used)."""
    return isinstance(greenlet.getcurrent(), _Green)


def wait(awaitable: Awaitable[Any]) -> Any:
    """Inside `run`: hand `awaitable` to the loop and return its result."""
    return greenlet.getcurrent().parent.switch(awaitable)


READ, WRITE = 1, 2  # what `ready` reports (psycopg's Ready.R and Ready.W)


async def ready(fd: int, *, write: bool = False) -> int:
    """Until `fd` can be read (with `write`: or written); READ or WRITE, whichever came first."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[int] = loop.create_future()

    def wake(what: int) -> None:
        if not done.done():
            done.set_result(what)

    loop.add_reader(fd, wake, READ)
    if write:
        loop.add_writer(fd, wake, WRITE)
    try:
        return await done
    finally:
        loop.remove_reader(fd)
        if write:
            loop.remove_writer(fd)
