"""Supervisor statistics, exports, reported volumes, the anomaly report, overview, staffing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, File, Query, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from pydantic import Field

from server.api.audit import audit_as
from server.api.deps import ServicesDep, Supervisor, in_hall, reply
from server.api.errors import ERROR_RESPONSES
from server.protocol.models import Body
from server.services.auth import Principal
from server.stats import (
    anomaly_doc,
    charts,
    export,
    overview,
    reads,
    staffing,
    volume_sheet,
    volumes,
)
from server.stats.anomalies import anomaly_report

router = APIRouter(prefix="/api/v1/halls/{hall}", tags=["statistics"], responses=ERROR_RESPONSES)

From = Annotated[
    str | None, Query(alias="from", max_length=10, description="first business date, YYYY-MM-DD")
]
To = Annotated[str | None, Query(max_length=10, description="last business date (included)")]
By = Annotated[
    str | None, Query(max_length=8, description="window | queue | clerk | area | hour | day")
]
CHUNK = 64 * 1024
SVG_TYPE = "image/svg+xml"


async def hall_supervisor(hall: str, who: Supervisor) -> Principal:
    """A supervisor of this hall (or an administrator)."""
    in_hall(who, hall)
    return who


HallSupervisor = Annotated[Principal, Depends(hall_supervisor)]


@dataclass(frozen=True)
class Range:
    """The `from` / `to` query of a statistics request (checked by the stats package)."""

    start: str | None
    end: str | None


async def date_range(start: From = None, to: To = None) -> Range:
    """The date range of the query string."""
    return Range(start, to)


RangeQuery = Annotated[Range, Depends(date_range)]


def _file(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {}}, "description": what}}


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def _download(body: Iterator[bytes], media_type: str, filename: str) -> StreamingResponse:
    return StreamingResponse(body, media_type=media_type, headers=_attachment(filename))


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
    _: HallSupervisor,
    span: RangeQuery,
    by: By = None,
) -> JSONResponse:
    """Statistics rows of a date range grouped by window, queue, clerk, area, hour or day."""
    return reply(
        await services.read(reads.statistics, services.ctx, hall, span.start, span.end, by)
    )


@router.get(
    "/stats/export.xlsx",
    dependencies=audit_as("export"),
    response_class=Response,
    responses=_file(export.XLSX_TYPE, "a sheet per grouping, a chart (and the call detail)"),
)
async def export_xlsx(
    hall: str,
    services: ServicesDep,
    _: HallSupervisor,
    span: RangeQuery,
    detail: Annotated[
        bool, Query(description="add the 叫号明细 sheet (every call; slower for long ranges)")
    ] = False,
) -> StreamingResponse:
    """The statistics of a range as an xlsx workbook."""
    period = await services.read(export.check_query, services.ctx, hall, span.start, span.end)
    file = await services.read(export.export_xlsx, services.ctx, hall, span.start, span.end, detail)
    return _download(_chunks(file), export.XLSX_TYPE, export.export_name(hall, period, "xlsx"))


@router.get(
    "/stats/export.csv",
    dependencies=audit_as("export"),
    response_class=Response,
    responses=_file(export.CSV_TYPE, "UTF-8 with BOM, a header row, one line per row"),
)
async def export_csv(
    hall: str,
    services: ServicesDep,
    _: HallSupervisor,
    span: RangeQuery,
    by: By = None,
    rows: Annotated[
        str, Query(pattern="^(summary|calls)$", description="summary rows, or every call")
    ] = "summary",
) -> StreamingResponse:
    """The same statistics as csv (or, with rows=calls, the call detail), streamed."""
    reads.dimension(by)
    period = await services.read(export.check_query, services.ctx, hall, span.start, span.end)
    lines = export.csv_lines(services.ctx, hall, span.start, span.end, by, rows == "calls")
    name = export.export_name(hall, period, "csv" if rows == "summary" else "calls.csv")
    return _download(lines, export.CSV_TYPE, name)


Month = Annotated[str | None, Query(max_length=7, description="YYYY-MM (default: this month)")]


class VolumeIn(Body):
    """One window's reported month (volume null removes the report)."""

    window: str = Field(min_length=1, max_length=32)
    department: str | None = Field(None, max_length=100)
    volume: int | None = Field(None, ge=0, le=volumes.MAX_VOLUME)
    detail: dict[str, Annotated[int, Field(ge=0, le=volumes.MAX_VOLUME)]] = Field(
        default_factory=dict, description="optional: accepted, consulted, rejected, no_show"
    )


class VolumesBody(Body):
    """PUT …/reported-volumes."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    items: list[VolumeIn] = Field(max_length=1000)


@router.get("/reported-volumes")
async def reported_volumes(
    hall: str, services: ServicesDep, _: HallSupervisor, month: Month = None
) -> JSONResponse:
    """专窗业务量报送：the month's reported volumes and every window to report for."""
    return reply(await services.read(volumes.list_volumes, services.ctx, hall, month))


