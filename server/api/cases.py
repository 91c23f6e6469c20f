"""Case routes: a case and its steps (department page，出件 window, outside case systems)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import JSONResponse

from server.api.audit import audit_as
from server.api.deps import ServicesDep, allow, in_hall, reply
from server.api.errors import ERROR_RESPONSES
from server.domain.errors import Forbidden
from server.protocol.case_models import CaseNoBody, CaseStepBody
from server.services import case_docs, cases
from server.services.auth import Principal

router = APIRouter(prefix="/api/v1", tags=["cases"], responses=ERROR_RESPONSES)
CASE_READERS = ("clerk", "supervisor", "admin", "department", "integration")


@router.get("/halls/{hall}/cases/{case_no}")
async def get_case(
    hall: str,
    case_no: str,
    services: ServicesDep,
    who: Principal = Depends(allow(*CASE_READERS)),
) -> JSONResponse:
    """A case and its steps (department staff: only their departments' cases)."""
    in_hall(who, hall)
    return reply(await services.read(cases.get_case, services.ctx, hall, case_no, who))


@router.post("/halls/{hall}/cases/{case_no}/steps", dependencies=audit_as("case_step"))
async def add_step(
    hall: str,
    case_no: str,
    body: CaseStepBody,
    services: ServicesDep,
    who: Principal = Depends(allow(*CASE_READERS)),
) -> JSONResponse:
    """Record a step; an outside system's `step_id` seen before answers as the first time."""
    in_hall(who, hall)
    if (body.at is not None or body.step_id is not None) and who.role != "integration":
        raise Forbidden("integration_only", "只有对接的办件系统可以指定环节时间或环节编号")
    detail: dict[str, Any] = body.model_dump(include={"opinion", "materials", "tracking_no"})
    return reply(
        await services.write(
            cases.record_step,
            services.ctx,
            hall,
            case_no,
            who,
            body.step,
            {k: v for k, v in detail.items() if v is not None},
            body.at,
            body.step_id,
        )
    )


@router.get("/halls/{hall}/tickets/{ticket_id}/case")
async def ticket_case(
    hall: str,
    ticket_id: str,
    services: ServicesDep,
    who: Principal = Depends(allow("clerk", "supervisor", "admin")),
) -> JSONResponse:
    """The case a ticket led to (the 出件 window finds it from the citizen's stub)."""
    in_hall(who, hall)
    return reply(await services.read(cases.ticket_case, services.ctx, hall, ticket_id))


@router.put("/tickets/{ticket_id}/case", dependencies=audit_as("case_number"))
async def put_case_no(
    ticket_id: str,
    body: CaseNoBody,
    services: ServicesDep,
    who: Principal = Depends(allow("clerk", "supervisor", "admin")),
) -> JSONResponse:
    """办件编号 of a served ticket: the clerk who served it (that day) or a supervisor."""
    hall = await services.read(cases.hall_of_ticket, services.ctx, ticket_id)
    in_hall(who, hall)
    return reply(
        await services.write(cases.set_case_no, services.ctx, hall, ticket_id, body.case_no, who)
    )


@router.get(
    "/halls/{hall}/cases/{case_no}/documents/{kind}",
    dependencies=audit_as("case_document"),
    responses={
        200: {
            "content": {"application/pdf": {}, "application/octet-stream": {}},
            "description": "JSON (format=json), PDF (pdf) or ESC/POS receipt bytes (escpos)",
        }
    },
)
async def document(
    hall: str,
    case_no: str,
    kind: str,
    services: ServicesDep,
    who: Principal = Depends(allow("clerk", "supervisor", "admin", "department")),
    fmt: Annotated[Literal["json", "pdf", "escpos"], Query(alias="format")] = "json",
    materials: Annotated[list[str] | None, Query(max_length=case_docs.MAX_MATERIALS)] = None,
    profile: Annotated[str, Query(max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")] = (
        "xprinter-xp80c"
    ),
) -> Response:
    """申请材料交接确认单 (handover)，审查意见一次性告知单 (opinion) or 办结通知书 (result)."""
    in_hall(who, hall)
    doc = await services.read(case_docs.case_doc, services.ctx, hall, case_no, kind, who, materials)
    if fmt == "json":
        return reply(case_docs.doc_view(doc))
    name = f"{doc.case_no}-{kind}"
    if fmt == "pdf":
        pdf = await services.read(case_docs.render_pdf, doc)
        return Response(pdf, media_type="application/pdf", headers=_attachment(f"{name}.pdf"))
    receipt = await services.read(case_docs.render_receipt, doc, profile)
    return Response(
        receipt, media_type="application/octet-stream", headers=_attachment(f"{name}.bin")
    )


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
