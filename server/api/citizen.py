"""Citizen routes of the progress page and the kiosk: SMS opt-in，延后、暂离，live stream."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from server.api.audit import audit_as
from server.api.deps import STAFF, OptionalPrincipal, ServicesDep, reply
from server.api.errors import ERROR_RESPONSES
from server.api.idempotency import OnceDep
from server.api.progress_stream import stream_ticket
from server.api.tickets import _admit
from server.services import citizen, tickets

router = APIRouter(
    prefix="/api/v1/tickets/{ticket_id}", tags=["citizen"], responses=ERROR_RESPONSES
)

Secret = Annotated[str | None, Query(alias="s", max_length=64)]
SecretHeader = Annotated[str | None, Header(alias="X-Ticket-Secret", max_length=64)]
# Who may act for the citizen besides the secret's holder: the kiosk (and staff helping).
HELPERS = ("kiosk", *STAFF)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PhoneBody(_Body):
    """A mainland mobile number for SMS alerts (checked by the notifier: 1[3-9] and 9 digits)."""

    phone: str = Field(max_length=20)


class StepBackBody(_Body):
    """延后 N 位：let this many citizens go first (the hall caps it)."""

    places: int = Field(ge=1, le=1000)


class AwayBody(_Body):
    """暂离：keep my place this many minutes (the hall caps it)."""

    minutes: int = Field(ge=1, le=24 * 60)


@router.post("/phone", dependencies=audit_as("phone_opt_in"))
async def opt_in(
    ticket_id: str,
    body: PhoneBody,
    services: ServicesDep,
    who: OptionalPrincipal,
    once: OnceDep,
    s: Secret = None,
    x_ticket_secret: SecretHeader = None,
) -> JSONResponse:
    """短信提醒：keep a mobile number for the near-turn, call and 过号 messages."""
    await _admit(services, ticket_id, who, s or x_ticket_secret, HELPERS)
    claim = once.claim(body)
    result = await services.write_once(claim, citizen.opt_in, services.ctx, ticket_id, body.phone)
    return reply(result, claim=claim)


@router.delete("/phone", dependencies=audit_as("phone_opt_out"))
async def opt_out(
    ticket_id: str,
    services: ServicesDep,
    who: OptionalPrincipal,
    s: Secret = None,
    x_ticket_secret: SecretHeader = None,
) -> JSONResponse:
    """Stop the SMS alerts; the number is deleted."""
    await _admit(services, ticket_id, who, s or x_ticket_secret, HELPERS)
    return reply(await services.write(citizen.opt_out, services.ctx, ticket_id))


@router.post("/step-back", dependencies=audit_as("step_back"))
async def step_back(
    ticket_id: str,
    body: StepBackBody,
    services: ServicesDep,
    who: OptionalPrincipal,
    once: OnceDep,
    s: Secret = None,
    x_ticket_secret: SecretHeader = None,
) -> JSONResponse:
    """延后 N 位：the next N citizens of the line go first (at most K times per ticket)."""
    owner = await _admit(services, ticket_id, who, s or x_ticket_secret, HELPERS)
    claim = once.claim(body)  # a retried 延后 must not step back twice
    result = await services.write_once(
        claim, citizen.step_back, services.ctx, ticket_id, body.places, owner=owner
    )
    return reply(result, claim=claim)


@router.post("/away", dependencies=audit_as("away"))
async def away(
    ticket_id: str,
    body: AwayBody,
    services: ServicesDep,
    who: OptionalPrincipal,
    once: OnceDep,
    s: Secret = None,
    x_ticket_secret: SecretHeader = None,
) -> JSONResponse:
    """暂离：keep the place for M minutes; not called until back or the time is up."""
    owner = await _admit(services, ticket_id, who, s or x_ticket_secret, HELPERS)
    claim = once.claim(body)
    result = await services.write_once(
        claim, citizen.go_away, services.ctx, ticket_id, body.minutes, owner=owner
    )
    return reply(result, claim=claim)


@router.post("/back", dependencies=audit_as("back"))
async def back(
    ticket_id: str,
    services: ServicesDep,
    who: OptionalPrincipal,
    once: OnceDep,
    s: Secret = None,
    x_ticket_secret: SecretHeader = None,
) -> JSONResponse:
    """我回来了：the ticket may be called again at the place it kept."""
    owner = await _admit(services, ticket_id, who, s or x_ticket_secret, HELPERS)
    claim = once.claim()  # a retry after a lost reply gets the first answer, not 409
    result = await services.write_once(
        claim, citizen.come_back, services.ctx, ticket_id, owner=owner
    )
    return reply(result, claim=claim)


@router.get("/stream")
async def stream(ticket_id: str, services: ServicesDep, s: Secret = None) -> StreamingResponse:
    """Server-sent events: the ticket's public state, again whenever it or its line changes."""
    tickets.authorize_owner(services.ctx, ticket_id, s)
    hall = await run_in_threadpool(tickets.ticket_hall, services.ctx, ticket_id)
    return StreamingResponse(
        stream_ticket(services, ticket_id, hall),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
