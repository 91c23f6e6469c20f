"""Supervisor statistics, exports and the anomaly report (filled in by issue 7)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["statistics"])
