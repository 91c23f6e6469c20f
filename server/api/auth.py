"""POST /api/v1/auth/login and friends."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from server.api.audit import audit_as
from server.api.deps import CurrentPrincipal, ServicesDep, bearer
from server.api.errors import ERROR_RESPONSES
from server.protocol.models import LoginBody, LoginOut
from server.security import token_hash
from server.services import audit

router = APIRouter(prefix="/api/v1/auth", tags=["auth"], responses=ERROR_RESPONSES)


@router.post("/login", response_model=LoginOut, dependencies=audit_as("login", always=True))
def login(body: LoginBody, request: Request, services: ServicesDep) -> dict[str, Any]:
    """Sign a staff member in: a bearer token that expires."""
    client = request.client.host if request.client else "-"
    slot = audit.current()
    if slot is not None:  # failed and throttled attempts are recorded under the name tried
        slot.who = body.username
    result = services.auth.login(body.username, body.password, client)
    if slot is not None:
        slot.hall, slot.role, slot.kind = result["hall"], result["role"], "user"
    return result


@router.post("/logout", dependencies=audit_as("logout"))
def logout(request: Request, services: ServicesDep, _: CurrentPrincipal) -> dict[str, bool]:
    """End the current session."""
    token = bearer(request)
    if token:
        services.auth.logout(token)
        services.sockets.end(token_hash(token))  # this worker's live sockets close at once
    return {"ok": True}


@router.get("/me")
def me(principal: CurrentPrincipal) -> dict[str, str]:
    """Who the token belongs to."""
    return {
        "kind": principal.kind,
        "name": principal.name,
        "role": principal.role,
        "hall": principal.hall,
        "display_name": principal.display_name,
    }
