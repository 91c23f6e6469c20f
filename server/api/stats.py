"""Supervisor statistics, exports and the anomaly report (filled in by issue 7)."""

from __future__ import annotations

from fastapi import APIRouter

from server.api.errors import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["statistics"], responses=ERROR_RESPONSES)
