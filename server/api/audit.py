"""The audit trail's route dependency, the auditor's routes, security settings, passwords."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from server.api.deps import (
    AUDITORS,
    SECURITY,
    CurrentPrincipal,
    ServicesDep,
    allow,
    in_hall,
    reply,
)
from server.api.errors import ERROR_RESPONSES
from server.domain.errors import Forbidden, NotFound
from server.protocol.models import Body
from server.services import audit, audit_read, security_settings
from server.services.auth import Principal

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=ERROR_RESPONSES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def audited(action: str, *, always: bool = False) -> Callable[[Request], Awaitable[None]]:
    """A route dependency: this route's calls go into the audit trail as `action`.

    Put it first in the route's `dependencies=[…]` so that refusals are recorded too.
    The object is the route's path values (hall, window, ticket …), never a body.
    """

    async def mark(request: Request) -> None:
        slot = audit.current()
        if slot is None:
            return
        slot.action, slot.always = action, always
        params = dict(request.path_params)
        slot.hall = params.pop("hall", None) or slot.hall
        slot.object = "/".join(f"{k}={v}" for k, v in sorted(params.items()))

    mark.audit_action = action  # type: ignore[attr-defined]  # the route walk finds it here
    return mark


async def _hall_auditor(hall: str, who: Annotated[Principal, Depends(allow(*AUDITORS))]) -> None:
    in_hall(who, hall)


async def _hall_security(
    hall: str, who: Annotated[Principal, Depends(allow(*SECURITY))]
) -> Principal:
    in_hall(who, hall)
    return who


HallAuditor = Depends(_hall_auditor)
HallSecurity = Annotated[Principal, Depends(_hall_security)]
Day = Annotated[str | None, Query(max_length=10)]
Text = Annotated[str | None, Query(max_length=64)]


@router.get("/halls/{hall}/audit", dependencies=[Depends(audited("audit_read")), HallAuditor])
async def audit_records(
    hall: str,
    services: ServicesDep,
    who: Text = None,
    action: Text = None,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    limit: Annotated[int, Query(ge=1, le=audit_read.MAX_ROWS)] = 500,
) -> JSONResponse:
    """The trail of a hall (auditors only), newest first, filtered by who, action and dates."""
    found = await services.read(
        audit_read.records,
        services.ctx,
        hall,
        who=who,
        action=action,
        start=start,
        end=end,
        limit=limit,
    )
    return reply(found)


@router.get(
    "/halls/{hall}/audit/export.{fmt}",
    dependencies=[Depends(audited("audit_export")), HallAuditor],
)
async def audit_export(
    hall: str,
    fmt: str,
    services: ServicesDep,
    who: Text = None,
    action: Text = None,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> Response:
    """The same records as csv or xlsx (auditors only)."""
    if fmt not in ("csv", "xlsx"):
        raise NotFound("not_found", "只能导出 csv 或 xlsx 格式")
    found = await services.read(
        audit_read.records,
        services.ctx,
        hall,
        who=who,
        action=action,
        start=start,
        end=end,
        limit=audit_read.MAX_ROWS,
    )
    data = audit_read.as_csv(found) if fmt == "csv" else audit_read.as_xlsx(found)
    kind = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    name = f"yichuang-{hall}-audit.{fmt}"
    return Response(
        data, media_type=kind, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


class SettingsBody(Body):
    """PUT /halls/{hall}/security-settings: the settings to change (others stay)."""

    settings: dict[str, int | bool] = Field(max_length=20)


@router.get(
    "/halls/{hall}/security-settings",
    dependencies=[Depends(audited("security_settings_read"))],
)
async def get_security_settings(hall: str, services: ServicesDep, _: HallSecurity) -> JSONResponse:
    """The hall's password rules, idle timeout and retention (security administrators)."""
    return reply(await services.read(security_settings.read, services.ctx, hall))


@router.put("/halls/{hall}/security-settings", dependencies=[Depends(audited("security_settings"))])
async def put_security_settings(
    hall: str, body: SettingsBody, services: ServicesDep, who: HallSecurity
) -> JSONResponse:
    """Change settings; one below what a rule needs is 422 `retention_too_short`."""
    slot = audit.current()
    if slot is not None:
        slot.details = {"changed": sorted(body.settings)}
    result = await services.write(
        security_settings.update, services.ctx, hall, who.name, dict(body.settings)
    )
    services.auth.forget_rules()
    return reply(result)


class PasswordBody(Body):
    """POST /auth/password."""

    old_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


@router.post("/auth/password", dependencies=[Depends(audited("password_change"))])
async def change_password(
    body: PasswordBody, services: ServicesDep, who: CurrentPrincipal
) -> dict[str, Any]:
    """Set one's own password (required before anything else after the first sign-in)."""
    if not who.is_staff:
        raise Forbidden("forbidden", "您没有执行此操作的权限")
    result: dict[str, Any] = await services.write(
        security_settings.change_password,
        services.ctx,
        who.hall,
        who.name,
        body.old_password,
        body.new_password,
    )
    return result


def audit_as(action: str, *, always: bool = False) -> list[Any]:
    """`dependencies=audit_as("call")` on a route: the one line that joins it to the trail."""
    return [Depends(audited(action, always=always))]
