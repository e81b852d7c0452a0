"""One JSON error shape for every failure, and the mapping of domain errors to HTTP."""

from __future__ import annotations

import logging
import re
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
from learner_graph.fields import field_path
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


SOURCES = {"body", "query", "path", "header", "cookie"}


def _field(loc: list[Any]) -> str:
    """A pydantic location as the API names fields, without the union members pydantic adds
    to it (`<batch>`, `function-after[...]`), which are not fields."""
    return field_path([p for p in loc if isinstance(p, int) or not (p.startswith("<") or "[" in p)])


def validation_details(errors: list[Any]) -> list[dict[str, Any]]:
    """One entry per problem: field, where it is, the message and pydantic's error type."""
    details: list[dict[str, Any]] = []
    seen = set()
    for e in errors:
        loc = list(e.get("loc", ()))
        where = loc.pop(0) if loc and loc[0] in SOURCES else "body"
        entry = {"field": _field(loc), "in": where, "message": e.get("msg", ""), "type": e.get("type")}
        if (entry["field"], entry["message"]) not in seen:
            seen.add((entry["field"], entry["message"]))
            details.append(entry)
    return details


def allowed_methods(request: Request) -> list[str]:
    """Every method the API serves at this path, from the OpenAPI document (Starlette names only
    the methods of the first route whose path matches, and several routes share most paths)."""
    path = request.url.path
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)), path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


_FIRST_NAME = re.compile(r"^[^.\[]+")


def locate(request: Request, details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Domain errors name domain fields (`cursor`); the API says where the client sent each one:
    `in` is `path` or `query` for a parameter of the route (body fields keep their document path)."""
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None or not details:
        return details
    where = {p.alias: "path" for p in dependant.path_params}
    where |= {p.alias: "query" for p in dependant.query_params}
    located = []
    for detail in details:
        match = _FIRST_NAME.match(str(detail.get("field", "")))
        place = where.get(match.group(0)) if match else None
        located.append(detail if "in" in detail or place is None else detail | {"in": place})
    return located


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the one error shape."""

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        status = next((s for cls, s in STATUS.items() if isinstance(error, cls)), 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(error, RateLimited):
            headers = error.verdict.headers()
        return JSONResponse(
            error_body(error.code, error.message, locate(request, error.details)),
            status_code=status,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        details = validation_details(list(error.errors()))
        fields = ", ".join(d["field"] for d in details)
        return JSONResponse(error_body("invalid", f"invalid request: {fields}", details), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, "http_error")
        headers = dict(getattr(error, "headers", None) or {})
        if error.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse(
            error_body(code, str(error.detail)), status_code=error.status_code, headers=headers or None
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        # Runs outside the request-id middleware, which left the id in the request's state.
        rid = getattr(request.state, "request_id", None)
        log.error("unhandled error", exc_info=error, extra={"request_id": rid})
        body = error_body("internal", "an unexpected error; the request id identifies it in the logs")
        body["request_id"] = rid
        return JSONResponse(body, status_code=500, headers={"x-request-id": rid} if rid else None)

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
