"""The hall's busiest routes without FastAPI's per-request machinery.

A kiosk's ticket issue and a pad's call-next and outcome are most of a hall's requests.
FastAPI's routing, dependency solving and body reading cost a quarter of each
(`python -m bench.profile`). For these routes this layer finds the route by its path,
resolves the same dependencies by hand (the services, the caller with the route's own role
check, the Idempotency-Key, the audit action) and calls the same route function, so a
request gets what it would get from FastAPI.

Anything outside the common shape goes on to FastAPI untouched, which answers it as always:
a body that is not JSON or does not validate, another content type. Errors raised on the way
(a refused token, a queue that does not exist) are answered by the app's own exception
handlers, looked up as Starlette's ExceptionMiddleware looks them up.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, get_args

from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.api.deps import current_principal, optional_principal
from server.api.idempotency import Once, caller_of

HOT = (
    ("POST", "/api/v1/halls/{hall}/tickets"),
    ("POST", "/api/v1/halls/{hall}/windows/{code}/call-next"),
    ("POST", "/api/v1/halls/{hall}/windows/{code}/outcome"),
)
# what the route functions may ask for; a route that asks for more is not served here
_KNOWN = frozenset({"hall", "code", "body", "services", "who", "once"})


@dataclass(frozen=True)
class _Route:
    """One hot route: its FastAPI route, and what its function needs."""

    route: APIRoute
    pattern: re.Pattern[str]
    body: type[BaseModel] | None
    admit: Callable[..., Awaitable[Any]]  # the `who` dependency: the route's role check
    mark: Callable[[Request], Awaitable[None]]  # the audit action (`audit_as`)


class Hot:
    """ASGI layer in front of FastAPI: serves the HOT routes, passes everything else on."""

    def __init__(self, app: ASGIApp, fastapi: FastAPI) -> None:
        self.app, self.fastapi = app, fastapi
        self.routes: list[_Route] | None = None  # built on first use: routes come after us

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a hot route, or pass the request on."""
        # behind a proxy's path prefix FastAPI's routing knows what to strip: leave it to it
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path"):
            await self.app(scope, receive, send)
            return
        if self.routes is None:
            self.routes = hot_routes(self.fastapi)
        path = scope["path"]
        for hot in self.routes:
            found = hot.pattern.match(path)
            if found is not None:
                await self._serve(hot, found.groupdict(), scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _serve(
        self, hot: _Route, params: dict[str, str], scope: Scope, receive: Receive, send: Send
    ) -> None:
        body: BaseModel | None = None
        if hot.body is not None:
            raw = await _read(receive)
            body = _parsed(hot.body, scope, raw)
            if body is None:  # FastAPI answers it (422, 400 …) exactly as it always did
                await self.app(scope, _replay(raw, receive), send)
                return
        scope["route"], scope["path_params"] = hot.route, params
        request = Request(scope, receive)
        try:
            response = await self._call(hot, params, body, request)
        except Exception as exc:
            handler = self._handler(exc)
            if handler is None:
                raise  # the catch-all outside answers 500, as for any route
            response = handler(request, exc)
            if inspect.isawaitable(response):  # every handler of ours is async
                response = await response
        await response(scope, receive, send)

    async def _call(
        self, hot: _Route, params: dict[str, str], body: BaseModel | None, request: Request
    ) -> Any:
        await hot.mark(request)
        services = self.fastapi.state.services
        principal = await current_principal(await optional_principal(request, services))
        who = await hot.admit(principal)
        key = request.headers.get("idempotency-key")
        once = Once(caller_of(who, request), key, "POST", request.url.path)
        args: dict[str, Any] = {**params, "services": services, "who": who, "once": once}
        if body is not None:
            args["body"] = body
        return await hot.route.endpoint(**args)

    def _handler(self, exc: Exception) -> Callable[..., Any] | None:
        """The app's handler for `exc` by its class's MRO, but not the 500 catch-all."""
        for kind in type(exc).__mro__:
            if kind is Exception:
                return None
            handler = self.fastapi.exception_handlers.get(kind)
            if handler is not None:
                return handler
        return None


def api_routes(app: FastAPI) -> list[APIRoute]:
    """Every APIRoute of the app, flat (FastAPI keeps included routers nested)."""
    stack, found = list(app.routes), []
    while stack:
        route = stack.pop()
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            stack.extend(route.original_router.routes)
    return found


def hot_routes(app: FastAPI) -> list[_Route]:
    """The HOT routes of `app`, checked: each asks only for what this layer can give."""
    found = []
    for method, path in HOT:
        route = next(r for r in api_routes(app) if r.path == path and method in (r.methods or ()))
        # the modules postpone annotations: resolve them as FastAPI does
        wants = inspect.get_annotations(route.endpoint, eval_str=True)
        wants.pop("return", None)
        if not set(wants) <= _KNOWN:
            raise RuntimeError(f"hot route {path} asks for {sorted(set(wants) - _KNOWN)}")
        (mark,) = (d.dependency for d in route.dependencies)
        (check,) = get_args(wants["who"])[1:]  # Annotated[Principal, Depends(allow(…))]
        found.append(
            _Route(
                route,
                re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$"),
                wants.get("body"),
                check.dependency,
                mark,  # type: ignore[arg-type]
            )
        )
    return found


def _parsed(model: type[BaseModel], scope: Scope, raw: bytes) -> BaseModel | None:
    """The body as `model` when it is JSON and valid; None leaves it to FastAPI."""
    content_type = _header(scope, b"content-type")
    if content_type is None or content_type.split(b";")[0].strip().lower() != b"application/json":
        return None
    try:
        return model.model_validate(json.loads(raw))
    except (ValueError, ValidationError, RecursionError):
        return None


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def _read(receive: Receive) -> bytes:
    """The whole request body (its size is bounded by the Edge layer)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(raw: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body read already, then whatever comes next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return replay
