"""The FastAPI application: `create_app(settings)`; its lifespan opens and closes the one `Runtime`."""

from __future__ import annotations

import gc
import itertools
import logging
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learner_graph import __version__
from learner_graph.api import errors
from learner_graph.api.console import mount_console
from learner_graph.api.limits import LimitBody, single_query_values
from learner_graph.api.openapi import contract
from learner_graph.api.routes import (
    admin,
    content,
    experiments,
    health,
    learners,
    models,
    recommendations,
    tokens,
)
from learner_graph.api.security import credential_of
from learner_graph.api_keys import find_key
from learner_graph.config import Settings
from learner_graph.db.queries import Queries
from learner_graph.db.warm import warm_at_start
from learner_graph.logs import configure, request_id
from learner_graph.metrics import GcTimer, Metrics
from learner_graph.runtime import Runtime
from learner_graph.tokens import VerifiedTokens

log = logging.getLogger(__name__)


class RequestIds:
    """Fresh request ids: 32 hex digits, a random half per process and a counter (a uuid4 a request
    asked the kernel for 16 random bytes each time: ~15 us of a request's CPU)."""

    def __init__(self) -> None:
        self.prefix = secrets.token_hex(8)
        self.counter = itertools.count(1)

    def __call__(self) -> str:
        return f"{self.prefix}{next(self.counter):016x}"


def header(scope: Scope, name: bytes) -> bytes | None:
    """A request header's raw value (lower-case `name`; the last if repeated, as a dict of them
    all kept it), without building that dict."""
    found = None
    for key, value in scope.get("headers") or ():
        if key == name:
            found = bytes(value)
    return found


class Observe:
    """Request ids, the request counter and the latency histogram, as plain ASGI middleware
    (Starlette's BaseHTTPMiddleware cost about a millisecond a request in task and stream setup).
    Each (route, method, status)'s metric children are looked up once, not per request."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.ids = RequestIds()
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._latencies: dict[tuple[str, str], Any] = {}

    def _observe(self, route: str, method: str, status: int, elapsed: float) -> None:
        counter = self._counters.get((route, method, status))
        if counter is None:
            counter = self.metrics.requests.labels(route, method, str(status))
            self._counters[route, method, status] = counter
        counter.inc()
        latency = self._latencies.get((route, method))
        if latency is None:
            latency = self._latencies[route, method] = self.metrics.latency.labels(route, method)
        latency.observe(elapsed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = (header(scope, b"x-request-id") or b"").decode("latin-1") or self.ids()
        token = request_id.set(rid)
        scope.setdefault("state", {})["request_id"] = rid  # for the 500 handler, which runs outside
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", "unmatched")
            self._observe(route, scope.get("method", ""), status, elapsed)


OPS_PATHS = frozenset({"/metrics", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"})


class ProtectOps:
    """With `LG_PROTECT_OPS`, the metrics and the API documents need a valid API key (any role)."""

    def __init__(self, app: ASGIApp, *, settings: Settings, metrics: Metrics) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in OPS_PATHS:
            presented = credential_of((header(scope, b"authorization") or b"").decode("latin-1"))
            if presented is None or find_key(self.settings.keys, presented) is None:
                self.metrics.auth_failures.labels(reason="ops").inc()
                body = errors.error_body("unauthorized", "this path needs an API key (LG_PROTECT_OPS)")
                response = JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def warm_up(runtime: Runtime) -> None:
    """Load the catalog and the active model before serving, so no request pays for them.

    On the benchmark graph the first request otherwise waited 6-12 s. Best effort: a failure
    here is logged and the first request loads them instead.
    """
    started = time.perf_counter()
    db = runtime.admin_graph  # a request's 5 s read budget is too short for 20k questions on a busy machine
    try:
        version = (await db.read("rec_content_version"))[0]["version"]
        await runtime.catalogs.get(db, str(version))
        await runtime.models.current(db)
        await warm_at_start(db)
    except Exception as error:  # noqa: BLE001 - never fail start-up for a cache
        log.warning("warm-up skipped: %s", error)
        return
    log.info("warm-up done in %.1f s", time.perf_counter() - started)


def freeze_heap() -> None:
    """Keep what start-up loaded out of the garbage collector's full passes.

    Under 16 clients the whole process stalled for 0.4-0.55 s every 6-10 s: a full collection
    walked every object alive since start-up (drivers, numpy, the catalog, torch's when loaded).
    Frozen objects are never scanned again, so a full pass only walks what requests made since.
    """
    gc.collect()
    gc.freeze()


def app_from_env() -> FastAPI:
    """`create_app` for the settings in the environment: uvicorn's factory when it runs workers."""
    settings = Settings()
    configure(settings.log_level)
    return create_app(settings)


def create_app(settings: Settings) -> FastAPI:
    """Build the API for `settings`; nothing is opened until the lifespan starts."""
    queries = Queries.load(settings.cypher_dir)  # a malformed file fails here, loudly
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with Runtime.open(
            settings,
            queries=queries,
            metrics=metrics,
            apply_schema=settings.apply_schema_on_startup,
            serving=True,
        ) as runtime:
            app.state.runtime = runtime  # handed to routes piece by piece by api/deps.py
            if settings.warm_up:
                await warm_up(runtime)
            if settings.gc_freeze:
                freeze_heap()
            gc_timer = GcTimer(metrics.gc_pause)
            gc.callbacks.append(gc_timer)
            try:
                yield
            finally:
                gc.callbacks.remove(gc_timer)
                del app.state.runtime

    app = FastAPI(
        title="learner-graph",
        version=__version__,
        description="What each student should practise next, why, and whether it helped.",
        lifespan=lifespan,
        dependencies=[Depends(single_query_values)],
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.verified_tokens = VerifiedTokens(settings.token_secrets)  # read by api/security.py
    errors.install(app)
    app.openapi = lambda: contract(app)  # type: ignore[method-assign]
    # The learner app's two routes (an answer, then what next) are matched first: Starlette and
    # FastAPI walk the routers in order, and every router before a request's own costs it a walk.
    # The order decides nothing else: no two routes match the same method and path (tested).
    for module in (learners, recommendations, health, admin, content, tokens, models, experiments):
        app.include_router(module.router)
    mount_console(app, settings.console_dir)

    if settings.protect_ops:
        app.add_middleware(ProtectOps, settings=settings, metrics=metrics)
    app.add_middleware(LimitBody, limit=settings.max_body_bytes, large_limit=settings.max_import_body_bytes)
    app.add_middleware(Observe, metrics=metrics)
    return app
