"""Idempotency-Key on writes, and the look-up of what happened to a key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from server.api.deps import CurrentPrincipal, OptionalPrincipal, ServicesDep, in_hall, reply
from server.api.errors import ERROR_RESPONSES
from server.services import idempotency
from server.services.auth import Principal
from server.services.idempotency import Claim

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["halls"], responses=ERROR_RESPONSES)
KeyHeader = Annotated[str | None, Header(alias="Idempotency-Key")]


def caller_of(who: Principal | None, request: Request) -> str:
    """Whose key space a request uses: the staff user or device, or the ticket's owner."""
    if who is not None:
        return f"{who.role}:{who.name}"[:80]
    return f"owner:{request.path_params.get('ticket_id', '')}"[:80]


@dataclass(frozen=True)
class Once:
    """The Idempotency-Key of a request (or None) and who sent it."""

    caller: str
    key: str | None
    method: str
    path: str

    def claim(self, body: BaseModel | None = None, status: int = 200) -> Claim | None:
        """The claim for the writer, fingerprinting the route and the parsed body."""
        data: Any = body.model_dump(mode="json") if body is not None else None
        return idempotency.make_claim(self.caller, self.key, self.method, self.path, data, status)


async def once(request: Request, who: OptionalPrincipal, key: KeyHeader = None) -> Once:
    """The request's Once (its key is checked when the claim is made)."""
    return Once(caller_of(who, request), key, request.method, request.url.path)


OnceDep = Annotated[Once, Depends(once)]


@router.get("/idempotency/{key}")
async def lookup(
    hall: str, key: str, request: Request, services: ServicesDep, who: CurrentPrincipal
) -> JSONResponse:
    """What happened to a write sent with this key by the same caller (404: not executed)."""
    in_hall(who, hall)
    caller = caller_of(who, request)
    return reply(await services.write(idempotency.lookup, services.ctx, hall, caller, key))
