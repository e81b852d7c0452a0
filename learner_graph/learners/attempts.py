"""Recording attempts: validated as a whole, written once each, review state updated in step."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from fsrs import Scheduler
from neo4j import AsyncManagedTransaction

from learner_graph.api_keys import DEFAULT_APP
from learner_graph.db.graph import Graph, Unlogged, fetch_plain
from learner_graph.db.versions import Bumped, learner_key
from learner_graph.errors import Invalid, NotFound
from learner_graph.learners import memory
from learner_graph.learners.memory import MemoryState
from learner_graph.learners.models import AttemptIn, AttemptsRecorded, AttemptStatus
from learner_graph.timeutil import as_utc, from_epoch_ms

FUTURE_TOLERANCE = timedelta(minutes=5)
STATEMENTS = ("attempts_write", "memory_write")  # what `store` runs: after an outage it waits for their plans
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Written:
    """What one commit left of a learner, in the shape `rec_student_state` reads it back: their
    profile fields (`user`), the attempts it created (newest first) and the review states it
    changed, times at Neo4j's `epochMillis` (whole milliseconds)."""

    user: dict[str, Any]
    attempts: list[dict[str, Any]] = field(default_factory=list)
    memory: dict[str, MemoryState] = field(default_factory=dict)


class StateKeeper(Protocol):
    """A cache of learners' states that can carry an entry over a write it is told of."""

    def marks(self, user_ids: Iterable[str]) -> dict[str, object]:
        """What is kept of each learner now, before the write starts (compared by identity after)."""
        ...

    def advance(self, user_id: str, token: Bumped, written: Written, mark: object) -> None: ...


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
    check_times(attempts, now)
    merged = await store(
        db=db, attempts=attempts, rows=rows_of(attempts, now), now=now, scheduler=scheduler,
        app=app, any_app=any_app,
    )
    return statuses(attempts, merged)


async def store(
    *,
    db: Graph,
    attempts: list[AttemptIn],
    rows: list[dict[str, Any]],
    now: datetime,
    scheduler: Scheduler,
    app: str = DEFAULT_APP,
    any_app: bool = False,
    states: StateKeeper | None = None,
) -> dict[str, dict[str, Any]]:
    """Write `rows` (from `rows_of`) in one transaction; what is stored under each attempt id.

    New learners are created in `app`; another app's learners and deleted ones refuse the whole
    batch (NotFound) unless `any_app`. After the commit, each learner's version token is bumped
    and `states` (this process's learner-state cache) is told what the commit left of them.

    Locks, in this order: the batch's users (sorted by id), then what the new attempts and the
    learners' own review-state nodes need. Concepts are never written (see `_update_memory`).
    """
    learners = {row["user_id"] for row in rows}
    marks = states.marks(learners) if states is not None else {}  # kept before the transaction began
    stamp = now.isoformat()  # as ISO strings, as rows_of sends times: the driver encodes a datetime in
    # pure Python (0.33 ms of CPU each at load 12), twice a commit

    async def work(tx: AsyncManagedTransaction) -> tuple[list[dict[str, Any]], dict[str, Written]]:
        question_ids = sorted({a.question_id for a in attempts})
        users = users_of(rows, question_ids)  # by id, the lock order: no deadlocks
        [found] = await fetch_plain(
            tx, db.queries["attempts_write"], question_ids=Unlogged(question_ids), users=Unlogged(users),
            rows=Unlogged(placed(rows, question_ids, users)), now=stamp, app=app, any_app=any_app,
            max_edges=memory.IMPLICIT_MAX_EDGES + 1,
        )  # fmt: skip
        content = _content(found["content"], attempts)
        stored = found["stored"]
        _check_users(attempts, {r["user_id"] for r in stored if r["foreign"] or r["deleted"]})
        merged: list[dict[str, Any]] = found["merged"]
        if len(merged) != len(rows):  # every question is known by now, so every row must be there
            raise RuntimeError(f"attempts_write stored {len(merged)} of {len(rows)} attempts")
        created = [rows[m["index"]] for m in merged if m["created"]]
        changed = await _update_memory(tx, db, created, content, stored, stamp, scheduler) if created else {}
        return merged, _written(stored, created, changed, carry=marks.keys())

    done, written = await db.in_write_transaction(work, uses=STATEMENTS)
    bumped = await db.changed(learners=learners)
    if states is not None and bumped is not None:
        for user_id, left in written.items():
            states.advance(user_id, bumped[learner_key(user_id)], left, marks.get(user_id))
    return {m["attempt_id"]: m for m in done}


