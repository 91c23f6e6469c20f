"""差评整改 routes (supervisors): list, show，回访、整改，close."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import Field

from server.api.audit import audit_as
from server.api.deps import ServicesDep, reply
from server.api.errors import ERROR_RESPONSES
from server.api.stats import HallSupervisor
from server.protocol.models import Body
from server.services import followups

router = APIRouter(
    prefix="/api/v1/halls/{hall}/followups", tags=["followups"], responses=ERROR_RESPONSES
)


ItemId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the item's id")]


class CallbackBody(Body):
    """POST …/followups/{id}/callback：回访."""

    multi_line = frozenset({"note"})

    reached: bool
    note: str = Field(min_length=1, max_length=1000)


class NoteBody(Body):
    """POST …/followups/{id}/rectification：整改 (what was done)."""

    multi_line = frozenset({"note"})

    note: str = Field(min_length=1, max_length=1000)


class CloseBody(Body):
    """POST …/followups/{id}/close."""

    multi_line = frozenset({"note"})

    note: str | None = Field(None, max_length=1000)


@router.get("")
async def list_items(
    hall: str,
    services: ServicesDep,
    who: HallSupervisor,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> JSONResponse:
    """The hall's 差评整改 items (`status` open, closed or overdue), earliest deadline first."""
    return reply(await services.read(followups.list_followups, services.ctx, hall, status))


@router.get("/{item_id}")
async def show(
    hall: str, item_id: ItemId, services: ServicesDep, who: HallSupervisor
) -> JSONResponse:
    """One item."""
    return reply(await services.read(followups.show_followup, services.ctx, hall, item_id))


@router.post("/{item_id}/callback", dependencies=audit_as("followup_callback"))
async def callback(
    hall: str, item_id: ItemId, body: CallbackBody, services: ServicesDep, who: HallSupervisor
) -> JSONResponse:
    """回访：whether the citizen was reached and what was said."""
    return reply(
        await services.write(
            followups.record_callback,
            services.ctx,
            hall,
            item_id,
            body.reached,
            body.note,
            who.name,
        )
    )


@router.post("/{item_id}/rectification", dependencies=audit_as("followup_rectification"))
async def rectification(
    hall: str, item_id: ItemId, body: NoteBody, services: ServicesDep, who: HallSupervisor
) -> JSONResponse:
    """整改：what was done."""
    return reply(
        await services.write(
            followups.record_rectification, services.ctx, hall, item_id, body.note, who.name
        )
    )


@router.post("/{item_id}/close", dependencies=audit_as("followup_close"))
async def close(
    hall: str,
    item_id: ItemId,
    services: ServicesDep,
    who: HallSupervisor,
    body: CloseBody | None = None,
) -> JSONResponse:
    """Close the item once its 回访 and 整改 are recorded."""
    note = body.note if body is not None else None
    return reply(
        await services.write(followups.close_followup, services.ctx, hall, item_id, note, who.name)
    )