@router.put("/reported-volumes", dependencies=audit_as("reported_volumes"))
async def put_reported_volumes(
    hall: str, body: VolumesBody, services: ServicesDep, who: HallSupervisor
) -> JSONResponse:
    """Store department-reported counts per window for a month."""
    items = [volumes.VolumeItem(**item.model_dump()) for item in body.items]
    return reply(
        await services.write(volumes.save_volumes, services.ctx, hall, body.month, items, who.name)
    )


@router.get(
    "/reported-volumes/template.xlsx",
    dependencies=audit_as("download"),
    response_class=Response,
    responses=_file(export.XLSX_TYPE, "the month's 报送表 to fill in"),
)
async def volume_template(
    hall: str, services: ServicesDep, _: HallSupervisor, month: Month = None
) -> Response:
    """The reported-volume template (one row per window) to fill in Excel."""
    data = await services.read(volume_sheet.template_xlsx, services.ctx, hall, month)
    name = f"yichuang-{hall}-volumes-{month or 'current'}.xlsx"
    return Response(data, media_type=export.XLSX_TYPE, headers=_attachment(name))


@router.post("/reported-volumes/upload", dependencies=audit_as("reported_volumes_upload"))
async def upload_volumes(
    hall: str,
    services: ServicesDep,
    who: HallSupervisor,
    file: Annotated[UploadFile, File(description="the filled template (xlsx)")],
    month: Month = None,
) -> JSONResponse:
    """Upload a filled template; its rows replace those windows' reports."""
    data = await file.read()
    return reply(
        await services.write(volume_sheet.upload, services.ctx, hall, month, data, who.name)
    )


@router.get("/anomalies")
async def anomalies(
    hall: str, services: ServicesDep, _: HallSupervisor, month: Month = None
) -> JSONResponse:
    """业务异常情况通报 of a month as JSON."""
    return reply(await services.read(anomaly_report, services.ctx, hall, month))


@router.get(
    "/anomalies.xlsx",
    dependencies=audit_as("export"),
    response_class=Response,
    responses=_file(export.XLSX_TYPE, "the report as a workbook"),
)
async def anomalies_xlsx(
    hall: str, services: ServicesDep, _: HallSupervisor, month: Month = None
) -> Response:
    """业务异常情况通报 of a month as an xlsx document."""
    report = await services.read(anomaly_report, services.ctx, hall, month)
    name = f"yichuang-{hall}-anomalies-{report['month']}.xlsx"
    return Response(
        anomaly_doc.anomaly_xlsx(report), media_type=export.XLSX_TYPE, headers=_attachment(name)
    )


@router.get(
    "/anomalies.html",
    dependencies=audit_as("export"),
    response_class=HTMLResponse,
    responses=_file("text/html", "the report as a printable page"),
)
async def anomalies_html(
    hall: str,
    services: ServicesDep,
    _: HallSupervisor,
    month: Month = None,
    fragment: Annotated[bool, Query(description="only the report section")] = False,
) -> HTMLResponse:
    """业务异常情况通报 of a month as a printable HTML page."""
    report = await services.read(anomaly_report, services.ctx, hall, month)
    return HTMLResponse(anomaly_doc.anomaly_html(report, standalone=not fragment))


@router.get("/overview")
async def hall_overview(hall: str, services: ServicesDep, _: HallSupervisor) -> JSONResponse:
    """Live overview: waiting and longest wait per area and queue, windows, devices, alerts."""
    stale = services.settings.device_stale_minutes
    return reply(await services.read(overview.overview, services.ctx, hall, stale))


Target = Annotated[
    float | None, Query(ge=0.5, le=240, description="target mean wait in minutes (default 10)")
]


@router.get("/staffing")
async def staffing_advice(
    hall: str,
    services: ServicesDep,
    _: HallSupervisor,
    span: RangeQuery,
    target: Target = None,
) -> JSONResponse:
    """Per weekday and hour: arrivals, windows needed (Erlang C) and windows at work."""
    return reply(
        await services.read(staffing.staffing, services.ctx, hall, span.start, span.end, target)
    )


@router.get(
    "/charts/{name}.svg",
    response_class=Response,
    responses=_file(SVG_TYPE, "arrivals | waiting | outcomes | staffing"),
)
async def chart_svg(
    hall: str,
    name: str,
    services: ServicesDep,
    _: HallSupervisor,
    span: RangeQuery,
    weekday: Annotated[int | None, Query(ge=0, le=6, description="0 Monday … 6 Sunday")] = None,
    target: Target = None,
) -> Response:
    """A dashboard chart drawn on the server as SVG."""
    svg = await services.read(
        charts.chart, services.ctx, hall, name, span.start, span.end, weekday, target
    )
    return Response(svg, media_type=SVG_TYPE)
