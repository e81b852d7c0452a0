"""Recommendations, their feedback, predictions and the content team's flags."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from learner_graph.api.deps import (
    CatalogsDep,
    ContentEditor,
    GraphDep,
    LearnerAppOrToken,
    LearnerAppOrTokenLimitInRoute,
    ModelsDep,
    OwnersDep,
    ReaderOrToken,
    RuntimeDep,
)
from learner_graph.api.security import limit_reading_tokens, require
from learner_graph.api_keys import ApiKey, Role
from learner_graph.errors import Forbidden, Invalid
from learner_graph.fields import ID_PATTERN, ID_RULE
from learner_graph.learners.service import get_user
from learner_graph.learners.tenancy import check_subject
from learner_graph.lists import Cursor, Limit, Page, page_of
from learner_graph.recommendations import feedback, pipeline
from learner_graph.recommendations.models import (
    FeedbackIn,
    PredictionOut,
    RecommendationOut,
    RecommendationRequest,
)

router = APIRouter(prefix="/v1", tags=["recommendations"])
ContentTeam = Annotated[ApiKey, Depends(require(Role.CONTENT_EDITOR, Role.ANALYST))]
IdList = Annotated[list[str], Query(max_length=100)]
RECENT_MAX = 500  # how far back a learner's recommendation history reaches


@router.post("/recommendations")
async def recommend(
    key: LearnerAppOrTokenLimitInRoute,
    runtime: RuntimeDep,  # one dependency, not ten: FastAPI resolves each on every request (~7% of its CPU)
    body: RecommendationRequest,
    include: Annotated[
        list[Literal["question"]],
        Query(description="`question`: each item carries its question's text and metadata"),
    ] = [],  # noqa: B006 - FastAPI copies the default per request
) -> RecommendationOut:
    """What this student should practise next in these units or concepts, each pick explained.

    The server's clock decides experiments and `served_at`: `context.now` is for admin keys only.
    The rate limit is taken here, after the body is parsed (a 422 is not counted), with the learner's
    version tokens in the same Redis round trip."""
    tokens = await limit_reading_tokens(runtime, key, body.user_id)
    if body.overrides is not None and key.role is not Role.ADMIN:
        raise Forbidden("only admin keys may override mixer settings per request")
    if body.context.now is not None and key.role is not Role.ADMIN:
        raise Forbidden("only admin keys may set context.now; the server's clock decides")
    check_subject(key, body.user_id)  # the learner's app is checked with their state: one read, not two
    return await pipeline.recommend(
        db=runtime.graph,
        catalogs=runtime.catalogs,
        models=runtime.models,
        pinned=runtime.pinned,
        experiments=runtime.experiments,
        request=body,
        service={"review_retention": runtime.settings.review_retention},
        recorder=runtime.recorder,
        include_question="question" in include,
        states=runtime.states,
        caller=key,
        tokens=tokens,
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
    db: GraphDep,
    catalogs: CatalogsDep,
    models: ModelsDep,
    owners: OwnersDep,
    user_id: str,
    units: IdList = [],  # noqa: B006 - FastAPI copies query defaults
    questions: IdList = [],  # noqa: B006
) -> PredictionOut:
    """P(correct) per question of `units` (or the listed `questions`) and the model version."""
    if not units and not questions:
        problem = {"field": "units", "in": "query", "message": "give units or questions"}
        raise Invalid("give units or questions", [problem])
    await owners.check(db, key, user_id)
    return await pipeline.predictions(
        db=db,
        catalogs=catalogs,
        models=models,
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
    key: ReaderOrToken,
    db: GraphDep,
    owners: OwnersDep,
    user_id: Annotated[str, Path(pattern=ID_PATTERN, max_length=200, description=ID_RULE)],
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[RecommendationOut]:
    """The learner's latest recommendations (the newest RECENT_MAX), newest first, with explanations."""
    await owners.check(db, key, user_id)
    await get_user(db=db, user_id=user_id)  # an unknown learner is 404, as on every learner route
    recent = await feedback.recent_recommendations(db=db, user_id=user_id, limit=RECENT_MAX)
    return page_of(recent, limit=limit, cursor=cursor)
