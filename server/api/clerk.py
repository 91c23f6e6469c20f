"""Extra routes the clerk pads need: window context and printable notices (issue 5)."""

from __future__ import annotations

from fastapi import APIRouter

from server.api.errors import ERROR_RESPONSES

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["clerk pad"], responses=ERROR_RESPONSES)
