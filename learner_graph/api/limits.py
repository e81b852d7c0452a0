"""Request limits: bodies (plain ASGI middleware, 413 before a large body is read into memory) and
query parameters given once."""

from __future__ import annotations

from types import UnionType
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learner_graph.api.errors import error_body
from learner_graph.errors import Invalid

LARGE_BODY_PATHS = frozenset({"/v1/content/import"})  # a whole curriculum document


class LimitBody:
    """Refuse bodies over `limit` bytes (`large_limit` on the import routes) with a JSON 413.

    A declared Content-Length over the limit is refused before anything is read; a chunked body
    is counted as it arrives and refused once it passes the limit.
    """

    def __init__(self, app: ASGIApp, *, limit: int, large_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.large_limit = large_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.large_limit if scope["path"] in LARGE_BODY_PATHS else self.limit
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(limit, scope, receive, send)
            return
        received = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not started:
                    refused = True  # answer now; the app is told the client left and stops reading
                    await _refuse(limit, scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent: whatever the app answers is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except Exception:
            if not refused:  # after a 413 the app may fail on the body it was denied: nothing to say
                raise


async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
    body = error_body("too_large", f"request body over {limit} bytes", [{"field": "body", "limit": limit}])
    await JSONResponse(body, status_code=413)(scope, receive, send)


def _is_list(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return origin in (Union, UnionType) and any(_is_list(arg) for arg in get_args(annotation))


def _query_params(dependant: Dependant) -> list[Any]:
    """The query parameters of a route and of its dependencies."""
    found = list(dependant.query_params)
    for sub in dependant.dependencies:
        found += _query_params(sub)
    return found


async def single_query_values(request: Request) -> None:
    """Refuse a scalar query parameter given twice (`?q=a&q=b`): taking one silently hides a client bug."""
    names = [name for name, _ in request.query_params.multi_items()]
    if len(names) == len(set(names)):  # nearly every request: no route walk on the hot path
        return
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    repeated = [
        p.alias
        for p in _query_params(dependant)
        if len(request.query_params.getlist(p.alias)) > 1 and not _is_list(p.field_info.annotation)
    ]
    if repeated:
        raise Invalid(
            "query parameters given more than once",
            [{"field": name, "in": "query", "message": "give this parameter once"} for name in repeated],
        )