def _written(
    stored: list[dict[str, Any]],
    created: list[dict[str, Any]],
    changed: dict[tuple[str, str], MemoryState],
    *,
    carry: Collection[str],
) -> dict[str, Written]:
    """Per learner of the batch, what the commit leaves of them as a read would give it back:
    in full for the learners in `carry` (those whose kept state may be carried over the write),
    their profile only for the others (whose entry, if any, is dropped whatever `Written` says).
    Building it for every learner was 7% of a single attempt's write path in the API (py-spy,
    16 learners answering), most of it for learners with nothing kept."""
    written = {r["user_id"]: Written(r["user"]) for r in stored}
    timed = [(datetime.fromisoformat(row["at"]), row) for row in created if row["user_id"] in carry]
    for at, row in sorted(timed, key=lambda t: t[0], reverse=True):  # newest first
        props = row["props"]
        written[row["user_id"]].attempts.append({
            "question_id": row["question_id"], "correct": props["correct"], "at": _whole_ms(at),
            "time_ms": props["time_ms"] or 0,
        })  # fmt: skip
    for (user_id, concept_id), state in changed.items():
        if user_id not in carry:
            continue
        written[user_id].memory[concept_id] = replace(
            state, due=_whole_ms(state.due), last_review=_whole_ms(state.last_review)
        )
    return written


def _whole_ms(at: datetime | None) -> datetime | None:
    """A time as Neo4j's `epochMillis` reads it back (floored to the millisecond)."""
    return None if at is None else from_epoch_ms((at - EPOCH) // timedelta(milliseconds=1))


def users_of(rows: list[dict[str, Any]], question_ids: list[str]) -> list[dict[str, Any]]:
    """`attempts_write`'s `$users`: each user of the batch, by user id, with the questions they
    answered as positions in `question_ids` (the statement's `$question_ids`)."""
    position = {q: i for i, q in enumerate(question_ids)}
    questions: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        questions[row["user_id"]].add(position[row["question_id"]])
    return [{"user_id": user, "questions": sorted(ids)} for user, ids in sorted(questions.items())]


def placed(
    rows: list[dict[str, Any]], question_ids: list[str], users: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """`attempts_write`'s `$rows`: each row with its learner's position in `users` (`users_of`) and its
    question's in `question_ids`, where the statement already holds their nodes (the learner locked,
    the question read for its content): no unique-index seek of either a row. Sorted by question:
    attempts on shared questions lock them in one order."""
    question = {q: i for i, q in enumerate(question_ids)}
    user = {u["user_id"]: i for i, u in enumerate(users)}
    return [
        row | {"user": user[row["user_id"]], "question": question[row["question_id"]]}
        for row in sorted(rows, key=lambda row: row["question_id"])
    ]


def statuses(attempts: list[AttemptIn], merged: dict[str, dict[str, Any]]) -> AttemptsRecorded:
    """Each attempt's outcome: the first of an id that was new is `created`, every other a duplicate."""
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


def check_times(attempts: list[AttemptIn], now: datetime) -> None:
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


def rows_of(attempts: list[AttemptIn], now: datetime) -> list[dict[str, Any]]:
    """One row per distinct attempt id (a repeat inside the batch is a replay of the first).

    Times travel as ISO strings and become Cypher datetimes in the query: the driver's Python
    datetime encoding cost more CPU than the rest of a batch's preparation.
    """
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
                "at": at.isoformat(),
                "props": props,
            }
        )
    return rows


