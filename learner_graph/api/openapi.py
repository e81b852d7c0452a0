"""The OpenAPI document as a contract: every status a route can answer, with the error schema.

FastAPI declares what a route returns on success and its validation error; the rest (the key
check, missing entities, conflicts, Neo4j down) happens in dependencies and domain errors it
cannot see. This adds them, once, by what each route has: every `/v1` route needs a key (401,
403) and the graph (503); a route with path parameters may not find them (404); a write may
conflict (409); anything with parameters or a body may be invalid (422).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error", "request_id"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string", "description": "e.g. attempts[1].time_spent_ms"},
                            "in": {"type": "string", "enum": ["body", "query", "path", "header", "cookie"]},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
        },
        "request_id": {"type": ["string", "null"]},
    },
}
REASONS = {
    400: "the body is not JSON (or not UTF-8)",
    401: "missing or unknown API key",
    403: "the key's role may not use this route",
    404: "an entity named in the path or body does not exist",
    409: "the change conflicts with what is stored (a cycle, dependents, a state)",
    413: "the request body is too large",
    422: "invalid input; `details` name each field",
    503: "the graph database is unavailable; retry after `Retry-After` seconds",
}
WRITES = {"post", "put", "patch", "delete"}


def error_response(status: int) -> dict[str, Any]:
    return {
        "description": REASONS[status],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def contract(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document with the error statuses and the bearer scheme added (built once)."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in statuses(path, method, operation):
                operation["responses"].setdefault(str(status), error_response(status))
            if str(422) in operation["responses"]:
                operation["responses"]["422"] = error_response(422)  # ours, not FastAPI's HTTPValidationError
            if path.startswith("/v1"):
                operation["security"] = [{"bearer": []}]
    schemas = components["schemas"]
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    app.openapi_schema = document
    return document


def statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses a route can answer, from what it has."""
    if not path.startswith("/v1"):
        return []
    found = [401, 403, 503]
    params = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in params) or method in WRITES:
        found.append(404)
    if method in WRITES:
        found.append(409)
    if params or "requestBody" in operation:
        found.append(422)
    if "requestBody" in operation:
        found.append(400)
    return sorted(found)
