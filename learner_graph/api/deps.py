"""Typed dependencies: each piece of the process's `Runtime`, and the settings, injected into routes.

Routes never read `request.app.state`: the lifespan puts the runtime there and these functions hand
out its pieces.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from learner_graph.api.security import READERS, require
from learner_graph.api_keys import ApiKey, Role
from learner_graph.cache import Cache
from learner_graph.config import Settings
from learner_graph.db.graph import Graph
from learner_graph.experiments.hot import HotCache
from learner_graph.learners.tenancy import Owners
from learner_graph.learners.writer import AttemptWriter
from learner_graph.metrics import Metrics
from learner_graph.model.store import ModelStore
from learner_graph.recommendations.catalog import CatalogCache
from learner_graph.recommendations.pinned import PinnedModels
from learner_graph.recommendations.recorder import Recorder
from learner_graph.runtime import Runtime, TrainingGuard


# `async def` on purpose: FastAPI runs a plain `def` dependency in its thread pool, a thread hop
# per dependency per request for what is an attribute lookup. Each piece reads the runtime from the
# request itself, not through a `RuntimeDep` of its own: a nested dependency is a second solve
# (its own cache lookup and call) on every request, for the same attribute lookup.
async def get_runtime(request: Request) -> Runtime:
    return _runtime(request)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_graph(request: Request) -> Graph:
    return _runtime(request).graph


async def get_admin_graph(request: Request) -> Graph:
    return _runtime(request).admin_graph


async def get_owners(request: Request) -> Owners:
    return _runtime(request).owners


async def get_cache(request: Request) -> Cache:
    return _runtime(request).cache


async def get_catalogs(request: Request) -> CatalogCache:
    return _runtime(request).catalogs


async def get_models(request: Request) -> ModelStore:
    return _runtime(request).models


async def get_pinned(request: Request) -> PinnedModels:
    return _runtime(request).pinned


async def get_recorder(request: Request) -> Recorder:
    return _runtime(request).recorder


async def get_experiments(request: Request) -> HotCache:
    return _runtime(request).experiments


async def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics  # exists before the lifespan: middleware counts too
    return metrics


async def get_training(request: Request) -> TrainingGuard:
    return _runtime(request).training


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_attempt_writer(request: Request) -> AttemptWriter:
    return _runtime(request).attempts


GraphDep = Annotated[Graph, Depends(get_graph)]
AdminGraphDep = Annotated[Graph, Depends(get_admin_graph)]  # imports, training: the long timeouts
OwnersDep = Annotated[Owners, Depends(get_owners)]
CacheDep = Annotated[Cache, Depends(get_cache)]
CatalogsDep = Annotated[CatalogCache, Depends(get_catalogs)]
ModelsDep = Annotated[ModelStore, Depends(get_models)]
PinnedDep = Annotated[PinnedModels, Depends(get_pinned)]
RecorderDep = Annotated[Recorder, Depends(get_recorder)]
ExperimentsDep = Annotated[HotCache, Depends(get_experiments)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
TrainingDep = Annotated[TrainingGuard, Depends(get_training)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
AttemptWriterDep = Annotated[AttemptWriter, Depends(get_attempt_writer)]

Reader = Annotated[ApiKey, Depends(require(*READERS))]
LearnerApp = Annotated[ApiKey, Depends(require(Role.LEARNER_APP))]
ContentEditor = Annotated[ApiKey, Depends(require(Role.CONTENT_EDITOR))]
Analyst = Annotated[ApiKey, Depends(require(Role.ANALYST))]
# Product managers run experiments without an admin key; analysts read them.
Experimenter = Annotated[ApiKey, Depends(require(Role.EXPERIMENTER))]
ExperimentReader = Annotated[ApiKey, Depends(require(Role.ANALYST, Role.EXPERIMENTER))]
AnyRole = Annotated[ApiKey, Depends(require(*Role))]
Admin = Annotated[ApiKey, Depends(require(Role.ADMIN))]
# The learner routes a browser or phone may call with a learner token (for its own learner only).
LearnerAppOrToken = Annotated[ApiKey, Depends(require(Role.LEARNER_APP, learner_tokens=True))]
ReaderOrToken = Annotated[ApiKey, Depends(require(*READERS, learner_tokens=True))]
# The same as `LearnerAppOrToken`, the rate limit left to the route: it reads the learner's version
# tokens in the same Redis round trip (`security.limit_reading_tokens`).
LearnerAppOrTokenLimitInRoute = Annotated[
    ApiKey, Depends(require(Role.LEARNER_APP, learner_tokens=True, limit=False))
]
