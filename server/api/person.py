"""A person's own records (个人信息保护法): supervisors find, export and erase them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from server.api.audit import audit_as
from server.api.deps import SUPERVISORS, ServicesDep, allow, in_hall, reply
from server.api.errors import ERROR_RESPONSES
from server.protocol.models import Body
from server.services import audit, audit_read
from server.services import person_records as person_records_service
from server.services.auth import Principal

router = APIRouter(prefix="/api/v1", tags=["person"], responses=ERROR_RESPONSES)


class PersonBody(Body):
    """A person's request: their ID number (hashed at once, never stored or logged)."""

    id_number: str = Field(min_length=15, max_length=18)


async def _hall_supervisor(
    hall: str, who: Annotated[Principal, Depends(allow(*SUPERVISORS))]
) -> Principal:
    in_hall(who, hall)
    return who


HallSupervisor = Annotated[Principal, Depends(_hall_supervisor)]


@router.post("/halls/{hall}/person/records", dependencies=audit_as("person_records"))
async def person_records(
    hall: str, body: PersonBody, services: ServicesDep, _: HallSupervisor
) -> JSONResponse:
    """A person's tickets, appointments and ratings, found by their ID number (supervisors)."""
    found = await services.read(person_records_service.find, services.ctx, hall, body.id_number)
    _note(person_records_service.counts(found))
    return reply(found)


@router.post("/halls/{hall}/person/records.pdf", dependencies=audit_as("person_export"))
async def person_records_pdf(
    hall: str, body: PersonBody, services: ServicesDep, _: HallSupervisor
) -> Response:
    """The same records as a PDF to hand to the person."""
    found = await services.read(person_records_service.find, services.ctx, hall, body.id_number)
    _note(person_records_service.counts(found))
    printed = audit_read.local_now(services.ctx, hall)
    data = await services.read(person_records_service.render_pdf, found, printed)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="person-records.pdf"'},
    )


@router.post("/halls/{hall}/person/erase", dependencies=audit_as("person_erase"))
async def person_erase(
    hall: str, body: PersonBody, services: ServicesDep, _: HallSupervisor
) -> JSONResponse:
    """Erase the person's personal fields where no rule needs them; says what was kept."""
    result = await services.write(person_records_service.erase, services.ctx, hall, body.id_number)
    return reply(result)


def _note(details: dict[str, Any]) -> None:
    slot = audit.current()
    if slot is not None:
        slot.details = details
