"""Admin routes of the model domain: list, activate and train model versions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from pydantic import Field

from learner_graph.api.deps import (
    Admin,
    AdminGraphDep,
    Analyst,
    GraphDep,
    ModelsDep,
    SettingsDep,
    TrainingDep,
)
from learner_graph.errors import Conflict
from learner_graph.fields import Id, Input
from learner_graph.lists import Cursor, Limit, Page, page_of
from learner_graph.model import registry
from learner_graph.model.service import train_version

router = APIRouter(prefix="/v1", tags=["models"])


class TrainRequest(Input):
    scope: list[Id] = Field(default_factory=list, description="unit ids; empty: every attempt")
    force: bool = False


@router.get("/admin/models")
async def list_models(
    db: GraphDep, _: Analyst, limit: Limit = 50, cursor: Cursor = None
) -> Page[dict[str, Any]]:
    """Every model version with its metrics (the calibration table too), newest first; analysts read."""
    return page_of(await registry.list_versions(db=db), limit=limit, cursor=cursor)


@router.get("/admin/models/current")
async def current_model(db: GraphDep, models: ModelsDep, _: Admin) -> dict[str, Any]:
    """The version this API process is serving right now."""
    side = await models.current(db)
    return {"model_id": side.model_id if side else None}


@router.post("/admin/models/{model_id}/activate")
async def activate_model(model_id: str, db: GraphDep, models: ModelsDep, _: Admin) -> dict[str, Any]:
    """Activate a version: this replica serves it from the next request, the others within a second."""
    await registry.activate(db=db, model_id=model_id)
    models.invalidate()
    return {"model_id": model_id, "active": True}


@router.post("/admin/models/train", status_code=status.HTTP_202_ACCEPTED)
async def train_model(body: TrainRequest, db: AdminGraphDep, settings: SettingsDep, training: TrainingDep,
                      _: Admin) -> dict[str, Any]:
    """Start a training run in the background; 409 while another one runs (in any process or the
    trainer: the lease in Neo4j is taken here, before answering, and released when the run ends)."""
    if training.running:
        raise Conflict("a training run is already in progress in this process")
    lease = await registry.take_training_lease(db=db)

    async def run() -> None:
        await train_version(
            db=db, model_dir=settings.model_dir, units=body.scope or None, force=body.force, lease=lease
        )

    training.start(run)
    return {"status": "started", "scope": body.scope, "force": body.force}
