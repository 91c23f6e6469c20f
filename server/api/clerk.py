"""Extra routes the clerk pads need: window context and printable notices (issue 5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from server.api.audit import audit_as
from server.api.deps import ServicesDep, Staff, in_hall, reply
from server.api.errors import ERROR_RESPONSES
from server.protocol.clerk import (
    NoticeFormat,
    NoticeKindName,
    NoticeOut,
    ReasonsOut,
    WindowContextOut,
)
from server.services import clerk, notices

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["clerk pad"], responses=ERROR_RESPONSES)

Materials = Annotated[list[str] | None, Query(max_length=notices.MAX_MATERIALS)]
Note = Annotated[str | None, Query(max_length=200)]
Profile = Annotated[str, Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")]


@router.get("/windows")
async def window_choices(hall: str, services: ServicesDep, who: Staff) -> JSONResponse:
    """The window picker: every window with its state, its clerk's name and `mine`."""
    in_hall(who, hall)
    return reply(await services.read(clerk.window_choices, services.ctx, hall, who.name))


@router.get("/windows/{code}/context", response_model=WindowContextOut)
async def window_context(hall: str, code: str, services: ServicesDep, who: Staff) -> JSONResponse:
    """The window, its current ticket, served queues, next numbers and my counts today."""
    in_hall(who, hall)
    return reply(await services.read(clerk.window_context, services.ctx, hall, code, who.name))


@router.get("/rejection-reasons", response_model=ReasonsOut)
async def rejection_reasons(hall: str, services: ServicesDep, who: Staff) -> JSONResponse:
    """The 不予受理 reasons the pads offer (free text may be added)."""
    in_hall(who, hall)
    return reply(await services.read(clerk.rejection_reasons, services.ctx, hall))


@router.get(
    "/tickets/{ticket_id}/notice",
    dependencies=audit_as("download"),
    response_model=NoticeOut,
    responses={
        200: {
            "content": {"application/pdf": {}, "application/octet-stream": {}},
            "description": "JSON (format=json), PDF (pdf) or ESC/POS receipt bytes (escpos)",
        }
    },
)
async def notice(
    hall: str,
    ticket_id: str,
    services: ServicesDep,
    who: Staff,
    kind: NoticeKindName,
    fmt: Annotated[NoticeFormat, Query(alias="format")] = "json",
    materials: Materials = None,
    note: Note = None,
    profile: Profile = "xprinter-xp80c",
) -> Response:
    """受理通知书 (accepted)，不予受理凭证 (rejected) or 一次性告知书 (missing) of a ticket."""
    in_hall(who, hall)
    doc = await services.read(
        notices.notice_for, services.ctx, hall, ticket_id, kind, materials, note, who.name
    )
    if fmt == "json":
        return reply(notices.notice_view(doc))
    name = f"{doc.number}-{kind}"
    if fmt == "pdf":
        pdf = await services.read(notices.render_pdf, doc)
        return Response(pdf, media_type="application/pdf", headers=_attachment(f"{name}.pdf"))
    receipt = await services.read(notices.render_receipt, doc, profile)
    return Response(
        receipt, media_type="application/octet-stream", headers=_attachment(f"{name}.bin")
    )


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
