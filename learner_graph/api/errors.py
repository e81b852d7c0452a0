"""One JSON error shape for every failure, and the mapping of domain errors to HTTP."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from neo4j.exceptions import (
    ClientError,
    DatabaseUnavailable,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)
from starlette.exceptions import HTTPException as StarletteHTTPException

from learner_graph.api.security import Unauthorized
from learner_graph.db.breaker import CircuitOpen
from learner_graph.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from learner_graph.logs import request_id
from learner_graph.ratelimit import RateLimited

log = logging.getLogger(__name__)

STATUS: dict[type[DomainError], int] = {
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Invalid: 422,
    RateLimited: 429,
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


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the one error shape."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(error, cls)), 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(error, RateLimited):
            headers = error.verdict.headers()
        return JSONResponse(
            error_body(error.code, error.message, error.details), status_code=status, headers=headers
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
    @app.exception_handler(DatabaseUnavailable)
    @app.exception_handler(TransientError)
    async def neo4j_down(request: Request, error: Exception) -> JSONResponse:
        # Down, shutting down, or a conflict the driver's short retry budget did not outlast.
        request.app.state.metrics.neo4j_errors.labels(kind=type(error).__name__).inc()
        if not isinstance(error, CircuitOpen):  # one line per outage, not one per refused request
            log.warning("neo4j unavailable: %s", error)
        retry = str(request.app.state.settings.retry_after_s)
        return JSONResponse(
            error_body("unavailable", "the graph database is unavailable; retry shortly"),
            status_code=503,
            headers={"Retry-After": retry},
        )

    @app.exception_handler(ClientError)
    async def neo4j_refused(request: Request, error: ClientError) -> JSONResponse:
        """A query that ran out of its transaction timeout is a 504; any other refusal is our bug."""
        request.app.state.metrics.neo4j_errors.labels(kind=type(error).__name__).inc()
        if "TransactionTimedOut" not in (error.code or ""):
            log.error("neo4j refused a query: %s", error)
            return JSONResponse(error_body("internal", "internal error"), status_code=500)
        log.warning("query over its time budget: %s", error.message)
        return JSONResponse(
            error_body("timeout", "the request took longer than its time budget; narrow it or retry"),
            status_code=504,
            headers={"Retry-After": str(request.app.state.settings.retry_after_s)},
        )
