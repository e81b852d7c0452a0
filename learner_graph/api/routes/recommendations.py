"""Recommendations, their feedback, predictions and the content team's flags."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from learner_graph.api.deps import GraphDep, LearnerAppOrToken, OwnersDep, ReaderOrToken, SettingsDep
from learner_graph.api.security import require
from learner_graph.api_keys import ApiKey, Role
from learner_graph.db.graph import Graph
from learner_graph.errors import Forbidden, Invalid
from learner_graph.experiments.service import assign_and_expose
from learner_graph.model import QuestionSide
from learner_graph.model.store import app_store
from learner_graph.recommendations import engine, feedback
from learner_graph.recommendations.models import (
    FeedbackIn,
    PredictionOut,
    RecommendationOut,
    RecommendationRequest,
)
from learner_graph.recommendations.pinned import PinnedModels

router = APIRouter(prefix="/v1", tags=["recommendations"])
ContentTeam = Annotated[ApiKey, Depends(require(Role.CONTENT_EDITOR, Role.ANALYST))]
IdList = Annotated[list[str], Query(max_length=100)]


def _model_for(request: Request) -> engine.ModelFor:
    state = request.app.state

    async def model_for(db: Graph, version: str | None) -> QuestionSide | None:
        if version:
            if getattr(state, "pinned_models", None) is None:
                state.pinned_models = PinnedModels()
            return await state.pinned_models.get(db, version)
        return await app_store(state).current(db)

    return model_for


def _assigner(app: str) -> engine.Assign:
    async def assign(db: Graph, user_id: str, units: list[str], now: datetime) -> list[Any]:
        return await assign_and_expose(db=db, user_id=user_id, units=units, now=now, app=app)

    return assign


@router.post("/recommendations")
async def recommend(
    key: LearnerAppOrToken,
    request: Request,
    db: GraphDep,
    owners: OwnersDep,
    settings: SettingsDep,
    body: RecommendationRequest,
) -> RecommendationOut:
    """What this student should practise next in these units or concepts, each pick explained.

    The server's clock decides experiments and `served_at`: `context.now` is for admin keys only."""
    if body.overrides is not None and key.role is not Role.ADMIN:
        raise Forbidden("only admin keys may override mixer settings per request")
    if body.context.now is not None and key.role is not Role.ADMIN:
        raise Forbidden("only admin keys may set context.now; the server's clock decides")
    app = await owners.app_for(db, key, body.user_id)
    return await engine.recommend(
        db=db,
        catalogs=request.app.state.catalogs,
        model_for=_model_for(request),
        assign=_assigner(app),
        request=body,
        defaults={"review_retention": settings.review_retention},
        recorder=request.app.state.recorder,
        app=app,
    )


@router.get("/recommendations/{recommendation_id}")
async def get_recommendation(
    key: ReaderOrToken, db: GraphDep, owners: OwnersDep, recommendation_id: str
) -> RecommendationOut:
    """A served recommendation with its explanations (survives restarts: it lives in Neo4j)."""
    await owners.check_recommendation(db, key, recommendation_id)
    return await feedback.get_recommendation(db=db, recommendation_id=recommendation_id)


@router.post("/recommendations/{recommendation_id}/feedback")
async def post_feedback(
    key: LearnerAppOrToken, db: GraphDep, owners: OwnersDep, recommendation_id: str, body: FeedbackIn
) -> dict[str, Any]:
    """shown / clicked / skipped / dismissed (too_easy, too_hard, not_relevant, broken); idempotent."""
    await owners.check_recommendation(db, key, recommendation_id)
    return await feedback.record_feedback(db=db, recommendation_id=recommendation_id, feedback=body)


@router.get("/users/{user_id}/predictions")
async def predictions(
    key: ReaderOrToken,
    request: Request,
    db: GraphDep,
    owners: OwnersDep,
    user_id: str,
    units: IdList = [],  # noqa: B006 - FastAPI copies query defaults
    questions: IdList = [],  # noqa: B006
) -> PredictionOut:
    """P(correct) per question of `units` (or the listed `questions`) and the model version."""
    if not units and not questions:
        raise Invalid("give units or questions", [{"field": "query.units", "message": "units or questions"}])
    await owners.check(db, key, user_id)
    return await engine.predictions(
        db=db,
        catalogs=request.app.state.catalogs,
        model_for=_model_for(request),
        user_id=user_id,
        units=units,
        questions=questions,
    )


@router.get("/content/flags")
async def content_flags(
    _: ContentTeam, db: GraphDep, min_reports: Annotated[int, Query(ge=1, le=100)] = 2
) -> list[dict[str, Any]]:
    """Questions several students reported as broken, most reported first."""
    return await feedback.flags(db=db, min_reports=min_reports)
