"""Attempts and the learner read routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response
from pydantic import Discriminator, Tag

from learner_graph.api.deps import (
    Admin,
    AttemptWriterDep,
    GraphDep,
    LearnerApp,
    LearnerAppOrToken,
    OwnersDep,
    Reader,
    ReaderOrToken,
    SettingsDep,
)
from learner_graph.api_keys import Role
from learner_graph.errors import Invalid
from learner_graph.fields import ID_PATTERN, ID_RULE, Time
from learner_graph.learners import service
from learner_graph.learners.memory import make_scheduler
from learner_graph.learners.models import (
    AttemptBatch,
    AttemptIn,
    AttemptOut,
    AttemptsRecorded,
    ConceptMastery,
    GapConcept,
    ReadyConcept,
    StreakOut,
    UserOut,
    UserPage,
    UserPatch,
)
from learner_graph.learners.references import check_recommendations
from learner_graph.learners.tenancy import check_subject
from learner_graph.lists import Cursor, Limit, Page, page_of
from learner_graph.timeutil import now_or

router = APIRouter(prefix="/v1", tags=["learners"])
PathId = Annotated[str, Path(pattern=ID_PATTERN, max_length=200, description=ID_RULE)]


def _attempt_shape(value: Any) -> str:
    """A body with `attempts` is a batch; anything else is one attempt (and is told so)."""
    return "<batch>" if isinstance(value, dict) and "attempts" in value else "<one>"


# Errors name the fields of the shape that was sent, never both shapes' fields mixed.
AttemptBody = Annotated[
    Annotated[AttemptIn, Tag("<one>")] | Annotated[AttemptBatch, Tag("<batch>")],
    Discriminator(_attempt_shape),
]
AsOf = Annotated[Time | None, Query(description="evaluate as of this RFC 3339 time with zone (default now)")]


@router.post("/attempts")
async def post_attempts(
    key: LearnerAppOrToken,
    db: GraphDep,
    writer: AttemptWriterDep,
    body: Annotated[AttemptBody, Body()],
) -> AttemptsRecorded:
    """Record one attempt or a batch of up to 1,000 (all-or-nothing, idempotent by attempt_id).

    Learners of another app are refused as unknown (404); a learner token records its own only."""
    batch = isinstance(body, AttemptBatch)
    attempts = body.attempts if isinstance(body, AttemptBatch) else [body]
    for attempt in attempts:
        check_subject(key, attempt.user_id)
    try:
        await check_recommendations(db=db, attempts=attempts)
        return await writer.record(
            db, attempts, now_or(None), app=key.app, any_app=key.role is Role.ADMIN
        )
    except Invalid as error:
        raise error if batch else _as_one(error) from None


def _as_one(error: Invalid) -> Invalid:
    """A single attempt's problems name its own fields (`time_spent_ms`, not `attempts[0]...`)."""
    prefix = "attempts[0]."
    for detail in error.details:
        field = str(detail.get("field", ""))
        detail["field"] = field.removeprefix(prefix)
    return error


@router.get("/users")
async def list_users(
    key: Reader,
    db: GraphDep,
    text: Annotated[str | None, Query(alias="q", min_length=1, max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> UserPage:
    """Learners of the key's app (admins: every app) by id; `q` matches the id or display name."""
    app = None if key.role is Role.ADMIN else key.app
    return await service.list_users(db=db, app=app, text=text, limit=limit, cursor=cursor)


@router.get("/users/{user_id}")
async def get_user(key: ReaderOrToken, db: GraphDep, owners: OwnersDep, user_id: str) -> UserOut:
    await owners.check(db, key, user_id)
    return await service.get_user(db=db, user_id=user_id)


@router.put(
    "/users/{user_id}", status_code=200, responses={201: {"model": UserOut, "description": "created"}}
)
async def put_user(
    key: LearnerApp, db: GraphDep, owners: OwnersDep, user_id: PathId, profile: UserPatch, response: Response
) -> UserOut:
    """Create the learner (before any activity) or update the given fields; repeating it changes nothing."""
    app = await owners.app_for(db, key, user_id)
    user, created = await service.put_user(db=db, user_id=user_id, profile=profile, now=now_or(None), app=app)
    if created:
        response.status_code = 201
    return user


@router.patch("/users/{user_id}")
async def patch_user(
    key: LearnerApp, db: GraphDep, owners: OwnersDep, user_id: str, patch: UserPatch
) -> UserOut:
    """Change the time zone (IANA name) or display name."""
    await owners.check(db, key, user_id)
    return await service.update_user(db=db, user_id=user_id, patch=patch)


@router.delete("/users/{user_id}")
async def delete_user(_: Admin, db: GraphDep, owners: OwnersDep, user_id: str) -> dict[str, Any]:
    """Remove the learner and everything recorded about them."""
    deleted = await service.delete_user(db=db, user_id=user_id, now=now_or(None))
    owners.forget(user_id)
    return {"deleted": user_id, **deleted}


@router.get("/users/{user_id}/mastery")
async def mastery(
    key: ReaderOrToken,
    db: GraphDep,
    owners: OwnersDep,
    settings: SettingsDep,
    user_id: str,
    as_of: AsOf = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[ConceptMastery]:
    """Per concept: mastery level, retrievability now and the next review date."""
    await owners.check(db, key, user_id)
    sch = make_scheduler(settings.review_retention)
    found = await service.mastery(db=db, user_id=user_id, now=now_or(as_of), scheduler=sch)
    return page_of(found, limit=limit, cursor=cursor)


@router.get("/users/{user_id}/gaps")
async def gaps(
    key: ReaderOrToken,
    db: GraphDep,
    owners: OwnersDep,
    settings: SettingsDep,
    user_id: str,
    concept: Annotated[str, Query(min_length=1)],
    as_of: AsOf = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[GapConcept]:
    """Prerequisites of `concept` below mastery, ordered from the root of the gap upward."""
    await owners.check(db, key, user_id)
    sch = make_scheduler(settings.review_retention)
    found = await service.gaps(db=db, user_id=user_id, concept_id=concept, now=now_or(as_of), scheduler=sch)
    return page_of(found, limit=limit, cursor=cursor)


@router.get("/users/{user_id}/ready")
async def ready(
    key: ReaderOrToken,
    db: GraphDep,
    owners: OwnersDep,
    settings: SettingsDep,
    user_id: str,
    as_of: AsOf = None,
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Page[ReadyConcept]:
    """Concepts not yet mastered whose prerequisites all are."""
    await owners.check(db, key, user_id)
    sch = make_scheduler(settings.review_retention)
    found = await service.ready(db=db, user_id=user_id, now=now_or(as_of), scheduler=sch)
    return page_of(found, limit=limit, cursor=cursor)


@router.get("/users/{user_id}/streak")
async def streak(
    key: ReaderOrToken, db: GraphDep, owners: OwnersDep, user_id: str, as_of: AsOf = None
) -> StreakOut:
    """Practice days in the learner's time zone, current and longest streak, today's goal."""
    await owners.check(db, key, user_id)
    return await service.streak(db=db, user_id=user_id, now=now_or(as_of), fix_goal=as_of is None)


@router.get("/users/{user_id}/attempts")
async def attempts(
    key: ReaderOrToken,
    db: GraphDep,
    owners: OwnersDep,
    user_id: str,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AttemptOut]:
    """The learner's attempts, newest first, paginated by cursor."""
    await owners.check(db, key, user_id)
    return await service.attempts_page(db=db, user_id=user_id, limit=limit, cursor=cursor)
