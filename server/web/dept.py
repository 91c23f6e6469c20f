"""The department page (/dept): sign for a case's materials, record 办结 / 不予许可 / 补正."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from server.web.routes import STATIC

router = APIRouter(include_in_schema=False)


@router.get("/dept", response_class=HTMLResponse)
async def dept() -> FileResponse:
    """The department page for phones and desktops (`?hall=demo`)."""
    return FileResponse(STATIC / "dept.html", headers={"Cache-Control": "no-cache"})
