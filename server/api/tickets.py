"""Ticket routes: read with waiting estimate，过号取号，cancel，好差评."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import JSONResponse

from server.api.audit import audit_as
from server.api.deps import STAFF, OptionalPrincipal, ServicesDep, in_hall, reply
from server.api.errors import ERROR_RESPONSES
from server.api.idempotency import OnceDep
from server.domain.errors import Forbidden
from server.protocol.models import EvaluationBody, TicketOut
from server.services import ratings, tickets
from server.services.auth import Principal

router = APIRouter(
    prefix="/api/v1/tickets/{ticket_id}", tags=["tickets"], responses=ERROR_RESPONSES
)

Secret = Annotated[str | None, Query(alias="s", max_length=64)]
SecretHeader = Annotated[str | None, Header(alias="X-Ticket-Secret", max_length=64)]


@router.get("", response_model=TicketOut)
async def get(
    ticket_id: str,
    services: ServicesDep,
    who: OptionalPrincipal,
    s: Secret = None,
    x_ticket_secret: SecretHeader = None,
) -> JSONResponse:
    """The ticket with `status`, `waiting_ahead` and `estimated_wait_min`."""
    roles = ("kiosk", "display", *STAFF)
    owner = await _admit(services, ticket_id, who, s or x_ticket_secret, roles)
    staff = bool(who and who.is_staff)
    return reply(
        await services.read(tickets.get_ticket, services.ctx, ticket_id, staff=staff, owner=owner)
    )


@router.post("/requeue", response_model=TicketOut, dependencies=audit_as("requeue"))
async def requeue(
    ticket_id: str,
    services: ServicesDep,
    who: OptionalPrincipal,
    once: OnceDep,
    s: Secret = None,
    x_ticket_secret: SecretHeader = None,
) -> JSONResponse:
    """过号取号：back in the queue per the 过号重排 rule, or 409 with the reason.

    A kiosk that scanned the stub (or found it with the citizen's proof) sends the secret and
    gets it back for the new stub; without it the reply carries none.
    """
    roles = ("kiosk", *STAFF)
    # The secret proves whose stub it is, not the right to requeue: that stays with kiosks.
    secret = (s or x_ticket_secret) if who is not None and who.role in roles else None
    owner = await _admit(services, ticket_id, who, secret, roles)
    claim = once.claim()
    return reply(
        await services.write_once(
            claim, tickets.requeue_ticket, services.ctx, ticket_id, owner=owner
        ),
        claim=claim,
    )


@router.post("/cancel", response_model=TicketOut, dependencies=audit_as("cancel"))
async def cancel(
    ticket_id: str,
    services: ServicesDep,
    who: OptionalPrincipal,
    once: OnceDep,
    s: Secret = None,
    x_ticket_secret: SecretHeader = None,
) -> JSONResponse:
    """The citizen gives up the ticket."""
    owner = await _admit(services, ticket_id, who, s or x_ticket_secret, STAFF)
    claim = once.claim()
    return reply(
        await services.write_once(
            claim, tickets.cancel_ticket, services.ctx, ticket_id, owner=owner
        ),
        claim=claim,
    )


@router.post("/evaluation", response_model=TicketOut, dependencies=audit_as("evaluation"))
async def evaluate(
    ticket_id: str,
    body: EvaluationBody,
    services: ServicesDep,
    who: OptionalPrincipal,
    once: OnceDep,
    s: Secret = None,
    x_ticket_secret: SecretHeader = None,
) -> JSONResponse:
    """好差评：5 非常满意 … 1 非常不满意，once per service; a poor rating names its reasons."""
    ratings.refuse_staff(who.role if who is not None else None)
    owner = await _admit(services, ticket_id, who, s or x_ticket_secret, ("evaluator",))
    # The citizen's own page always offers reasons; only a device may rate without them.
    reasons = body.reasons if who is not None or body.reasons is not None else []
    claim = once.claim(body)
    return reply(
        await services.write_once(
            claim,
            tickets.evaluate_ticket,
            services.ctx,
            ticket_id,
            body.level,
            body.comment,
            reasons,
            owner=owner,
            channel=ratings.channel_of(who.role if who is not None else None),
        ),
        claim=claim,
    )


@router.post(
    "/evaluation/followup", response_model=TicketOut, dependencies=audit_as("evaluation_followup")
)
async def evaluate_again(
    ticket_id: str,
    body: EvaluationBody,
    services: ServicesDep,
    who: OptionalPrincipal,
    once: OnceDep,
    s: Secret = None,
    x_ticket_secret: SecretHeader = None,
) -> JSONResponse:
    """追评：one more rating within the hall's `followup_rating_days`, kept beside the first."""
    ratings.refuse_staff(who.role if who is not None else None)
    owner = await _admit(services, ticket_id, who, s or x_ticket_secret, ("evaluator",))
    reasons = body.reasons if who is not None or body.reasons is not None else []
    claim = once.claim(body)
    return reply(
        await services.write_once(
            claim,
            ratings.add_second_rating,
            services.ctx,
            ticket_id,
            body.level,
            body.comment,
            reasons,
            channel=ratings.channel_of(who.role if who is not None else None),
            owner=owner,
        ),
        claim=claim,
    )


async def _admit(
    services: ServicesDep,
    ticket_id: str,
    who: Principal | None,
    secret: str | None,
    roles: tuple[str, ...] | frozenset[str],
) -> bool:
    """Admit the caller by role or by the ticket secret; True when the secret was proved."""
    if who is not None and who.role in roles:
        in_hall(who, await services.read(tickets.ticket_hall, services.ctx, ticket_id))
        if secret is None:
            return False
    elif who is not None and secret is None:
        raise Forbidden("forbidden", "您没有执行此操作的权限")
    tickets.authorize_owner(services.ctx, ticket_id, secret)
    return True
