"""Every failure becomes `{"error": {code, message, detail}}`; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthorized,
)
from server.protocol.models import ErrorOut
from server.services.auth import RateLimited
from server.store.db import UNAVAILABLE, StoreUnavailable, describe_failure, is_store_failure

log = logging.getLogger("yichuang.api")

# Documented on every API router so the OpenAPI spec says what an error looks like.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in {
        400: "malformed request (`invalid_json`)",
        401: "not signed in, or the token is invalid or expired",
        403: "signed in but not allowed (role, hall, window, ticket secret)",
        404: "no such hall, queue, window, ticket … (or `no_waiting_ticket`)",
        409: "not possible in the current state (see docs/api.md for the codes)",
        413: "request body over 64 KB",
        422: "the values break a rule (`invalid_request`, `invalid_id_number`, …)",
        429: "too many failed sign-ins (`Retry-After` says when to try again)",
        503: "`store_unavailable`: the database cannot store it now (`Retry-After`)",
    }.items()
}

_STATUS: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (Invalid, 422),
    (Conflict, 409),
    (Forbidden, 403),
    (Unauthorized, 401),
    (RateLimited, 429),
]

_REASONS = {
    "missing": "缺少必填项",
    "string_too_long": "超过长度限制",
    "string_too_short": "内容太短",
    "string_type": "应为文本",
    "string_pattern_mismatch": "格式不正确",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "literal_error": "取值不在允许范围内",
    "datetime_from_date_parsing": "应为日期时间，例如 2026-11-24T09:00:00+08:00",
    "datetime_parsing": "应为日期时间，例如 2026-11-24T09:00:00+08:00",
    "list_type": "应为列表",
    "too_short": "不能为空",
    "too_long": "项目过多",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "control_character": "含有不允许的控制字符",
}

INVALID_JSON = "请求内容不是有效的 JSON"
STORE_RETRY_SECONDS = 5  # a lock clears or an operator frees the disk; clients retry then
STORE_UNAVAILABLE = "系统繁忙，暂时无法保存或读取数据，请稍后再试"

_HTTP = {
    400: ("bad_request", "请求无效"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "您没有执行此操作的权限"),
    404: ("not_found", "请求的地址不存在"),
    405: ("method_not_allowed", "该地址不支持此请求方法"),
    413: ("body_too_large", "请求内容过大"),
}


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    """The error JSON."""
    return {"error": {"code": code, "message": message, "detail": detail}}


def too_large_body(limit: int) -> dict[str, Any]:
    """The 413 error JSON, whether Content-Length said so or a chunked body grew too big."""
    return error_body(
        "body_too_large", f"请求内容过大（上限 {limit // 1024} KB）", {"max_bytes": limit}
    )


def control_character_body(where: str) -> dict[str, Any]:
    """The 422 error JSON for a control character in the `path` or the `query` string."""
    label, problem = {"path": "地址", "query": "查询参数"}[where], _REASONS["control_character"]
    detail = [{"field": where, "problem": problem}]
    return error_body("invalid_request", f"请求内容有误：{label}{problem}", detail)


def unavailable_response() -> JSONResponse:
    """503 store_unavailable with Retry-After (also the answer of /readyz in that state)."""
    body = error_body("store_unavailable", STORE_UNAVAILABLE, {"retry_after": STORE_RETRY_SECONDS})
    return JSONResponse(body, 503, headers={"Retry-After": str(STORE_RETRY_SECONDS)})


class BodyTooLarge(StarletteHTTPException):
    """Raised while a (chunked) body is read past the limit; FastAPI lets it through as is."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit


class NotInHall(Forbidden):
    """The caller may not act in this hall; answered as 404 when the hall does not exist."""

    def __init__(self, hall: str) -> None:
        super().__init__("other_hall", "您不属于该服务大厅")
        self.hall = hall


def status_of(exc: DomainError) -> int:
    """HTTP status of a domain error (400 for anything unclassified)."""
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def install(app: FastAPI) -> None:
    """Register the handlers on the app."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, NotInHall):
            exc = await _unknown_hall_or(request, exc)
        retry = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry else None
        return JSONResponse(
            error_body(exc.code, exc.message, exc.detail), status_of(exc), headers=headers
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return JSONResponse(error_body("invalid_json", INVALID_JSON), 400)
        fields = [_describe(e) for e in errors]
        detail = [{"field": f, "problem": p} for f, p in fields]
        message = "请求内容有误：" + "; ".join(f"{f} {p}" for f, p in fields[:3])
        return JSONResponse(error_body("invalid_request", message, detail), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc, BodyTooLarge):
            return JSONResponse(too_large_body(exc.limit), 413)
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError):
            # FastAPI's "error parsing the body": invalid UTF-8, JSON nested too deep, ...
            return JSONResponse(error_body("invalid_json", INVALID_JSON), 400)
        code, message = _HTTP.get(exc.status_code, ("http_error", "请求无法处理"))
        status = exc.status_code if 400 <= exc.status_code < 600 else 400
        return JSONResponse(error_body(code, message), status, headers=exc.headers)

    @app.exception_handler(DataError)
    async def unstorable(request: Request, _: DataError) -> JSONResponse:
        # Last resort: a value the database refuses (validation should have caught it).
        log.warning("database refused a value on %s %s", request.method, request.url.path)
        message = "请求中含有无法保存或查询的内容，请检查后重试"
        return JSONResponse(error_body("invalid_request", message), 422)

    async def store_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # Answered here, not by the catch-all: that one re-raises, and uvicorn then drops
        # the keep-alive connection of every client that met the outage.
        if not is_store_failure(exc):  # a bad statement (SQLite says OperationalError too)
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            return JSONResponse(error_body("internal_error", "服务器内部错误，请稍后重试"), 500)
        what = describe_failure(exc)
        log.error("store unavailable on %s %s: %s", request.method, request.url.path, what)
        return unavailable_response()

    for kind in (*UNAVAILABLE, StoreUnavailable):
        app.add_exception_handler(kind, store_unavailable)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(error_body("internal_error", "服务器内部错误，请稍后重试"), 500)


async def _unknown_hall_or(request: Request, exc: NotInHall) -> DomainError:
    services = request.app.state.services
    if await run_in_threadpool(services.ctx.has_hall, exc.hall):
        return exc
    return NotFound("unknown_hall", f"没有编号为 {exc.hall} 的服务大厅")


def _describe(error: dict[str, Any]) -> tuple[str, str]:
    loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path")]
    field = ".".join(loc) or "请求体"
    return field, _REASONS.get(str(error.get("type")), "格式不正确")
