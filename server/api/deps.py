"""Request dependencies: the services container and who the caller is."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from server.api.errors import NotInHall
from server.config import Settings
from server.domain.errors import Forbidden, Unauthorized
from server.observability import Metrics
from server.realtime.hub import Hub
from server.realtime.pg import PgRelay
from server.realtime.sockets import SocketRegistry
from server.services import audit
from server.services.auth import Authenticator, Principal
from server.services.context import Context
from server.services.housekeeping import Housekeeping
from server.services.idempotency import Claim, run_claimed
from server.services.writer import GreenWriter, LoopWriter, Writer
from server.store import green

T = TypeVar("T")
STAFF = frozenset({"clerk", "supervisor", "admin"})
SUPERVISORS = frozenset({"supervisor", "admin"})
# 三员分立 (issue 19): the security administrator and the auditor are nobody's staff
SECURITY = frozenset({"security"})
AUDITORS = frozenset({"auditor"})
_OWN = r"/api/v1/auth/(me|logout|password)"
DUTIES = {
    "auditor": re.compile(rf"^({_OWN}|/api/v1/halls/[^/]+/audit(/export\.[a-z]+)?)$"),
    "security": re.compile(rf"^({_OWN}|/api/v1/halls/[^/]+/security-settings)$"),
}
BACKGROUND_HEADER = "x-background-refresh"  # "1": a timer asked, not the person
# what a session that must first change its initial password may still do
PASSWORD_CHANGE_PATHS = frozenset(
    {"/api/v1/auth/password", "/api/v1/auth/me", "/api/v1/auth/logout"}
)


@dataclass
class Services:
    """Everything a route needs, built once per process by create_app."""

    settings: Settings
    ctx: Context
    auth: Authenticator
    hub: Hub
    relay: PgRelay | None = None
    metrics: Metrics = field(default_factory=Metrics)
    writer: Writer = field(init=False)
    sockets: SocketRegistry = field(init=False)
    housekeeping: Housekeeping = field(init=False)
    _glances: asyncio.Semaphore = field(init=False)  # PostgreSQL: sessions read on the loop

    def __post_init__(self) -> None:
        self.sockets = SocketRegistry(self.settings.live_sockets_per_token)
        # SQLite takes one writer at a time: the event loop batches what queues up in a turn.
        # On PostgreSQL several halls may be written at once, each batch in one hall.
        self.writer = LoopWriter(self.ctx) if self.ctx.db.is_sqlite else GreenWriter(self.ctx)
        self.housekeeping = Housekeeping(self.ctx, self.settings.event_keep_days)
        self._glances = asyncio.Semaphore(max(1, self.ctx.db.pool_capacity // 4))

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a write use case in a batch, on the event loop (`server/services/writer.py`)."""
        job = partial(fn, *args, **kwargs)
        future = self.writer.submit(audit.in_transaction(self.ctx, job), self._hall(args))
        result: T = await asyncio.wrap_future(future)
        audit.committed()
        return result

    async def write_once(
        self, claim: Claim | None, fn: Callable[..., T], *args: Any, **kwargs: Any
    ) -> T:
        """`write` with an Idempotency-Key claim: a retry gets the first answer back."""
        job = partial(run_claimed, claim, fn, *args, **kwargs)
        future = self.writer.submit(audit.in_transaction(self.ctx, job), self._hall(args))
        result: T = await asyncio.wrap_future(future)
        audit.committed()
        return result

    def _hall(self, args: tuple[Any, ...]) -> str | None:
        """What picks the writer lane: the hall of a use case called as `fn(ctx, hall, …)`.

        Use cases that start from a ticket (`fn(ctx, ticket_id, …)`) give its random id, so
        any lane: the lane is a matter of speed only, since every lane writes every hall.
        """
        if len(args) > 1 and args[0] is self.ctx and isinstance(args[1], str):
            return args[1]
        return None

    async def authenticate(self, token: str, *, touch: bool) -> Principal | None:
        """The principal of a bearer token that is not in the cache (`Authenticator`).

        On SQLite this is one indexed read of a local file, cheaper on the event loop than the
        hop to a thread and back (which cost a staff request a third of its time). Not while
        a thread holds the write turn: the session's occasional touch would wait for it.
        On PostgreSQL it runs on the loop too, in a greenlet that lends the loop back while
        the session is read; a few at a time, so that they leave the writer its connections.
        """
        lock = self.ctx.db.write_lock
        if lock is not None and lock.acquire(blocking=False):  # SQLite, no thread writing
            try:
                return self.auth.authenticate(token, touch=touch)
            finally:
                lock.release()
        if lock is None:
            async with self._glances:
                found: Principal | None = await green.run(
                    partial(self.auth.authenticate, token, touch=touch)
                )
                return found
        return await run_in_threadpool(self.auth.authenticate, token, touch=touch)

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a read use case off the event loop, on the shared thread pool."""
        return await run_in_threadpool(fn, *args, **kwargs)


async def get_services(request: Request) -> Services:
    """The app's services container."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def reply(data: Any, status: int = 200, claim: Claim | None = None) -> JSONResponse:
    """Send a view as JSON as it is (a replayed keyed write: the first status, marked).

    The views are built by our own code; validating them again against the response model
    (which stays declared for the OpenAPI document) would only cost time on every request.
    """
    if claim is not None and claim.replayed:
        headers = {"Idempotent-Replayed": "true"}
        return JSONResponse(data, status_code=claim.status, headers=headers)
    return JSONResponse(data, status_code=status)


