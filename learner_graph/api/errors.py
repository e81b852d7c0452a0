"""One JSON error shape for every failure, and the mapping of domain errors to HTTP."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from neo4j.exceptions import ServiceUnavailable, SessionExpired
from starlette.exceptions import HTTPException as StarletteHTTPException

from learner_graph.api.security import Unauthorized
from learner_graph.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from learner_graph.logs import request_id

log = logging.getLogger(__name__)

STATUS: dict[type[DomainError], int] = {
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
}
_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized", 403: "forbidden"}


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The one error shape: `{"error": {code, message, details[]}, "request_id"}`."""
    return {
        "error": {"code": code, "message": message, "details": details or []},
        "request_id": request_id.get(),
    }


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


_FIRST_NAME = re.compile(r"^[^.\[]+")


def locate(request: Request, details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Domain errors name domain fields (`cursor`); a field that is a query or path parameter of the
    route becomes its request location (`query.cursor`). Body fields keep their document path."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None or not details:
        return details
    where = {p.alias: "path" for p in dependant.path_params}
    where |= {p.alias: "query" for p in dependant.query_params}
    located = []
    for detail in details:
        field = str(detail.get("field", ""))
        match = _FIRST_NAME.match(field)
        place = where.get(match.group(0)) if match else None
        located.append(detail | {"field": f"{place}.{field}"} if place else detail)
    return located


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the one error shape."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(error, cls)), 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(
            error_body(error.code, error.message, locate(request, error.details)),
            status_code=status,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        details = [
            {"field": _field(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
            for e in error.errors()
        ]
        fields = ", ".join(d["field"] for d in details)
        return JSONResponse(error_body("invalid", f"invalid request: {fields}", details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(error.detail)),
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(ServiceUnavailable)
    @app.exception_handler(SessionExpired)
    async def neo4j_down(request: Request, error: Exception) -> JSONResponse:
        request.app.state.metrics.neo4j_errors.labels(kind=type(error).__name__).inc()
        log.warning("neo4j unavailable: %s", error)
        retry = str(request.app.state.settings.retry_after_s)
        return JSONResponse(
            error_body("unavailable", "the graph database is unavailable; retry shortly"),
            status_code=503,
            headers={"Retry-After": retry},
        )
