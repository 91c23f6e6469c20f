"""Routes of the web pages (plain HTML + JS served from server/web/static)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse

STATIC = Path(__file__).resolve().parent / "static"
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def index() -> FileResponse:
    """A landing page that links the screens."""
    return FileResponse(STATIC / "index.html")


@router.get("/static/{name}")
def static(name: str) -> FileResponse:
    """Static assets (flat folder, no traversal)."""
    from server.domain.errors import NotFound

    path = (STATIC / name).resolve()
    if path.parent != STATIC or not path.is_file():
        raise NotFound("not_found", "请求的地址不存在")
    return FileResponse(path)


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers (the store is checked by /readyz)."""
    return {"status": "ok"}