def bearer(request: Request) -> str | None:
    """The bearer token of the request, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def optional_principal(request: Request, services: ServicesDep) -> Principal | None:
    """The caller, or None for anonymous requests (ticket owners use the ticket secret)."""
    token = bearer(request)
    if token is None:
        return None
    # Dependencies are async so that a request does not hop threads for each of them;
    # only a token missing from the cache costs a (threaded) database read.
    principal = services.auth.cached(token)
    if principal is None:
        # A page's automatic refresh is no sign of a person at the screen (idle timeout).
        touch = request.headers.get(BACKGROUND_HEADER) != "1"
        principal = await services.authenticate(token, touch=touch)
    if principal is None:
        raise Unauthorized("invalid_token", "登录已过期或令牌无效，请重新登录")
    audit.note_principal(principal.kind, principal.name, principal.role, principal.hall)
    _refuse_outside_own_duty(principal, request.url.path)
    if principal.must_change and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise Forbidden("password_change_required", "请先修改初始密码，然后再进行其他操作")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


async def current_principal(principal: OptionalPrincipal) -> Principal:
    """The caller; anonymous requests are refused."""
    if principal is None:
        raise Unauthorized("unauthorized", "请先登录")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def _refuse_outside_own_duty(principal: Principal, path: str) -> None:
    """三员分立：the security administrator and the auditor may do their own duty only.

    Checked here, for every route at once, so that a route added later cannot forget it.
    """
    duty = DUTIES.get(principal.role) if principal.is_staff else None
    if duty is not None and not duty.match(path):
        raise Forbidden("forbidden", "您没有执行此操作的权限")


def allow(*roles: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that admits only the given staff roles or device kinds."""
    admitted = frozenset(roles)

    async def check(principal: CurrentPrincipal) -> Principal:
        if principal.role not in admitted:
            raise Forbidden("forbidden", "您没有执行此操作的权限")
        return principal

    return check


def in_hall(principal: Principal, hall: str) -> None:
    """Refuse callers from another hall (administrators may act in every hall).

    The refusal becomes 404 `unknown_hall` when there is no such hall at all.
    """
    if principal.hall != hall and principal.role != "admin":
        raise NotInHall(hall)


Staff = Annotated[Principal, Depends(allow(*STAFF))]
Supervisor = Annotated[Principal, Depends(allow(*SUPERVISORS))]
Clerk = Staff  # any signed-in staff member may staff a window; the window checks who
