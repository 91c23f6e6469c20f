"""Supervisor statistics, exports, reported volumes, the anomaly report, overview, staffing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from server.api.deps import ServicesDep, Supervisor, in_hall, reply
from server.api.errors import ERROR_RESPONSES
from server.stats import reads

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["statistics"], responses=ERROR_RESPONSES)

From = Annotated[
    str | None, Query(alias="from", max_length=10, description="first business date, YYYY-MM-DD")
]
To = Annotated[str | None, Query(max_length=10, description="last business date (included)")]
By = Annotated[
    str | None, Query(max_length=8, description="window | queue | clerk | area | hour | day")
]


@router.get("/stats")
async def statistics(
    hall: str,
    services: ServicesDep,
    who: Supervisor,
    start: From = None,
    to: To = None,
    by: By = None,
) -> JSONResponse:
    """Statistics rows of a date range grouped by window, queue, clerk, area, hour or day."""
    in_hall(who, hall)
    return reply(await services.read(reads.statistics, services.ctx, hall, start, to, by))
