"""Window routes: the clerk pad's buttons (DESIGN §4).

Every button takes an `Idempotency-Key`: a retry after a lost reply gets the first answer.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from server.api.audit import audit_as
from server.api.deps import Clerk, ServicesDep, Supervisor, in_hall, reply
from server.api.errors import ERROR_RESPONSES
from server.api.idempotency import OnceDep
from server.protocol.models import (
    CallBody,
    OutcomeBody,
    PauseBody,
    QueuesBody,
    TicketOut,
    TransferBody,
    WalkInBody,
    WindowOut,
)
from server.services import transfers, windows

router = APIRouter(
    prefix="/api/v1/halls/{hall}/windows/{code}", tags=["windows"], responses=ERROR_RESPONSES
)


@router.post("/sign-in", response_model=WindowOut, dependencies=audit_as("window_sign_in"))
async def sign_in(
    hall: str, code: str, services: ServicesDep, who: Clerk, once: OnceDep
) -> JSONResponse:
    """Bind the clerk to the window and open it."""
    in_hall(who, hall)
    claim = once.claim()
    return reply(
        await services.write_once(claim, windows.sign_in, services.ctx, hall, code, who.name),
        claim=claim,
    )


@router.post("/sign-out", response_model=WindowOut, dependencies=audit_as("window_sign_out"))
async def sign_out(
    hall: str, code: str, services: ServicesDep, who: Clerk, once: OnceDep
) -> JSONResponse:
    """Close the window (it pauses instead while a ticket awaits its outcome)."""
    in_hall(who, hall)
    claim = once.claim()
    return reply(
        await services.write_once(claim, windows.sign_out, services.ctx, hall, code, who.name),
        claim=claim,
    )


@router.post("/call-next", response_model=TicketOut, dependencies=audit_as("call_next"))
async def call_next(
    hall: str, code: str, services: ServicesDep, who: Clerk, once: OnceDep
) -> JSONResponse:
    """叫号：the called ticket, or 404 `no_waiting_ticket`."""
    in_hall(who, hall)
    claim = once.claim()
    return reply(
        await services.write_once(claim, windows.call_next, services.ctx, hall, code, who.name),
        claim=claim,
    )


@router.post("/call", response_model=TicketOut, dependencies=audit_as("call"))
async def call(
    hall: str, code: str, body: CallBody, services: ServicesDep, who: Clerk, once: OnceDep
) -> JSONResponse:
    """选号：call a specific waiting ticket (logged as out of order)."""
    in_hall(who, hall)
    claim = once.claim(body)
    return reply(
        await services.write_once(
            claim, windows.call_ticket, services.ctx, hall, code, who.name, body.ticket
        ),
        claim=claim,
    )


@router.post("/recall", response_model=TicketOut, dependencies=audit_as("recall"))
async def recall(
    hall: str, code: str, services: ServicesDep, who: Clerk, once: OnceDep
) -> JSONResponse:
    """重呼：call the current ticket again."""
    in_hall(who, hall)
    claim = once.claim()
    return reply(
        await services.write_once(claim, windows.recall, services.ctx, hall, code, who.name),
        claim=claim,
    )


@router.post("/outcome", response_model=TicketOut, dependencies=audit_as("outcome"))
async def outcome(
    hall: str, code: str, body: OutcomeBody, services: ServicesDep, who: Clerk, once: OnceDep
) -> JSONResponse:
    """Record 受理 `accepted`，咨询 `consulted`，不予受理 `rejected` or 过号 `no_show`."""
    in_hall(who, hall)
    claim = once.claim(body)
    return reply(
        await services.write_once(
            claim,
            windows.record_outcome,
            services.ctx,
            hall,
            code,
            who.name,
            body.outcome,
            body.reason,
            body.ticket,
            body.matter,
            body.case_no,
        ),
        claim=claim,
    )


@router.post("/transfer", response_model=TicketOut, dependencies=audit_as("transfer"))
async def transfer(
    hall: str, code: str, body: TransferBody, services: ServicesDep, who: Clerk, once: OnceDep
) -> JSONResponse:
    """转移：move the current ticket to another queue or window."""
    in_hall(who, hall)
    claim = once.claim(body)
    return reply(
        await services.write_once(
            claim,
            transfers.transfer,
            services.ctx,
            hall,
            code,
            who.name,
            body.queue,
            body.window,
            body.note,
            body.wait_for_window,
            body.ticket,
        ),
        claim=claim,
    )


@router.post("/pause", response_model=WindowOut, dependencies=audit_as("pause"))
async def pause(
    hall: str,
    code: str,
    services: ServicesDep,
    who: Clerk,
    once: OnceDep,
    body: PauseBody | None = None,
) -> JSONResponse:
    """暂停 with a reason (午休、临时离开、业务咨询 …)."""
    in_hall(who, hall)
    reason = body.reason if body else None
    claim = once.claim(body)
    return reply(
        await services.write_once(claim, windows.pause, services.ctx, hall, code, who.name, reason),
        claim=claim,
    )


@router.post("/resume", response_model=WindowOut, dependencies=audit_as("resume"))
async def resume(
    hall: str, code: str, services: ServicesDep, who: Clerk, once: OnceDep
) -> JSONResponse:
    """恢复服务."""
    in_hall(who, hall)
    claim = once.claim()
    return reply(
        await services.write_once(claim, windows.resume, services.ctx, hall, code, who.name),
        claim=claim,
    )


@router.put("/queues", response_model=WindowOut, dependencies=audit_as("tidal_change"))
async def set_queues(
    hall: str, code: str, body: QueuesBody, services: ServicesDep, who: Supervisor
) -> JSONResponse:
    """潮汐：change the queues the window serves."""
    in_hall(who, hall)
    return reply(await services.write(windows.set_queues, services.ctx, hall, code, body.queues))


@router.post("/walk-in", status_code=201, dependencies=audit_as("walk_in"))
async def walk_in(
    hall: str, code: str, body: WalkInBody, services: ServicesDep, who: Clerk, once: OnceDep
) -> JSONResponse:
    """Record work done without a ticket (counted as 未叫号即办理)."""
    in_hall(who, hall)
    claim = once.claim(body, 201)
    return reply(
        await services.write_once(
            claim, windows.walk_in, services.ctx, hall, code, who.name, body.outcome, body.matter
        ),
        201,
        claim,
    )
