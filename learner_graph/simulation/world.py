"""What a simulation runs against: the graph, the caches and model store the API uses, and the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fsrs import Scheduler
from redis.asyncio import Redis

from learner_graph.cache import Cache
from learner_graph.config import Settings
from learner_graph.content.importer import import_content
from learner_graph.db.graph import Graph, apply_schema_async, open_async_driver
from learner_graph.db.queries import Queries
from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.memory import make_scheduler
from learner_graph.learners.models import AttemptIn
from learner_graph.model.store import ModelStore
from learner_graph.recommendations.catalog import CatalogCache
from seed.curriculum import build_curriculum
from seed.histories import simulate_students
from seed.simulator import Simulator

BATCH = 500


@dataclass
class World:
    """One process's view: the same objects `create_app` keeps in `app.state`."""

    db: Graph
    catalogs: CatalogCache
    models: ModelStore
    scheduler: Scheduler
    document: dict[str, Any]
    sim: Simulator


@asynccontextmanager
async def open_world(
    settings: Settings, *, seed: int = 7, document: dict[str, Any] | None = None
) -> AsyncIterator[World]:
    """Driver, Redis cache, catalog cache and model store for a curriculum (default the demo's)."""
    driver = open_async_driver(settings)
    redis = Redis.from_url(settings.redis_url, socket_timeout=settings.redis_timeout_s)
    try:
        db = Graph(driver, Queries.load(settings.cypher_dir), settings.neo4j_database)
        await apply_schema_async(driver, db.queries, settings.neo4j_database)
        document = document or build_curriculum()
        yield World(
            db=db,
            catalogs=CatalogCache(Cache(redis)),
            models=ModelStore(check_every_s=0.0),
            scheduler=make_scheduler(settings.review_retention),
            document=document,
            sim=Simulator(document, seed=seed),
        )
    finally:
        await redis.aclose()
        await driver.close()


async def ensure_content(world: World) -> bool:
    """Import the demo curriculum unless its questions are already in the graph; True when imported."""
    catalog = await world.catalogs.get(world.db, await _content_version(world.db))
    if all(q["id"] in catalog.questions for q in world.document["questions"]):
        return False
    await import_content(db=world.db, document=world.document, author="simulation")
    return True


async def _content_version(db: Graph) -> str:
    rows = await db.read("rec_content_version")
    return str(rows[0]["version"])


async def warm_up(world: World, *, students: int, before: datetime, seed: int) -> int:
    """Record `students` simulated histories (curriculum walk) over the 60 days before `before`."""
    rows: list[dict[str, Any]] = []
    for _, attempts in simulate_students(
        world.document, n_students=students, attempts_per_student=(20, 80),
        start=before - timedelta(days=60), days=58, seed=seed, simulator=world.sim,
    ):
        rows.extend(attempts)
    for i in range(0, len(rows), BATCH):
        batch = [AttemptIn(**row) for row in rows[i : i + BATCH]]
        await record_attempts(db=world.db, attempts=batch, now=before, scheduler=world.scheduler)
    return len(rows)
