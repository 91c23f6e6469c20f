"""Web pages of the clerk pad: /pad, /pad/rate (rating tablet) and /t/{id} (progress page).

Both are static HTML + JS from server/web/static that talk to the v1 API: the pad with the
clerk's session token, the progress page with the ticket's own secret (`?s=`).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

from server.web.routes import STATIC

router = APIRouter(include_in_schema=False)
# Pages change with each release; let the browser revalidate instead of guessing.
NO_CACHE = {"Cache-Control": "no-cache"}


@router.get("/pad", response_class=HTMLResponse)
async def pad() -> FileResponse:
    """The web clerk pad (`?hall=demo&window=S01`)."""
    return FileResponse(STATIC / "pad.html", headers=NO_CACHE)


@router.get("/pad/rate", response_class=HTMLResponse)
async def rating_tablet() -> FileResponse:
    """A citizen-facing rating tablet at a window (`?hall=…&window=S01&token=<evaluator>`)."""
    return FileResponse(STATIC / "pad.rate.html", headers=NO_CACHE)


@router.get("/t/{ticket_id}", response_class=HTMLResponse)
async def progress(ticket_id: str) -> FileResponse:
    """A ticket's progress page; the script reads the id from the path and `?s=`."""
    return FileResponse(STATIC / "progress.html", headers=NO_CACHE)
