"""Recording attempts: validated as a whole, written once each, review state updated in step."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from fsrs import Scheduler
from neo4j import AsyncManagedTransaction

from learner_graph.api_keys import DEFAULT_APP
from learner_graph.db.graph import Graph, fetch_all
from learner_graph.errors import Invalid, NotFound
from learner_graph.learners import memory
from learner_graph.learners.models import AttemptIn, AttemptsRecorded, AttemptStatus
from learner_graph.timeutil import as_utc

FUTURE_TOLERANCE = timedelta(minutes=5)


async def record_attempts(
    *,
    db: Graph,
    attempts: list[AttemptIn],
    now: datetime,
    scheduler: Scheduler,
    app: str = DEFAULT_APP,
    any_app: bool = False,
) -> AttemptsRecorded:
    """Record a batch all-or-nothing; replayed attempt ids are acknowledged, never counted twice.

    New learners are created in `app`; a learner of another app is refused as unknown (NotFound,
    nothing written) unless `any_app` (admins). Raises Invalid naming every bad item
    (`attempts[i].field`) before anything is written.
    """
    _check_times(attempts, now)
    rows = _rows(attempts, now)

    async def work(tx: AsyncManagedTransaction) -> list[dict[str, Any]]:
        await _check_questions(tx, db, attempts)
        user_ids = sorted({row["user_id"] for row in rows})  # lock order: no deadlocks between batches
        locked = await fetch_all(
            tx, db.queries["attempts_lock_users"], user_ids=user_ids, now=now, app=app, any_app=any_app
        )
        _check_users(attempts, set(locked[0]["foreign"]) | set(locked[0]["deleted"]))
        merged = await fetch_all(tx, db.queries["attempts_merge"], rows=rows)
        created = [rows[m["index"]] for m in merged if m["created"]]
        if created:
            await _update_memory(tx, db, created, now, scheduler)
        return merged

    merged = {m["attempt_id"]: m for m in await db.in_write_transaction(work)}
    items: list[AttemptStatus] = []
    seen: set[str] = set()
    for a in attempts:
        m = merged[a.attempt_id]
        first = a.attempt_id not in seen
        seen.add(a.attempt_id)
        stored = (m["user_id"], m["question_id"], m["correct"])
        items.append(
            AttemptStatus(
                attempt_id=a.attempt_id,
                status="created" if m["created"] and first else "duplicate",
                mismatch=stored != (a.user_id, a.question_id, a.correct),
            )
        )
    created = sum(1 for item in items if item.status == "created")
    return AttemptsRecorded(created=created, duplicates=len(items) - created, items=items)


def _check_times(attempts: list[AttemptIn], now: datetime) -> None:
    problems = [
        {"field": f"attempts[{i}].at", "message": "more than 5 minutes in the future"}
        for i, a in enumerate(attempts)
        if a.at is not None and as_utc(a.at) > now + FUTURE_TOLERANCE
    ]
    if problems:
        raise Invalid("attempts refused: times in the future", problems)


def _check_users(attempts: list[AttemptIn], foreign: set[str]) -> None:
    """Another app's learners and deleted ones are unknown here: the whole batch is refused."""
    if foreign:
        raise NotFound(
            "attempts refused: unknown users",
            [
                {"field": f"attempts[{i}].user_id", "message": f"unknown user {a.user_id!r}"}
                for i, a in enumerate(attempts)
                if a.user_id in foreign
            ],
        )


def _rows(attempts: list[AttemptIn], now: datetime) -> list[dict[str, Any]]:
    """One row per distinct attempt id (a repeat inside the batch is a replay of the first)."""
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for a in attempts:
        if a.attempt_id in seen:
            continue
        seen.add(a.attempt_id)
        at = as_utc(a.at) if a.at else now
        props = {
            "user_id": a.user_id,
            "question_id": a.question_id,
            "correct": a.correct,
            "at": at,
            "time_ms": a.time_spent_ms,
            "response": a.response,
            "recommendation_id": a.recommendation_id,
        }
        rows.append(
            {
                "index": len(rows),
                "attempt_id": a.attempt_id,
                "user_id": a.user_id,
                "question_id": a.question_id,
                "props": props,
            }
        )
    return rows


async def _check_questions(tx: AsyncManagedTransaction, db: Graph, attempts: list[AttemptIn]) -> None:
    question_ids = sorted({a.question_id for a in attempts})
    found = await fetch_all(tx, db.queries["attempts_missing_questions"], question_ids=question_ids)
    missing = set(found[0]["missing"]) if found else set()
    if missing:
        raise Invalid(
            "attempts refused: unknown questions",
            [
                {"field": f"attempts[{i}].question_id", "message": f"unknown question {a.question_id!r}"}
                for i, a in enumerate(attempts)
                if a.question_id in missing
            ],
        )


async def _update_memory(
    tx: AsyncManagedTransaction,
    db: Graph,
    created: list[dict[str, Any]],
    now: datetime,
    scheduler: Scheduler,
) -> None:
    """Apply the new attempts, in time order, to the review states they touch."""
    question_ids = sorted({row["question_id"] for row in created})
    assesses: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for r in await fetch_all(tx, db.queries["attempts_concepts"], question_ids=question_ids):
        assesses[r["question_id"]].append((r["concept_id"], float(r["weight"])))
    concept_ids = sorted({c for pairs in assesses.values() for c, _ in pairs})
    below: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for r in await fetch_all(tx, db.queries["attempts_prerequisites"], concept_ids=concept_ids):
        below[r["concept_id"]].append((r["prerequisite_id"], int(r["depth"])))
    touched = sorted(set(concept_ids) | {p for pairs in below.values() for p, _ in pairs})
    user_ids = sorted({row["user_id"] for row in created})
    states: dict[tuple[str, str], memory.MemoryState] = {
        (r["user_id"], r["concept_id"]): memory.MemoryState.from_props(r["state"])
        for r in await fetch_all(tx, db.queries["memory_for_users"], user_ids=user_ids, concept_ids=touched)
    }
    changed: set[tuple[str, str]] = set()
    for row in sorted(created, key=lambda r: (r["props"]["at"], r["index"])):
        _apply(row, assesses[row["question_id"]], below, states, changed, scheduler)
    updates = [
        {"user_id": u, "concept_id": c, "state": states[(u, c)].to_props()} for u, c in sorted(changed)
    ]
    await tx.run(db.queries["memory_write"], rows=updates, now=now)


def _apply(
    row: dict[str, Any],
    concepts: list[tuple[str, float]],
    below: dict[str, list[tuple[str, int]]],
    states: dict[tuple[str, str], memory.MemoryState],
    changed: set[tuple[str, str]],
    scheduler: Scheduler,
) -> None:
    user, props = row["user_id"], row["props"]
    direct = {c for c, _ in concepts}
    for concept, weight in concepts:
        key = (user, concept)
        states[key] = memory.review(
            states.get(key, memory.MemoryState()),
            correct=props["correct"],
            at=props["at"],
            weight=weight,
            scheduler=scheduler,
            time_ms=props["time_ms"],
        )
        changed.add(key)
        if not props["correct"]:
            continue
        for prerequisite, depth in below[concept]:
            if prerequisite in direct:
                continue
            key = (user, prerequisite)
            states[key] = memory.implicit_credit(
                states.get(key, memory.MemoryState()),
                at=props["at"],
                depth=depth,
                weight=weight,
                scheduler=scheduler,
            )
            changed.add(key)
