"""The learner read routes and profile changes, as plain functions over the graph."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fsrs import Scheduler

from learner_graph.db.graph import Graph
from learner_graph.errors import Invalid, NotFound
from learner_graph.learners import activity
from learner_graph.learners.mastery import MASTERED, is_ready
from learner_graph.learners.mastery import mastered as mastered_of
from learner_graph.learners.memory import MemoryState
from learner_graph.learners.models import (
    ConceptMastery,
    DayOut,
    GapConcept,
    StreakOut,
    UserOut,
    UserPage,
    UserPatch,
)

HISTORY_DAYS = 400  # how far back streaks look


async def get_user(*, db: Graph, user_id: str) -> UserOut:
    rows = await db.read("user_get", user_id=user_id)
    if not rows:
        raise NotFound(f"unknown user {user_id!r}")
    return _user(rows[0]["user"])


async def list_users(*, db: Graph, text: str | None, limit: int, cursor: str | None) -> UserPage:
    """Learners by id, optionally matching `text` in the id or display name."""
    rows = await db.read(
        "users_page", after=cursor or None, text=text.lower() if text else None, limit=limit + 1
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
    if not rows:
        raise NotFound(f"unknown user {user_id!r}")
    return _user(rows[0]["user"])


async def delete_user(*, db: Graph, user_id: str) -> dict[str, int]:
    """Remove the user, their attempts, review states, feedback and recommendations."""
    rows = await db.write("user_delete", user_id=user_id)
    if not rows:
        raise NotFound(f"unknown user {user_id!r}")
    return {"attempts": rows[0]["attempts"], "recommendations": rows[0]["recommendations"]}


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
    """Prerequisites of `concept_id` below mastery, from the root of the gap upward."""
    rows = await db.read("concept_prerequisites_depth", concept_id=concept_id)
    if not rows:
        raise NotFound(f"unknown concept {concept_id!r}")
    known = await levels(db=db, user_id=user_id, now=now, scheduler=scheduler)
    return [
        GapConcept(
            concept_id=r["concept_id"],
            name=r["name"],
            depth=r["depth"],
            level=known.get(r["concept_id"], 0.0),
        )
        for r in rows
        if r["concept_id"] is not None and known.get(r["concept_id"], 0.0) < MASTERED
    ]


async def ready(*, db: Graph, user_id: str, now: datetime, scheduler: Scheduler) -> list[dict[str, Any]]:
    """Concepts not yet mastered whose prerequisites all are (the outer fringe of knowledge)."""
    known = await levels(db=db, user_id=user_id, now=now, scheduler=scheduler)
    graph = await db.read("concept_graph")
    mastered = mastered_of(known)
    return [
        {"concept_id": r["concept_id"], "name": r["name"], "level": round(known.get(r["concept_id"], 0.0), 4)}
        for r in graph
        if is_ready(r["concept_id"], r["requires"], mastered)
    ]


async def streak(*, db: Graph, user_id: str, now: datetime, goal_scale: float = 1.0) -> StreakOut:
    user = await get_user(db=db, user_id=user_id)
    rows = await db.read("user_activity", user_id=user_id, since=now - timedelta(days=HISTORY_DAYS))
    events = [(r["at"].to_native(), r["time_ms"] or 0) for r in rows]
    days = activity.practice_days(events, user.timezone)
    result = activity.streak(days, now, user.timezone, goal_scale)
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


async def attempts_page(*, db: Graph, user_id: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of attempts, newest first; pass `next_cursor` back as `cursor` for the next page."""
    await get_user(db=db, user_id=user_id)
    before, before_id = _decode_cursor(cursor)
    rows = await db.read(
        "user_attempts_page", user_id=user_id, limit=limit + 1, before=before, before_id=before_id
    )
    items = [dict(r["attempt"], at=r["attempt"]["at"].to_native()) for r in rows[:limit]]
    last = items[-1] if len(rows) > limit else None
    return {"items": items, "next_cursor": f"{last['at'].isoformat()}|{last['id']}" if last else None}


def _decode_cursor(cursor: str | None) -> tuple[datetime | None, str | None]:
    if not cursor:
        return None, None
    at, _, attempt_id = cursor.partition("|")
    try:
        return datetime.fromisoformat(at), attempt_id
    except ValueError:
        raise Invalid(
            "bad cursor", [{"field": "query.cursor", "message": "not a cursor from this route"}]
        ) from None
