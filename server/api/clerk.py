"""Extra routes the clerk pads need: window context and printable notices (issue 5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["clerk pad"])
