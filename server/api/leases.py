"""Lease routes: one holder per hall for a role such as the hall announcer (播报主机)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from server.api.audit import audit_as
from server.api.deps import STAFF, SUPERVISORS, ServicesDep, allow, in_hall, reply
from server.api.errors import ERROR_RESPONSES
from server.protocol.models import Body
from server.services import leases
from server.services.auth import Principal

router = APIRouter(
    prefix="/api/v1/halls/{hall}/leases/{name}", tags=["leases"], responses=ERROR_RESPONSES
)

LeaseName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{0,31}$")]
Holder = Annotated[Principal, Depends(allow("display"))]
Releaser = Annotated[Principal, Depends(allow("display", *SUPERVISORS))]
Reader = Annotated[Principal, Depends(allow("display", *STAFF))]


class LeaseBody(Body):
    """PUT …/leases/{name}: who asks, and for how long (renew before it runs out)."""

    holder: str = Field(min_length=1, max_length=100)
    ttl_seconds: int = Field(15, ge=leases.MIN_TTL, le=leases.MAX_TTL)


class LeaseOut(BaseModel):
    """A lease as it stands."""

    hall: str
    name: str
    holder: str
    acquired_at: str
    expires_at: str
    live: bool
    server_time: str


@router.get("", response_model=LeaseOut)
async def get_lease(hall: str, name: LeaseName, services: ServicesDep, who: Reader) -> JSONResponse:
    """Who holds the role now (404 `unknown_lease` when nobody does)."""
    in_hall(who, hall)
    return reply(await services.read(leases.current, services.ctx, hall, name))


@router.put("", response_model=LeaseOut, dependencies=audit_as("lease_take"))
async def acquire_lease(
    hall: str, name: LeaseName, body: LeaseBody, services: ServicesDep, who: Holder
) -> JSONResponse:
    """Take or renew the role; 409 `lease_held` while another holder's lease runs."""
    in_hall(who, hall)
    return reply(
        await services.write(
            leases.acquire, services.ctx, hall, name, body.holder, body.ttl_seconds
        )
    )


@router.delete("", dependencies=audit_as("lease_release"))
async def release_lease(
    hall: str,
    name: LeaseName,
    services: ServicesDep,
    who: Releaser,
    holder: Annotated[str | None, Query(max_length=100)] = None,
) -> JSONResponse:
    """Give the role up (its holder), or end it for anyone (supervisor, admin)."""
    in_hall(who, hall)
    return reply(
        await services.write(leases.release, services.ctx, hall, name, holder, force=who.is_staff)
    )
