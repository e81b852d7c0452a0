"""The learner read routes and profile changes, as plain functions over the graph."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta
from typing import Any

from fsrs import Scheduler

from learner_graph.api_keys import DEFAULT_APP
from learner_graph.content import traversals
from learner_graph.db.graph import Graph
from learner_graph.errors import Invalid, NotFound
from learner_graph.learners import activity
from learner_graph.learners.mastery import MASTERED, ready_concepts
from learner_graph.learners.mastery import mastered as mastered_of
from learner_graph.learners.memory import MemoryState
from learner_graph.learners.models import (
    AttemptOut,
    ConceptMastery,
    DayOut,
    GapConcept,
    ReadyConcept,
    StreakOut,
    UserOut,
    UserPage,
    UserPatch,
)
from learner_graph.lists import Page

HISTORY_DAYS = 400  # how far back streaks look
GAP_DEPTH = 20  # how many levels of prerequisites below a concept gaps look


async def get_user(*, db: Graph, user_id: str) -> UserOut:
    return _user(await _profile(db, user_id))


async def _profile(db: Graph, user_id: str) -> dict[str, Any]:
    rows = await db.read("user_get", user_id=user_id)
    if not rows:
        raise NotFound(f"unknown user {user_id!r}")
    return dict(rows[0]["user"])


async def list_users(
    *, db: Graph, app: str | None, text: str | None, limit: int, cursor: str | None
) -> UserPage:
    """Learners of `app` (None: every app) by id, optionally matching `text` in the id or display name."""
    rows = await db.read(
        "users_page", app=app, after=cursor or None, text=text.lower() if text else None, limit=limit + 1
    )
    items = [_user(r["user"]) for r in rows[:limit]]
    return UserPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


def _user(raw: dict[str, Any]) -> UserOut:
    created: Any = raw.get("created_at")
    return UserOut(
        id=raw["id"],
        display_name=raw.get("display_name"),
        timezone=raw.get("timezone") or "UTC",
        created_at=created.to_native() if created is not None else None,
    )


async def update_user(*, db: Graph, user_id: str, patch: UserPatch) -> UserOut:
    changes = patch.model_dump(exclude_unset=True, exclude_none=True)
    rows = await db.write("user_update", user_id=user_id, changes=changes)
    await db.changed(learners=[user_id])
    if not rows:
        raise NotFound(f"unknown user {user_id!r}")
    return _user(rows[0]["user"])


async def put_user(
    *, db: Graph, user_id: str, profile: UserPatch, now: datetime, app: str = DEFAULT_APP
) -> tuple[UserOut, bool]:
    """Create the learner (in `app`) or update the fields given (idempotent); returns it and whether
    it is new. A deleted learner's id is NotFound: it is never reused."""
    changes = profile.model_dump(exclude_unset=True, exclude_none=True)
    rows = await db.write("user_put", user_id=user_id, changes=changes, now=now, app=app)
    await db.changed(learners=[user_id])
    if not rows:
        raise NotFound(f"unknown user {user_id!r} (deleted)")
    return _user(rows[0]["user"]), bool(rows[0]["created"])


DELETE_BATCH = 5_000  # rows per deleting transaction: a learner with a long history is many small ones


async def delete_user(*, db: Graph, user_id: str, now: datetime) -> dict[str, int]:
    """Remove the user, their attempts, review states, feedback and recommendations.

    First a tombstone (kept for good: the id is never reused) and a `deleting` mark, so attempts
    and recommendations still in flight are refused instead of re-creating the learner; then
    bounded batches, each its own transaction. A deletion interrupted half way is finished by
    calling it again.
    """
    found = await db.write("deletion_tombstone", user_id=user_id, now=now)
    await db.changed(learners=[user_id])
    if not found or not found[0]["found"]:
        raise NotFound(f"unknown user {user_id!r}")
    counts: dict[str, int] = {}
    for kind, query in (
        ("attempts", "deletion_attempts"),
        ("recommendations", "deletion_recommendations"),
        ("feedback", "deletion_feedback"),
        ("review states", "deletion_memory"),
    ):
        counts[kind] = 0
        while deleted := (await db.write(query, user_id=user_id, batch=DELETE_BATCH))[0]["deleted"]:
            counts[kind] += deleted
    await db.write("deletion_user", user_id=user_id)
    return {"attempts": counts["attempts"], "recommendations": counts["recommendations"]}


async def memory_states(*, db: Graph, user_id: str) -> dict[str, tuple[str | None, MemoryState]]:
    """Concept id → (name, review state) for every concept the user has a state on."""
    await get_user(db=db, user_id=user_id)
    rows = await db.read("user_memory", user_id=user_id)
    return {r["concept_id"]: (r["name"], MemoryState.from_props(r["state"])) for r in rows}


async def mastery(*, db: Graph, user_id: str, now: datetime, scheduler: Scheduler) -> list[ConceptMastery]:
    states = await memory_states(db=db, user_id=user_id)
    return [_mastery(cid, name, state, now, scheduler) for cid, (name, state) in states.items()]


def _mastery(cid: str, name: str | None, s: MemoryState, now: datetime, sch: Scheduler) -> ConceptMastery:
    level = s.level(now, sch)
    return ConceptMastery(
        concept_id=cid,
        name=name,
        level=round(level, 4),
        mastered=level >= MASTERED,
        evidence=round(s.evidence, 4),
        retrievability=round(s.retrievability(now, sch), 4),
        stability_days=s.stability,
        next_due=s.due,
        last_review=s.last_review,
        reps=s.reps,
        lapses=s.lapses,
    )


