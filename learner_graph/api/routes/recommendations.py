"""Recommendations, their feedback, predictions and the content team's flags."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from learner_graph.api.deps import ContentEditor, GraphDep, LearnerApp, Reader, SettingsDep
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


async def _assign(db: Graph, user_id: str, units: list[str], now: datetime) -> list[Any]:
    return await assign_and_expose(db=db, user_id=user_id, units=units, now=now)


@router.post("/recommendations")
async def recommend(
    key: LearnerApp, request: Request, db: GraphDep, settings: SettingsDep, body: RecommendationRequest
) -> RecommendationOut:
    """What this student should practise next in these units or concepts, each pick explained."""
    if body.overrides is not None and key.role is not Role.ADMIN:
        raise Forbidden("only admin keys may override mixer settings per request")
    return await engine.recommend(
        db=db,
        catalogs=request.app.state.catalogs,
        model_for=_model_for(request),
        assign=_assign,
        request=body,
        defaults={"review_retention": settings.review_retention},
        recorder=request.app.state.recorder,
    )


@router.get("/recommendations/{recommendation_id}")
async def get_recommendation(_: Reader, db: GraphDep, recommendation_id: str) -> RecommendationOut:
    """A served recommendation with its explanations (survives restarts: it lives in Neo4j)."""
    return await feedback.get_recommendation(db=db, recommendation_id=recommendation_id)


@router.post("/recommendations/{recommendation_id}/feedback")
async def post_feedback(
    _: LearnerApp, db: GraphDep, recommendation_id: str, body: FeedbackIn
) -> dict[str, Any]:
    """shown / clicked / skipped / dismissed (too_easy, too_hard, not_relevant, broken); idempotent."""
    return await feedback.record_feedback(db=db, recommendation_id=recommendation_id, feedback=body)


@router.get("/users/{user_id}/predictions")
async def predictions(
    _: Reader,
    request: Request,
    db: GraphDep,
    user_id: str,
    units: IdList = [],  # noqa: B006 - FastAPI copies query defaults
    questions: IdList = [],  # noqa: B006
) -> PredictionOut:
    """P(correct) per question of `units` (or the listed `questions`) and the model version."""
    if not units and not questions:
        raise Invalid("give units or questions", [{"field": "query.units", "message": "units or questions"}])
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


@router.post("/content/flags/{question_id}/resolve")
async def resolve_flag(key: ContentEditor, db: GraphDep, question_id: str) -> dict[str, Any]:
    """Mark the flag resolved (idempotent: resolving again only moves the time)."""
    return await feedback.resolve_flag(db=db, question_id=question_id, author=key.name, now=datetime.now(UTC))


@router.get("/users/{user_id}/recommendations")
async def user_recommendations(
    _: Reader, db: GraphDep, user_id: str, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> list[RecommendationOut]:
    """The learner's latest recommendations, newest first, each with its explanations."""
    return await feedback.recent_recommendations(db=db, user_id=user_id, limit=limit)
