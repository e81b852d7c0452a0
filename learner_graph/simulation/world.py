"""What a simulation runs against: a `Runtime` like the API's, and the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fsrs import Scheduler

from learner_graph.config import Settings
from learner_graph.content.importer import import_content
from learner_graph.db.graph import Graph
from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.memory import make_scheduler
from learner_graph.learners.models import AttemptIn
from learner_graph.model.store import ModelStore
from learner_graph.recommendations.catalog import CatalogCache
from learner_graph.runtime import Runtime
from seed.curriculum import build_curriculum
from seed.histories import simulate_students
from seed.simulator import Simulator

BATCH = 500


@dataclass
class World:
    """One process's view: the API's runtime, the review scheduler, the curriculum and its simulator."""

    runtime: Runtime
    scheduler: Scheduler
    document: dict[str, Any]
    sim: Simulator

    @property
    def db(self) -> Graph:
        return self.runtime.graph

    @property
    def catalogs(self) -> CatalogCache:
        return self.runtime.catalogs

    @property
    def models(self) -> ModelStore:
        return self.runtime.models


@asynccontextmanager
async def open_world(
    settings: Settings, *, seed: int = 7, document: dict[str, Any] | None = None
) -> AsyncIterator[World]:
    """A runtime (schema applied, the model checked every request) for a curriculum (default: demo's)."""
    async with Runtime.open(settings, apply_schema=True, model_check_every_s=0.0) as runtime:
        document = document or build_curriculum()
        yield World(
            runtime=runtime,
            scheduler=make_scheduler(settings.review_retention),
            document=document,
            sim=Simulator(document, seed=seed),
        )


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
