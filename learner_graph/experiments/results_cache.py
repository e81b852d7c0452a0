"""Experiment results reused between calls while nothing they are computed from has changed.

Computing results reads every exposed learner's attempts (seconds on the demo's 1,550 learners);
a results page is opened far more often than the data under it changes. The cache key holds a
version read from Neo4j's count store in one constant-time query: the experiment's definition
(status, end, arms...), the active model, and how many attempts, exposures, rejections, review
states, learners and deleted learners (tombstones, which only grow) there are. Any attempt,
exposure or deletion anywhere moves it, so a cached answer is never stale; the version comes from
Neo4j, not from Redis, so a write made while Redis was down cannot leave a stale entry behind.
Without Redis every call computes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from learner_graph.cache import Cache
from learner_graph.db.graph import Graph
from learner_graph.experiments.results import Results, experiment_results
from learner_graph.model.store import ModelStore

RESULTS_TTL_S = 6 * 3600  # an entry nobody asks for again goes; its version key makes it unreachable anyway
SCHEMA = 2  # bumped when `Results` or how it is computed changes (2: CUPED, delayed_retention's day back)


async def results_version(*, db: Graph, key: str) -> str | None:
    """A digest of what the experiment's results depend on; None when there is no such experiment."""
    row = (await db.read("experiment_results_version", key=key))[0]
    if row["experiment"] is None:
        return None
    text = json.dumps(row, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


async def cached_results(
    *, db: Graph, cache: Cache, models: ModelStore, key: str, now: datetime
) -> Results:
    """`experiment_results`, from Redis when its version is unchanged since it was computed."""
    version = await results_version(db=db, key=key)
    if version is None:
        return await experiment_results(db=db, key=key, now=now, models=models)  # raises NotFound
    cache_key = f"experiment-results:{key}:v{SCHEMA}:{version}"
    hit = await cache.get(cache_key)
    if hit is not None:
        return Results.model_validate(hit)
    results = await experiment_results(db=db, key=key, now=now, models=models)
    await cache.set(cache_key, results.model_dump(mode="json"), ttl_s=RESULTS_TTL_S)
    return results
