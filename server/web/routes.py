"""Routes of the web pages (plain HTML + JS served from server/web/static)."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse
from sqlalchemy import select

from server.api.deps import Services, ServicesDep
from server.api.errors import STORE_RETRY_SECONDS
from server.observability import prometheus_text
from server.store.db import describe_failure

STATIC = Path(__file__).resolve().parent / "static"
router = APIRouter(include_in_schema=False)
log = logging.getLogger("yichuang")


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
async def healthz() -> dict[str, str]:
    """Liveness: the process answers (the store is checked by /readyz)."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(services: ServicesDep) -> JSONResponse:
    """Readiness: the store answers a query and stores a write (not locked, not full)."""
    try:
        await services.read(_ping, services)
    except Exception as exc:  # any store failure means "not ready"; details go to the log
        log.error("readiness check failed: %s", describe_failure(exc))
        headers = {"Retry-After": str(STORE_RETRY_SECONDS)}
        return JSONResponse({"status": "store unavailable"}, status_code=503, headers=headers)
    return JSONResponse({"status": "ok"})


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(services: ServicesDep) -> PlainTextResponse:
    """Prometheus text format: request counters of this process, queue and device gauges."""
    text = await services.read(
        prometheus_text,
        services.metrics,
        services.ctx.db,
        services.hub.counts(),
        services.ctx.clock(),
    )
    return PlainTextResponse(text, media_type="text/plain; version=0.0.4")


def _ping(services: Services) -> None:
    with services.ctx.db.read() as conn:
        conn.execute(select(1)).scalar_one()
    services.ctx.db.probe_write()
