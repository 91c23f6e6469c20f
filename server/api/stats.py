"""Supervisor statistics, exports, reported volumes, the anomaly report, overview, staffing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response, StreamingResponse

from server.api.deps import ServicesDep, Supervisor, in_hall, reply
from server.api.errors import ERROR_RESPONSES
from server.stats import export, reads

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["statistics"], responses=ERROR_RESPONSES)

From = Annotated[
    str | None, Query(alias="from", max_length=10, description="first business date, YYYY-MM-DD")
]
To = Annotated[str | None, Query(max_length=10, description="last business date (included)")]
By = Annotated[
    str | None, Query(max_length=8, description="window | queue | clerk | area | hour | day")
]
CHUNK = 64 * 1024


def _file(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {}}, "description": what}}


def _download(body: Iterator[bytes], media_type: str, filename: str) -> StreamingResponse:
    return StreamingResponse(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _chunks(file: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := file.read(CHUNK):
            yield chunk
    finally:
        file.close()


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


@router.get(
    "/stats/export.xlsx",
    response_class=Response,
    responses=_file(export.XLSX_TYPE, "one sheet per grouping, a chart, the call detail"),
)
async def export_xlsx(
    hall: str, services: ServicesDep, who: Supervisor, start: From = None, to: To = None
) -> StreamingResponse:
    """The statistics of a range as an xlsx workbook."""
    in_hall(who, hall)
    period = await services.read(export.check_query, services.ctx, hall, start, to)
    file = await services.read(export.export_xlsx, services.ctx, hall, start, to)
    return _download(_chunks(file), export.XLSX_TYPE, export.export_name(hall, period, "xlsx"))


@router.get(
    "/stats/export.csv",
    response_class=Response,
    responses=_file(export.CSV_TYPE, "UTF-8 with BOM, a header row, one line per row"),
)
async def export_csv(
    hall: str,
    services: ServicesDep,
    who: Supervisor,
    start: From = None,
    to: To = None,
    by: By = None,
    rows: Annotated[
        str, Query(pattern="^(summary|calls)$", description="summary rows, or every call")
    ] = "summary",
) -> StreamingResponse:
    """The same statistics as csv (or, with rows=calls, the call detail), streamed."""
    in_hall(who, hall)
    reads.dimension(by)
    period = await services.read(export.check_query, services.ctx, hall, start, to)
    lines = export.csv_lines(services.ctx, hall, start, to, by, rows == "calls")
    name = export.export_name(hall, period, "csv" if rows == "summary" else "calls.csv")
    return _download(lines, export.CSV_TYPE, name)
