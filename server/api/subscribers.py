"""Outbox subscriber routes (supervisors and administrators): who gets the hall's events."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import Field

from server.api.audit import audit_as
from server.api.deps import ServicesDep, Supervisor, in_hall, reply
from server.api.errors import ERROR_RESPONSES
from server.protocol.models import Body
from server.services import outbox

router = APIRouter(
    prefix="/api/v1/halls/{hall}/subscribers", tags=["subscribers"], responses=ERROR_RESPONSES
)

Name = Annotated[str, Path(max_length=64)]


class SubscriberChange(Body):
    """PATCH …/subscribers/{name}: the fields to change (the secret is write-only)."""

    url: str | None = Field(None, max_length=500)
    secret: str | None = Field(None, max_length=200)
    events: list[str] | None = Field(None, max_length=100)
    format: str | None = Field(None, max_length=32)
    options: dict[str, str] | None = Field(None, max_length=50)


class SubscriberIn(SubscriberChange):
    """POST …/subscribers: a new subscriber (events default to all, format to cloudevents)."""

    name: str = Field(max_length=64)
    url: str = Field(max_length=500)
    secret: str = Field(max_length=200)


class ReplayIn(Body):
    """POST …/subscribers/{name}/replay: send again from this seq on."""

    from_seq: int = Field(ge=1)


@router.get("")
async def list_subscribers(hall: str, services: ServicesDep, who: Supervisor) -> JSONResponse:
    """The hall's subscribers and the formats this server knows (secrets are never shown)."""
    in_hall(who, hall)
    return reply(await services.read(outbox.list_subscribers, services.ctx, hall))


@router.post("", status_code=201, dependencies=audit_as("subscriber_create"))
async def create_subscriber(
    hall: str, body: SubscriberIn, services: ServicesDep, who: Supervisor
) -> JSONResponse:
    """Add a subscriber; it gets the events from now on."""
    in_hall(who, hall)
    values = body.model_dump(exclude_none=True)
    return reply(await services.read(outbox.create, services.ctx, hall, values), 201)


@router.patch("/{name}", dependencies=audit_as("subscriber_change"))
async def update_subscriber(
    hall: str, name: Name, body: SubscriberChange, services: ServicesDep, who: Supervisor
) -> JSONResponse:
    """Change a subscriber made through the API (409 `subscriber_from_file` for the file's)."""
    in_hall(who, hall)
    values = body.model_dump(exclude_none=True)
    return reply(await services.read(outbox.update, services.ctx, hall, name, values))


@router.delete("/{name}", dependencies=audit_as("subscriber_delete"))
async def delete_subscriber(
    hall: str, name: Name, services: ServicesDep, who: Supervisor
) -> JSONResponse:
    """Remove a subscriber made through the API, with its dead letters."""
    in_hall(who, hall)
    return reply(await services.read(outbox.delete, services.ctx, hall, name))


@router.post("/{name}/pause", dependencies=audit_as("subscriber_pause"))
async def pause_subscriber(
    hall: str, name: Name, services: ServicesDep, who: Supervisor
) -> JSONResponse:
    """Stop sending; events wait in the log."""
    in_hall(who, hall)
    return reply(await services.read(outbox.set_state, services.ctx, hall, name, True))


@router.post("/{name}/resume", dependencies=audit_as("subscriber_resume"))
async def resume_subscriber(
    hall: str, name: Name, services: ServicesDep, who: Supervisor
) -> JSONResponse:
    """Send again, at once."""
    in_hall(who, hall)
    return reply(await services.read(outbox.set_state, services.ctx, hall, name, False))


@router.post("/{name}/replay", dependencies=audit_as("subscriber_replay"))
async def replay_subscriber(
    hall: str, name: Name, body: ReplayIn, services: ServicesDep, who: Supervisor
) -> JSONResponse:
    """Send the events from `from_seq` on again (409 `replay_pruned` if the log lost them)."""
    in_hall(who, hall)
    return reply(await services.read(outbox.replay, services.ctx, hall, name, body.from_seq))


@router.get("/{name}/status")
async def subscriber_status(
    hall: str, name: Name, services: ServicesDep, who: Supervisor
) -> JSONResponse:
    """Lag (events, seconds), last success and error, dead letters."""
    in_hall(who, hall)
    return reply(await services.read(outbox.status, services.ctx, hall, name))
