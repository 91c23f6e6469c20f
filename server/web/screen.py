"""GET /screen?hall=…&area=…&token=…: the hall TV as a web page (plain HTML, JS and CSS).

The page itself holds no data: its script reads the hall layout and the live feed with the
display token from the address, so a TV browser needs nothing but the URL.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, HTMLResponse

from server.api.deps import ServicesDep
from server.services.context import Context
from server.web.routes import STATIC

router = APIRouter(include_in_schema=False)
CODE = r"^[A-Za-z0-9_-]{1,32}$"
AREAS = r"^[A-Za-z0-9_,-]{0,200}$"


@router.get("/screen", response_class=HTMLResponse)
async def screen(
    services: ServicesDep,
    hall: Annotated[str, Query(pattern=CODE)],
    area: Annotated[str | None, Query(pattern=AREAS)] = None,
    token: Annotated[str | None, Query(max_length=200)] = None,
    layout: Annotated[str | None, Query(pattern=r"^(landscape|portrait)$")] = None,
) -> FileResponse:
    """The hall TV page; 404 for an unknown hall (the token is checked by the API it calls)."""
    await services.read(_known_hall, services.ctx, hall)
    return FileResponse(STATIC / "screen.html", headers={"Cache-Control": "no-store"})


def _known_hall(ctx: Context, hall: str) -> None:
    with ctx.db.read() as conn:
        ctx.layout(conn, hall)  # raises NotFound("unknown_hall")