async def levels(*, db: Graph, user_id: str, now: datetime, scheduler: Scheduler) -> dict[str, float]:
    states = await memory_states(db=db, user_id=user_id)
    return {cid: state.level(now, scheduler) for cid, (_, state) in states.items()}


async def gaps(
    *, db: Graph, user_id: str, concept_id: str, now: datetime, scheduler: Scheduler
) -> list[GapConcept]:
    """Prerequisites of `concept_id` (within `GAP_DEPTH` levels) below mastery, from the root of
    the gap upward: by longest distance from the concept, farthest first, then by id."""
    below = await traversals.prerequisites(db=db, concept_id=concept_id, max_depth=GAP_DEPTH)
    known = await levels(db=db, user_id=user_id, now=now, scheduler=scheduler)
    return [
        GapConcept(concept_id=r.id, name=r.name, depth=r.longest, level=known.get(r.id, 0.0))
        for r in sorted(below, key=lambda r: (-r.longest, r.id))
        if known.get(r.id, 0.0) < MASTERED
    ]


async def ready(*, db: Graph, user_id: str, now: datetime, scheduler: Scheduler) -> list[ReadyConcept]:
    """Concepts not yet mastered whose transitive prerequisites all are (the outer fringe of
    knowledge; `readiness`): exactly the unmastered concepts whose gaps are empty."""
    known = await levels(db=db, user_id=user_id, now=now, scheduler=scheduler)
    graph = await db.read("concept_graph")
    fringe = ready_concepts({r["concept_id"]: r["requires"] for r in graph}, mastered_of(known))
    return [
        ReadyConcept(
            concept_id=r["concept_id"], name=r["name"], level=round(known.get(r["concept_id"], 0.0), 4)
        )
        for r in graph
        if r["concept_id"] in fringe
    ]


async def streak(
    *, db: Graph, user_id: str, now: datetime, goal_scale: float = 1.0, fix_goal: bool = False
) -> StreakOut:
    """Days, streaks and today's goal; with `fix_goal` (a read at the present moment) the goal
    computed for a day not yet set is stored, so it holds for the rest of the learner's day."""
    profile = await _profile(db, user_id)
    user = _user(profile)
    rows = await db.read("user_activity", user_id=user_id, since=now - timedelta(days=HISTORY_DAYS))
    events = [(r["at"].to_native(), r["time_ms"] or 0) for r in rows]
    days = activity.practice_days(events, user.timezone)
    fixed = stored_goal(profile)
    today = activity.local_day(now, user.timezone)
    if fix_goal and (fixed is None or fixed.day != today):
        base = activity.goal_base(days, today)
        rows = await db.write("user_goal_set", user_id=user_id, day=today.isoformat(), base=base)
        await db.changed(learners=[user_id])
        fixed = activity.SetGoal(today, float(rows[0]["base"])) if rows else None
    result = activity.streak(days, now, user.timezone, goal_scale, fixed)
    return StreakOut(
        user_id=user_id,
        timezone=user.timezone,
        current=result.current,
        longest=result.longest,
        last_active=result.last_active,
        daily_goal=result.daily_goal,
        today=DayOut(day=result.today.day, questions=result.today.questions, minutes=result.today.minutes),
        goal_met=result.goal_met,
        recent_days=[DayOut(day=d.day, questions=d.questions, minutes=d.minutes) for d in result.recent_days],
    )


def stored_goal(profile: dict[str, Any]) -> activity.SetGoal | None:
    """The goal fixed on the learner for a day (`goal_day`, `goal_base`), if any."""
    day, base = profile.get("goal_day"), profile.get("goal_base")
    if day is None or base is None:
        return None
    return activity.SetGoal(date.fromisoformat(str(day)), float(base))


async def attempts_page(*, db: Graph, user_id: str, limit: int, cursor: str | None) -> Page[AttemptOut]:
    """A page of attempts, newest first; pass `next_cursor` back as `cursor` for the next page."""
    await get_user(db=db, user_id=user_id)
    before, before_id = _decode_cursor(cursor)
    rows = await db.read(
        "user_attempts_page", user_id=user_id, limit=limit + 1, before=before, before_id=before_id
    )
    items = [_attempt(user_id, r["attempt"]) for r in rows[:limit]]
    last = items[-1] if len(rows) > limit else None
    following = f"{last.at.isoformat()}|{last.attempt_id}" if last else None
    return Page[AttemptOut](items=items, next_cursor=_encode(following) if following else None)


def _attempt(user_id: str, raw: dict[str, Any]) -> AttemptOut:
    return AttemptOut(
        attempt_id=raw["id"],
        user_id=user_id,
        question_id=raw["question_id"],
        correct=raw["correct"],
        at=raw["at"].to_native(),
        time_spent_ms=raw.get("time_ms"),
        response=raw.get("response"),
        recommendation_id=raw.get("recommendation_id"),
    )


def _encode(cursor: str) -> str:
    return base64.urlsafe_b64encode(cursor.encode()).decode()


def _decode_cursor(cursor: str | None) -> tuple[datetime | None, str | None]:
    if not cursor:
        return None, None
    try:
        at, _, attempt_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(at), attempt_id
    except ValueError:
        raise Invalid(
            "bad cursor", [{"field": "cursor", "message": "not a cursor from this route"}]
        ) from None
