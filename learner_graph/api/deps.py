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
# per dependency per request for what is an attribute lookup.
async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_graph(runtime: RuntimeDep) -> Graph:
    return runtime.graph


async def get_admin_graph(runtime: RuntimeDep) -> Graph:
    return runtime.admin_graph


async def get_owners(runtime: RuntimeDep) -> Owners:
    return runtime.owners


async def get_cache(runtime: RuntimeDep) -> Cache:
    return runtime.cache


async def get_catalogs(runtime: RuntimeDep) -> CatalogCache:
    return runtime.catalogs


async def get_models(runtime: RuntimeDep) -> ModelStore:
    return runtime.models


async def get_pinned(runtime: RuntimeDep) -> PinnedModels:
    return runtime.pinned


async def get_recorder(runtime: RuntimeDep) -> Recorder:
    return runtime.recorder


async def get_experiments(runtime: RuntimeDep) -> HotCache:
    return runtime.experiments


async def get_metrics(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics  # exists before the lifespan: middleware counts too
    return metrics


async def get_training(runtime: RuntimeDep) -> TrainingGuard:
    return runtime.training


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_attempt_writer(runtime: RuntimeDep) -> AttemptWriter:
    return runtime.attempts


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
