"""A psycopg connection whose waits for PostgreSQL lend the event loop back inside a greenlet.

psycopg runs each operation as a generator of "wait for the socket" steps and drives it with
a blocking `select`. A use case running on the loop (server/store/green.py) that reads
through SQLAlchemy (the staff session, a device token, the security settings, a ticket's
service times) blocked the whole loop for each round trip: a province run on one box spent a
fifth of its loop time there (py-spy), while the loop's other requests and screens waited.
Here the same steps wait on the loop instead; outside a greenlet, or with a timeout (psycopg's
own `notifies`, cancels), psycopg's blocking wait runs as before.
"""

from __future__ import annotations

from typing import Any, TypeVar

import psycopg
from psycopg.abc import PQGen
from psycopg.waiting import Ready, Wait

from server.store import green

RV = TypeVar("RV")


class GreenConnection(psycopg.Connection[Any]):
    """psycopg's connection; inside `green.run`, a wait switches to the loop until ready."""

    def wait(self, gen: PQGen[RV], interval: float = 0.1, timeout: float | None = None) -> RV:
        """Drive `gen` to its end (see psycopg.Connection.wait)."""
        if timeout is not None or not green.inside():
            return super().wait(gen, interval, timeout)
        fd = self.pgconn.socket
        try:
            step = next(gen)
            while True:
                got = green.wait(green.ready(fd, write=bool(step & Wait.W)))
                step = gen.send(Ready(got))
        except StopIteration as done:
            result: RV = done.value
            return result
        except BaseException:
            # Thrown in while waiting (the request cancelled, the loop closing): the statement
            # may still be running, so the connection is closed, not handed out again
            # (psycopg does the same when a wait of its own is interrupted).
            self.close()
            raise