@dataclass
class _Content:
    """What a batch's questions assess (concept, weight) and each concept's prerequisites (id, depth)."""

    assesses: dict[str, list[tuple[str, float]]]
    below: dict[str, list[tuple[str, int]]]

    def touched(self) -> list[str]:
        """Every concept whose review state an attempt of the batch may change."""
        direct = {c for pairs in self.assesses.values() for c, _ in pairs}
        return sorted(direct | {p for pairs in self.below.values() for p, _ in pairs})


def _content(found: list[dict[str, Any]], attempts: list[AttemptIn]) -> _Content:
    """The batch's questions with their concepts (`attempts_write`'s `content`); Invalid naming
    every unknown question, and every question whose concepts' prerequisites are too wide to
    credit within `IMPLICIT_MAX_EDGES` a level."""
    content = _Content(defaultdict(list), {})
    missing: set[str] = set()
    too_wide: set[str] = set()
    for r in found:
        for question_id, known, weight, _ in r["asked"]:
            if not known:
                missing.add(question_id)
            elif r["concept_id"] is not None:
                content.assesses[question_id].append((r["concept_id"], float(weight)))
                if max(r["edges"]) > memory.IMPLICIT_MAX_EDGES:
                    too_wide.add(question_id)
        if r["concept_id"] is not None:
            content.below[r["concept_id"]] = memory.shortest_depths(r["levels"], r["concept_id"])
    problems = [
        {"field": f"attempts[{i}].question_id", "message": f"unknown question {a.question_id!r}"}
        for i, a in enumerate(attempts)
        if a.question_id in missing
    ] + [
        {"field": f"attempts[{i}].question_id", "message": f"question {a.question_id!r} assesses a concept"
         f" with more than {memory.IMPLICIT_MAX_EDGES} prerequisite edges on one of its"
         f" {memory.IMPLICIT_DEPTH} levels below: too wide to credit"}
        for i, a in enumerate(attempts)
        if a.question_id in too_wide
    ]  # fmt: skip
    if problems:
        why = "unknown questions" if missing else "prerequisites too wide"
        raise Invalid(f"attempts refused: {why}", problems)
    return content


async def _update_memory(
    tx: AsyncManagedTransaction,
    db: Graph,
    created: list[dict[str, Any]],
    content: _Content,
    stored: list[dict[str, Any]],
    stamp: str,
    scheduler: Scheduler,
) -> dict[tuple[str, str], MemoryState]:
    """Apply the new attempts, in time order, to the review states they touch (`stored`: per user,
    the states of the concepts their attempts touch, as read under the learners' locks); the
    states written, by (user, concept).

    Every state is computed here, in Python, then written once per (learner, concept) however
    many of the batch's attempts touched it, on a (:Memory) node of the learner's own: nothing
    a state write locks is shared with another learner (see `memory_write`).
    """
    states: dict[tuple[str, str], memory.MemoryState] = {}
    nodes: dict[tuple[str, str], str] = {}
    for r in stored:
        for node, concept, *values in r["states"]:
            nodes[(r["user_id"], concept)] = node
            states[(r["user_id"], concept)] = memory.state_of_row(values)
    changed: set[tuple[str, str]] = set()
    timed = [(datetime.fromisoformat(row["at"]), row["index"], row) for row in created]
    for at, _, row in sorted(timed, key=lambda t: (t[0], t[1])):
        _apply(row, at, content.assesses[row["question_id"]], content.below, states, changed, scheduler)
    updates: list[dict[str, Any]] = []
    creates: dict[str, list[dict[str, Any]]] = defaultdict(list)  # by user: one seek of the user each
    for u, c in sorted(changed):
        node = nodes.get((u, c))
        row = states[(u, c)].to_row()
        if node is None:
            creates[u].append(row | {"concept_id": c})
        else:
            updates.append(row | {"node": node})
    mine = [{"user_id": u, "states": rows} for u, rows in creates.items()]
    await tx.run(db.queries["memory_write"], updates=Unlogged(updates), creates=Unlogged(mine), now=stamp)
    return {key: states[key] for key in changed}


def _apply(
    row: dict[str, Any],
    at: datetime,
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
            at=at,
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
                at=at,
                depth=depth,
                weight=weight,
                scheduler=scheduler,
            )
            changed.add(key)
