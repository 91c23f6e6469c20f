"""The supervisor dashboard at /admin: one static page; its data comes from the stats API."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, RedirectResponse

from server.web.routes import STATIC

router = APIRouter(include_in_schema=False)


@router.get("/admin")
def admin() -> FileResponse:
    """统计后台：sign-in, live overview, statistics, anomaly report, volumes, staffing."""
    return FileResponse(STATIC / "admin.html", headers={"Cache-Control": "no-cache"})


@router.get("/admin/")
def admin_slash() -> RedirectResponse:
    """The same page without the trailing slash (relative links stay simple)."""
    return RedirectResponse("/admin", status_code=308)


@router.get("/audit")
def audit_page() -> FileResponse:
    """审计与安全 (issue 19): the auditor's trail and the security administrator's settings."""
    return FileResponse(STATIC / "audit.html", headers={"Cache-Control": "no-cache"})
