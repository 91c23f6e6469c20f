"""Web page routes for /admin (filled in by its issue)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
