"""Typed dependencies: the process's one driver, Redis cache and settings, injected into routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from learner_graph.api.security import READERS, require
from learner_graph.api_keys import ApiKey, Role
from learner_graph.cache import Cache
from learner_graph.config import Settings
from learner_graph.db.graph import Graph


# `async def` on purpose: FastAPI runs a plain `def` dependency in its thread pool, a thread hop
# per dependency per request for what is an attribute lookup.
async def get_graph(request: Request) -> Graph:
    return request.app.state.graph


async def get_cache(request: Request) -> Cache:
    return request.app.state.cache


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


GraphDep = Annotated[Graph, Depends(get_graph)]
CacheDep = Annotated[Cache, Depends(get_cache)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

Reader = Annotated[ApiKey, Depends(require(*READERS))]
LearnerApp = Annotated[ApiKey, Depends(require(Role.LEARNER_APP))]
ContentEditor = Annotated[ApiKey, Depends(require(Role.CONTENT_EDITOR))]
Analyst = Annotated[ApiKey, Depends(require(Role.ANALYST))]
# Product managers run experiments without an admin key; analysts read them.
Experimenter = Annotated[ApiKey, Depends(require(Role.EXPERIMENTER))]
ExperimentReader = Annotated[ApiKey, Depends(require(Role.ANALYST, Role.EXPERIMENTER))]
AnyRole = Annotated[ApiKey, Depends(require(*Role))]
Admin = Annotated[ApiKey, Depends(require(Role.ADMIN))]
