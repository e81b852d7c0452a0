"""Typed dependencies: the process's one driver, Redis cache and settings, injected into routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from learner_graph.api.security import READERS, require
from learner_graph.api_keys import ApiKey, Role
from learner_graph.cache import Cache
from learner_graph.config import Settings
from learner_graph.db.graph import Graph
from learner_graph.learners.tenancy import Owners


# `async def` on purpose: FastAPI runs a plain `def` dependency in its thread pool, a thread hop
# per dependency per request for what is an attribute lookup.
async def get_graph(request: Request) -> Graph:
    return request.app.state.graph


async def get_admin_graph(request: Request) -> Graph:
    return request.app.state.admin_graph


async def get_cache(request: Request) -> Cache:
    return request.app.state.cache


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_owners(request: Request) -> Owners:
    return request.app.state.owners


GraphDep = Annotated[Graph, Depends(get_graph)]
AdminGraphDep = Annotated[Graph, Depends(get_admin_graph)]  # imports, training: the long timeouts
CacheDep = Annotated[Cache, Depends(get_cache)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
OwnersDep = Annotated[Owners, Depends(get_owners)]

Reader = Annotated[ApiKey, Depends(require(*READERS))]
LearnerApp = Annotated[ApiKey, Depends(require(Role.LEARNER_APP))]
ContentEditor = Annotated[ApiKey, Depends(require(Role.CONTENT_EDITOR))]
Analyst = Annotated[ApiKey, Depends(require(Role.ANALYST))]
Admin = Annotated[ApiKey, Depends(require(Role.ADMIN))]
# The learner routes a browser or phone may call with a learner token (for its own learner only).
LearnerAppOrToken = Annotated[ApiKey, Depends(require(Role.LEARNER_APP, learner_tokens=True))]
ReaderOrToken = Annotated[ApiKey, Depends(require(*READERS, learner_tokens=True))]
