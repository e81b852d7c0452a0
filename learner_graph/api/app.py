"""The FastAPI application: `create_app(settings)` wires one driver and one Redis client."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from neo4j.exceptions import ServiceUnavailable
from redis.asyncio import Redis
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learner_graph import __version__
from learner_graph.api import errors
from learner_graph.api.console import mount_console
from learner_graph.api.metrics import Metrics
from learner_graph.api.routes import (
    admin,
    content,
    experiments,
    health,
    learners,
    models,
    recommendations,
)
from learner_graph.cache import Cache
from learner_graph.config import Settings
from learner_graph.db.graph import Graph, apply_schema_async, open_async_driver
from learner_graph.db.queries import Queries
from learner_graph.logs import configure, request_id
from learner_graph.model.store import app_store
from learner_graph.recommendations.catalog import CatalogCache
from learner_graph.recommendations.recorder import Recorder

log = logging.getLogger(__name__)


class Observe:
    """Request ids, the request counter and the latency histogram, as plain ASGI middleware
    (Starlette's BaseHTTPMiddleware cost about a millisecond a request in task and stream setup)."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        rid = headers.get(b"x-request-id", b"").decode("latin-1") or uuid.uuid4().hex
        token = request_id.set(rid)
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
            method = scope.get("method", "")
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.latency.labels(route, method).observe(elapsed)


async def warm_up(app: FastAPI) -> None:
    """Load the catalog and the active model before serving, so no request pays for them.

    On the benchmark graph the first request otherwise waited 6-12 s. Best effort: a failure
    here is logged and the first request loads them instead.
    """
    started = time.perf_counter()
    db: Graph = app.state.graph
    try:
        version = (await db.read("rec_content_version"))[0]["version"]
        await app.state.catalogs.get(db, str(version))
        await app_store(app.state).current(db)
    except Exception as error:  # noqa: BLE001 - never fail start-up for a cache
        log.warning("warm-up skipped: %s", error)
        return
    log.info("warm-up done in %.1f s", time.perf_counter() - started)


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
        driver = open_async_driver(settings)
        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout_s,
            socket_connect_timeout=settings.redis_timeout_s,
        )
        app.state.graph = Graph(driver, queries, settings.neo4j_database)
        app.state.cache = Cache(redis, on_error=lambda op: metrics.redis_errors.labels(op=op).inc())
        app.state.catalogs = CatalogCache(app.state.cache)
        app.state.recorder = Recorder(on_commit=metrics.record_batch.observe)
        if settings.apply_schema_on_startup:
            try:
                await apply_schema_async(driver, queries, settings.neo4j_database)
            except ServiceUnavailable as error:
                # Start anyway: /readyz says 503 until Neo4j is back and the schema is applied.
                log.error("schema not applied at start-up, neo4j unavailable: %s", error)
        if settings.warm_up:
            await warm_up(app)
        try:
            yield
        finally:
            await driver.close()
            await redis.aclose()

    app = FastAPI(
        title="learner-graph",
        version=__version__,
        description="What each student should practise next, why, and whether it helped.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.queries = queries
    app.state.metrics = metrics
    errors.install(app)
    for module in (health, admin, content, learners, models, recommendations, experiments):
        app.include_router(module.router)
    mount_console(app, settings.console_dir)

    app.add_middleware(Observe, metrics=metrics)
    return app
