"""Attempts and the learner read routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from learner_graph.api.deps import Admin, GraphDep, LearnerApp, Reader, SettingsDep
from learner_graph.learners import service
from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.memory import make_scheduler
from learner_graph.learners.models import (
    AttemptBatch,
    AttemptIn,
    AttemptsRecorded,
    ConceptMastery,
    GapConcept,
    StreakOut,
    UserOut,
    UserPage,
    UserPatch,
)
from learner_graph.timeutil import now_or

router = APIRouter(prefix="/v1", tags=["learners"])
AsOf = Annotated[datetime | None, Query(description="evaluate as of this time (default now)")]


@router.post("/attempts")
async def post_attempts(
    _: LearnerApp,
    db: GraphDep,
    settings: SettingsDep,
    body: Annotated[AttemptIn | AttemptBatch, Body()],
) -> AttemptsRecorded:
    """Record one attempt or a batch of up to 1,000 (all-or-nothing, idempotent by attempt_id)."""
    attempts = body.attempts if isinstance(body, AttemptBatch) else [body]
    return await record_attempts(
        db=db, attempts=attempts, now=now_or(None), scheduler=make_scheduler(settings.review_retention)
    )


@router.get("/users")
async def list_users(
    _: Reader,
    db: GraphDep,
    text: Annotated[str | None, Query(alias="q", min_length=1, max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> UserPage:
    """Learners by id; `q` matches the id or display name; page with `cursor`."""
    return await service.list_users(db=db, text=text, limit=limit, cursor=cursor)


@router.get("/users/{user_id}")
async def get_user(_: Reader, db: GraphDep, user_id: str) -> UserOut:
    return await service.get_user(db=db, user_id=user_id)


@router.patch("/users/{user_id}")
async def patch_user(_: LearnerApp, db: GraphDep, user_id: str, patch: UserPatch) -> UserOut:
    """Change the time zone (IANA name) or display name."""
    return await service.update_user(db=db, user_id=user_id, patch=patch)


@router.delete("/users/{user_id}")
async def delete_user(_: Admin, db: GraphDep, user_id: str) -> dict[str, Any]:
    """Remove the learner and everything recorded about them."""
    return {"deleted": user_id, **await service.delete_user(db=db, user_id=user_id)}


@router.get("/users/{user_id}/mastery")
async def mastery(
    _: Reader, db: GraphDep, settings: SettingsDep, user_id: str, as_of: AsOf = None
) -> list[ConceptMastery]:
    """Per concept: mastery level, retrievability now and the next review date."""
    sch = make_scheduler(settings.review_retention)
    return await service.mastery(db=db, user_id=user_id, now=now_or(as_of), scheduler=sch)


@router.get("/users/{user_id}/gaps")
async def gaps(
    _: Reader,
    db: GraphDep,
    settings: SettingsDep,
    user_id: str,
    concept: Annotated[str, Query(min_length=1)],
    as_of: AsOf = None,
) -> list[GapConcept]:
    """Prerequisites of `concept` below mastery, ordered from the root of the gap upward."""
    sch = make_scheduler(settings.review_retention)
    return await service.gaps(db=db, user_id=user_id, concept_id=concept, now=now_or(as_of), scheduler=sch)


@router.get("/users/{user_id}/ready")
async def ready(
    _: Reader, db: GraphDep, settings: SettingsDep, user_id: str, as_of: AsOf = None
) -> list[dict[str, Any]]:
    """Concepts not yet mastered whose prerequisites all are."""
    sch = make_scheduler(settings.review_retention)
    return await service.ready(db=db, user_id=user_id, now=now_or(as_of), scheduler=sch)


@router.get("/users/{user_id}/streak")
async def streak(_: Reader, db: GraphDep, user_id: str, as_of: AsOf = None) -> StreakOut:
    """Practice days in the learner's time zone, current and longest streak, today's goal."""
    return await service.streak(db=db, user_id=user_id, now=now_or(as_of))


@router.get("/users/{user_id}/attempts")
async def attempts(
    _: Reader,
    db: GraphDep,
    user_id: str,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """The learner's attempts, newest first, paginated by cursor."""
    return await service.attempts_page(db=db, user_id=user_id, limit=limit, cursor=cursor)
