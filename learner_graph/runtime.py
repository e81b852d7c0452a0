"""The `Runtime`: every long-lived object of one process, opened and closed once.

The API's lifespan, the CLI, the simulation, the benchmarks and the tests all open one with
`Runtime.open(settings)`; nothing else creates a driver, a Redis client or a process cache.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from functools import partial

from neo4j import AsyncDriver
from neo4j.exceptions import ServiceUnavailable
from redis.asyncio import Redis

from learner_graph.cache import Cache
from learner_graph.config import Settings
from learner_graph.db import retries
from learner_graph.db.breaker import Breaker
from learner_graph.db.graph import CLI_RETRY_S, Graph, Timeouts, apply_schema_async, open_async_driver
from learner_graph.db.queries import Queries
from learner_graph.db.versions import Versions
from learner_graph.db.warm import reconnect
from learner_graph.errors import Conflict
from learner_graph.experiments.hot import HotCache
from learner_graph.learners.memory import make_scheduler
from learner_graph.learners.migration import migrate_memory
from learner_graph.learners.tenancy import Owners
from learner_graph.learners.writer import AttemptWriter
from learner_graph.metrics import Metrics
from learner_graph.model.store import CHECK_EVERY_S, ModelStore
from learner_graph.ratelimit import RateLimiter
from learner_graph.recommendations.catalog import CatalogCache
from learner_graph.recommendations.pinned import PinnedModels
from learner_graph.recommendations.recorder import Recorder
from learner_graph.recommendations.states import LearnerStates

log = logging.getLogger(__name__)
STALL_PROBE_S = 0.6  # transaction timeout of the breaker's stall probe (RETURN 1)
RECOVERY_CONNECT_S = 10.0  # connection timeout of the breaker's recovery step (requests: LG_NEO4J_TIMEOUT_S)


class TrainingGuard:
    """At most one background training run per process."""

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` in the background; a Conflict while another run is in progress."""
        if self.running:
            raise Conflict("a training run is already in progress")

        async def run() -> None:
            try:
                await work()
            except Exception:
                log.exception("background training failed")

        self._task = asyncio.create_task(run())

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


@dataclass
class Runtime:
    """The graph, cache and in-process state one process shares between its requests or jobs."""

    settings: Settings
    driver: AsyncDriver
    redis: Redis
    graph: Graph
    cache: Cache
    catalogs: CatalogCache
    models: ModelStore
    pinned: PinnedModels
    recorder: Recorder
    attempts: AttemptWriter
    experiments: HotCache
    metrics: Metrics
    admin_graph: Graph  # the same graph with the long timeouts of imports, training and admin work
    owners: Owners
    rate_limiter: RateLimiter
    states: LearnerStates  # learners' states between their requests, checked against `graph.versions`
    training: TrainingGuard = field(default_factory=TrainingGuard)

    @classmethod
    @asynccontextmanager
    async def open(
        cls,
        settings: Settings,
        *,
        queries: Queries | None = None,
        metrics: Metrics | None = None,
        apply_schema: bool = False,
        model_check_every_s: float = CHECK_EVERY_S,
        serving: bool = False,
    ) -> AsyncIterator[Runtime]:
        """Open the driver and the Redis client (neither connects before its first use); close both.

        With `apply_schema`, the schema is applied first; a Neo4j that is down is logged, not
        raised, so a server still starts and says 503 on `/readyz` until it is back. `serving`
        (the API) fails fast: a short retry budget, transaction timeouts for request reads and
        writes, and a circuit breaker; otherwise (CLI, jobs) a 30 s retry budget rides out a
        restart and transactions have the server's own limit.
        """
        queries = queries or Queries.load(settings.cypher_dir)  # a malformed file fails here, loudly
        metrics = metrics or Metrics()
        driver = open_async_driver(settings, retry_s=None if serving else CLI_RETRY_S)
        # The breaker's recovery step connects with patience: a restarted Neo4j on a loaded machine
        # took over the requests' 0.5 s to accept a connection, so with their driver it never came back.
        patient = settings.model_copy(update={"neo4j_timeout_s": RECOVERY_CONNECT_S})
        recovery_driver = open_async_driver(patient) if serving else None

        def count_retry(reason: str) -> None:
            metrics.store_retries.labels(reason=reason).inc()

        redis = Redis.from_url(
            settings.redis_url,
            socket_timeout=settings.redis_timeout_s,
            socket_connect_timeout=settings.redis_timeout_s,
        )
        cache = Cache(redis, on_error=lambda op: metrics.redis_errors.labels(op=op).inc())
        versions = Versions(cache)  # every process bumps after its writes; caches check them
        if recovery_driver is not None:
            timeouts = Timeouts(read=settings.neo4j_read_timeout_s, write=settings.neo4j_write_timeout_s)
            unguarded = Graph(
                driver, queries, settings.neo4j_database, timeouts=timeouts, on_retry=count_retry,
                versions=versions,
            )
            recovery = replace(unguarded, driver=recovery_driver)
            probe = replace(unguarded, timeouts=Timeouts(read=STALL_PROBE_S, write=STALL_PROBE_S))
            breaker = Breaker(partial(reconnect, recovery), probe=partial(probe.read, "health_probe"))
            graph = replace(unguarded, breaker=breaker)
        else:
            graph = Graph(driver, queries, settings.neo4j_database, on_retry=count_retry, versions=versions)
        long = settings.neo4j_admin_timeout_s

        states = LearnerStates(
            versions if settings.learner_cache else None,
            on_read=lambda result: metrics.learner_states.labels(result=result).inc(),
        )
        runtime = cls(
            settings=settings,
            driver=driver,
            redis=redis,
            graph=graph,
            admin_graph=graph.with_timeouts(Timeouts(read=long, write=long)),
            cache=cache,
            catalogs=CatalogCache(cache),
            models=ModelStore(check_every_s=model_check_every_s),
            pinned=PinnedModels(),
            recorder=Recorder(on_commit=metrics.record_batch.observe),
            attempts=AttemptWriter(
                make_scheduler(settings.review_retention),
                in_flight=settings.attempt_transactions,
                on_commit=metrics.attempt_batch.observe,
                states=states,
            ),
            experiments=HotCache(),
            metrics=metrics,
            owners=Owners(),
            rate_limiter=RateLimiter(cache, lease=settings.rate_limit_lease),
            states=states,
        )
        try:
            if apply_schema:
                try:
                    await apply_schema_async(driver, queries, settings.neo4j_database)
                    moved = await migrate_memory(db=runtime.admin_graph)
                    if moved.seen:
                        log.warning("review states moved onto Memory nodes: %s", moved)
                except ServiceUnavailable as error:
                    log.error("schema not applied at start-up, neo4j unavailable: %s", error)
            with retries.counted(count_retry):  # the driver's retries: counted in metrics, not logged
                yield runtime
        finally:
            if graph.breaker is not None:
                await graph.breaker.close()
            await runtime.training.close()
            await runtime.recorder.close()
            await driver.close()
            if recovery_driver is not None:
                await recovery_driver.close()
            await redis.aclose()
