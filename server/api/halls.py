"""Hall-level routes: layout, issuing tickets, appointments, device status, events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from server.api.audit import audit_as
from server.api.deps import (
    STAFF,
    SUPERVISORS,
    CurrentPrincipal,
    ServicesDep,
    allow,
    in_hall,
    reply,
)
from server.api.errors import ERROR_RESPONSES
from server.api.idempotency import OnceDep
from server.protocol.models import (
    AppointmentBody,
    AppointmentOut,
    DeviceStatusBody,
    EventsOut,
    FindBody,
    IssueBody,
    TicketOut,
)
from server.services import appointments, devices, live, tickets
from server.services.auth import Principal

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["halls"], responses=ERROR_RESPONSES)

Issuer = Annotated[Principal, Depends(allow("kiosk", *STAFF))]
Booker = Annotated[Principal, Depends(allow("online", "kiosk", *STAFF))]
# A device reports its own health; of the staff only supervisors may correct it.
Reporter = Annotated[Principal, Depends(allow("kiosk", "display", "evaluator", *SUPERVISORS))]
# Bounded here so that SQLite (which would store 8,000 characters) and PostgreSQL agree.
DeviceId = Annotated[str, Path(max_length=devices.MAX_DEVICE_ID)]
Reader = Annotated[Principal, Depends(allow("kiosk", "display", "evaluator", "online", *STAFF))]


@router.get("")
async def hall(hall: str, services: ServicesDep, who: CurrentPrincipal) -> JSONResponse:
    """Layout: areas, queues, windows, matters, guide tree, waiting counts."""
    in_hall(who, hall)
    return reply(await services.read(live.hall_view, services.ctx, hall))


@router.post(
    "/tickets", status_code=201, response_model=TicketOut, dependencies=audit_as("issue_ticket")
)
async def issue(
    hall: str, body: IssueBody, services: ServicesDep, who: Issuer, once: OnceDep
) -> JSONResponse:
    """Take a number (kiosk, or a guide on someone's behalf); a keyed retry gets the same one."""
    in_hall(who, hall)
    req = tickets.IssueRequest(**body.model_dump())
    claim = once.claim(body, 201)
    return reply(
        await services.write_once(
            claim, tickets.issue_ticket, services.ctx, hall, req, by_staff=who.is_staff
        ),
        201,
        claim,
    )


@router.post("/tickets/find", response_model=TicketOut, dependencies=audit_as("find_ticket"))
async def find(hall: str, body: FindBody, services: ServicesDep, who: Issuer) -> JSONResponse:
    """Today's ticket by its printed number; the secret only after the citizen proved it."""
    in_hall(who, hall)
    return reply(
        await services.read(
            tickets.find_ticket,
            services.ctx,
            hall,
            body.number,
            body.id_number,
            staff=who.is_staff,
            appointment_code=body.appointment_code,
        )
    )


@router.post(
    "/appointments",
    status_code=201,
    response_model=AppointmentOut,
    dependencies=audit_as("book_appointment"),
)
async def book(
    hall: str, body: AppointmentBody, services: ServicesDep, who: Booker
) -> JSONResponse:
    """Book an appointment slot (统一预约); check in later with the code at a kiosk."""
    in_hall(who, hall)
    return reply(
        await services.write(
            appointments.book,
            services.ctx,
            hall,
            body.queue,
            body.slot,
            body.applicant_name,
            body.id_number,
            body.phone,
        ),
        201,
    )


@router.post("/devices/{device}/status", dependencies=audit_as("device_status"))
async def device_status(
    hall: str, device: DeviceId, body: DeviceStatusBody, services: ServicesDep, who: Reporter
) -> JSONResponse:
    """Report printer / sign health (the device itself, or a supervisor); changes are events."""
    in_hall(who, hall)
    reporter = None if who.role in SUPERVISORS else who.name
    return reply(
        await services.write(
            devices.report_status, services.ctx, hall, device, body.status, body.detail, reporter
        )
    )


@router.get("/events", response_model=EventsOut)
async def events(
    hall: str,
    services: ServicesDep,
    who: Reader,
    since: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> JSONResponse:
    """Events after `since` in order (polling fallback); a snapshot when it is too old."""
    in_hall(who, hall)
    return reply(await services.read(live.poll, services.ctx, hall, since, limit))
