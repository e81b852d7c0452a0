"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from learner_graph import __version__
from learner_graph.api.deps import CacheDep, GraphDep, MetricsDep, SettingsDep
from learner_graph.db.breaker import forget
from learner_graph.db.graph import missing_schema_objects

router = APIRouter(tags=["operations"])
READY_TIMEOUT_S = 0.8


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Alive: the process answers. Says nothing about Neo4j or Redis."""
    return {"status": "ok", "version": __version__}


@router.get("/readyz")
async def readyz(graph: GraphDep, cache: CacheDep, metrics: MetricsDep, settings: SettingsDep) -> Response:
    """Ready when Neo4j answers and the schema is applied; a dead Redis only degrades."""
    checks: dict[str, Any] = {}
    ready = True
    try:
        if graph.breaker is not None:
            graph.breaker.before()  # known down (or not yet recovered): no need to ask it
        missing = await _within(missing_schema_objects(graph.driver, graph.queries, graph.database))
        checks["neo4j"] = "ok"
        checks["schema"] = "ok" if not missing else {"missing": missing}
        ready = not missing
    except (ServiceUnavailable, SessionExpired, Neo4jError, OSError, TimeoutError) as error:
        metrics.neo4j_errors.labels(kind=type(error).__name__).inc()
        checks["neo4j"] = f"unavailable: {type(error).__name__}"
        ready = False
    redis_ok = await cache.ping()
    metrics.redis_up.set(1 if redis_ok else 0)
    checks["redis"] = "ok" if redis_ok else "degraded"
    status = ("degraded" if not redis_ok else "ready") if ready else "unavailable"
    headers = None if ready else {"Retry-After": str(settings.retry_after_s)}
    return JSONResponse(
        {"status": status, "checks": checks}, status_code=200 if ready else 503, headers=headers
    )


async def _within(check: Coroutine[Any, Any, list[str]]) -> list[str]:
    """`check`'s answer within `READY_TIMEOUT_S`, else TimeoutError at once: a probe must get an
    answer, not a hang, while Neo4j is down or stopping. Not `asyncio.wait_for`, which waits for the
    cancelled check to end (a driver giving up a connection to a stopping Neo4j took 3 s)."""
    task = asyncio.ensure_future(check)
    done, _ = await asyncio.wait((task,), timeout=READY_TIMEOUT_S)
    if task in done:
        return task.result()
    task.cancel()
    task.add_done_callback(forget)
    raise TimeoutError


@router.get("/metrics")
async def metrics(counters: MetricsDep) -> Response:
    """Prometheus text format."""
    return Response(generate_latest(counters.registry), media_type=CONTENT_TYPE_LATEST)
