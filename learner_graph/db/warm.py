"""Query-plan warm-up: run each hot query once at start-up so no client pays for its planning.

Neo4j plans a query the first time it sees its text and caches the plan; the first call of each
route took 0.3-0.65 s, later ones 7-70 ms. The parameters below match nothing (an id no client
can send: ids may not contain '~'), so the reads are cheap and return nothing.

A plan is cached per text *and parameter types* (an empty list is not a list of strings or of
maps): writes warmed with empty lists were planned again by the first real request (after a
restart the first attempt re-planned `attempts_write`: 2.2 s of Neo4j CPU, 4.1 s at load 20). So
the writes are rehearsed with rows shaped like the real ones, in a transaction that is rolled back
(`Graph.rehearse`): planned for the requests' types, nothing stored. Each write's rows use ids of
their own (`~warm-up~<statement>-<n>`): rolled back, a rehearsal still locks what it would write, and
two rehearsals must not wait for each other.

A restarted Neo4j has forgotten every plan, and on a cold JVM planning is far slower: at a load
average of 12 on two cores its first statement took 6.2 s and the plans below 0.3-5.8 s each
(38 s in all; 0.4 s once warm). So after an outage the breaker (breaker.py) plans the statements
of the hot paths again (`PATHS`) before it lets their requests through, while clients still get
quick 503s: let through earlier, 16 clients planned the same statements at once, and under load
their first commits ran past the 10 s write budget (504s). Each statement is let through as soon
as it is planned, so a path is served once its own statements are (`RECOVER`: the order).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from learner_graph.db.breaker import OUTAGE
from learner_graph.db.graph import Graph, Timeouts
from learner_graph.db.queries import Queries

log = logging.getLogger(__name__)
NOBODY = "~warm-up~"

PLANS: dict[str, dict[str, Any]] = {
    "health_probe": {},  # the breaker's probe: the first statement a restarted Neo4j is sent
    "user_get": {"user_id": NOBODY},
    "user_memory": {"user_id": NOBODY},
    "user_activity": {"user_id": NOBODY, "since": datetime(2000, 1, 1, tzinfo=UTC)},
    "user_attempts_page": {"user_id": NOBODY, "limit": 1, "before": None, "before_id": None},
    "rec_student_state": {"user_id": NOBODY, "max_attempts": 1},
    "rec_get": {"id": NOBODY},
    "rec_owners": {"ids": [NOBODY]},
    "concept_graph": {},
    "content_concept_found": {"concept_id": NOBODY},
    "content_requires_level": {"ids": [NOBODY], "limit": 1},
    "content_units_children": {"ids": [NOBODY], "limit": 1},
    "content_concepts_page": {"subject": NOBODY, "under": None, "text": None, "limit": 1, "offset": 0},
    "content_units_page": {
        "kind": NOBODY, "under": None, "concept": None, "text": None, "limit": 1, "offset": 0
    },
    "content_questions_page": {
        "subject": NOBODY,
        "under": None,
        "concept": None,
        "difficulty": None,
        "text": None,
        "limit": 1,
        "offset": 0,
    },
    "tenancy_user_app": {"user_id": NOBODY},
    "experiments_running": {},
    "model_active_id": {},
}


AT = datetime(2000, 1, 1, tzinfo=UTC)


def _ids(name: str, count: int) -> list[str]:
    return [f"{NOBODY}{name}-{k}" for k in range(count)]


def _state() -> dict[str, Any]:
    """A review state as `MemoryState.to_row` sends it."""
    state = {"stability": 1.0, "difficulty": 5.0, "reps": 1, "lapses": 0, "wins": 1, "fails": 0,
             "last_time_ms": 0}  # fmt: skip
    return {"state": state, "due": AT.isoformat(), "last_review": AT.isoformat()}


def _attempts(count: int) -> dict[str, Any]:
    """`attempts_write`'s parameters for a batch of `count` learners' attempts (`rows_of`, `placed`)."""
    ids = _ids("attempts_write", count)
    rows = [
        {"index": k, "attempt_id": x, "user_id": x, "question_id": x, "user": k, "question": k,
         "at": AT.isoformat(),
         "props": {"user_id": x, "question_id": x, "correct": True, "time_ms": 0, "response": None,
                   "recommendation_id": None}}
        for k, x in enumerate(ids)
    ]  # fmt: skip
    users = [{"user_id": x, "questions": [k]} for k, x in enumerate(ids)]  # `attempts.users_of`
    return {"question_ids": ids, "users": users, "rows": rows, "now": AT.isoformat(), "app": ids[0],
            "any_app": False, "max_edges": 1}  # fmt: skip


def _memory(updates: int, creates: int) -> dict[str, Any]:
    """`memory_write`'s parameters for `updates` states updated and `creates` created."""
    ids = _ids("memory_write", max(updates, creates))
    return {
        "updates": [_state() | {"node": x} for x in ids[:updates]],
        "creates": [{"user_id": x, "states": [_state() | {"concept_id": x}]} for x in ids[:creates]],
        "now": AT.isoformat(),
    }


def _served(count: int) -> dict[str, Any]:
    """`rec_record_batch`'s parameters for `count` recommendations (`record_row`)."""
    rows = [
        {"goal_day": None, "goal_base": None, "id": x, "user_id": x, "app": x, "arm": None,
         "experiment_arms": "{}", "model_version": None, "served_at": AT.isoformat(), "items": "[]",
         "request": "{}", "question_ids": [x], "next_ids": [x]}
        for x in _ids("rec_record_batch", count)
    ]  # fmt: skip
    return {"rows": rows}


# The hot writes' parameter shapes, one plan each where Neo4j keys plans by list sizes (its default;
# the launcher and docker-compose.yml turn `internal.cypher.use_parameter_size` off, and then only the
# types count): a plan is cached per parameter types and, for a list, its size rounded up to a
# power of ten (0, 1, 2-10, 11-100...: a batch of 3 attempts after
# one of 1 planned `attempts_write` again, 2.3 s of Neo4j CPU), and an empty list is a shape of its
# own. Group commits send batches of 1 to ~16, and a batch may only update review states, only
# create them, or both. After an outage `WRITES` are rehearsed first, the shapes of a batch of one,
# before a path is let through; then `LATER`, while the path is served with group commits of one
# request (`Graph.recovering`), so no served request waits for a bigger shape's plan. Rehearsed
# before the gate, `LATER` cost more than it saved at load 25-30 (the attempt path let through 49 s
# after Neo4j answered instead of 37 s); and planned by the first bigger group commits beside the
# served requests, the cold plans ran those commits past their 10 s budget (16 and 33 504s). The
# embedded launcher runs all of these before Bolt opens, through Bolt's own query service (its query
# router keeps a parse cache of its own: warmed through the embedded API instead, each statement's
# first Bolt call still cost 0.1-1.1 s of Neo4j CPU); then the recovery's plans are cache hits.
WRITES: dict[str, list[dict[str, Any]]] = {
    "attempts_write": [_attempts(1)],
    "memory_write": [_memory(1, 0), _memory(1, 1), _memory(0, 1)],
    "rec_record_batch": [_served(1)],
}
LATER: dict[str, list[dict[str, Any]]] = {
    "attempts_write": [_attempts(2), _attempts(11)],
    "memory_write": [_memory(2, 0), _memory(2, 2), _memory(11, 0), _memory(11, 11)],
    "rec_record_batch": [_served(2), _served(11)],
}

# The hot paths, each with the statements its requests run; after an outage each statement is let
# through once planned again.
PATHS: dict[str, list[str]] = {
    "attempts": ["tenancy_user_app", "attempts_write", "memory_write"],
    "recommendations": [
        "tenancy_user_app", "model_active_id", "experiments_running", "rec_student_state", "rec_record_batch",
    ],
}  # fmt: skip
# The order they are planned in, two at a time: `attempts_write` first, the slowest plan by far (Neo4j
# CPU on a cold restart: 5-7 s, against 4 s for the recommendation's five together), beside the
# others in turn, the rest of the attempt path first (a learner's answer is sent before the next
# question is asked for, and a client retries it until it is stored).
RECOVER = [
    "attempts_write", "tenancy_user_app", "memory_write",
    "rec_student_state", "rec_record_batch", "model_active_id", "experiments_running",
]  # fmt: skip
RECOVER_PARALLEL = 2
WARM_UP_TIMEOUT_S = 60.0  # a cold plan took up to 5.8 s at load 12, past a request's 5 s read budget
PATIENT = Timeouts(read=WARM_UP_TIMEOUT_S, write=WARM_UP_TIMEOUT_S)
START_BUDGET_S = 30.0  # start-up does not wait longer for the plans (a cold Neo4j under load took 38 s)


def statements(queries: Queries) -> list[dict[str, Any]]:
    """Every statement start-up warms (`PLANS`, and each shape of `WRITES` and `LATER`), as the
    embedded launcher's warm-up file: the query's text as the driver sends it and its parameters,
    a date-time tagged `{"$datetime": ...}` so that the server plans it for the same types."""
    writes = [(name, params) for name, every in WRITES.items() for params in every]
    later = [(name, params) for name, every in LATER.items() for params in every]
    shapes = writes + list(PLANS.items()) + later  # `attempts_write`, the slowest plan, first
    return [{"query": queries[name], "params": _tagged(params)} for name, params in shapes]


def _tagged(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dict):
        return {key: _tagged(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_tagged(item) for item in value]
    return value


async def warm_plans(
    db: Graph,
    names: list[str] | None = None,
    *,
    parallel: int = 4,
    planned: Callable[[str], None] | None = None,
    later: bool = True,
) -> int:
    """Plan the queries `names` (default: every one of `PLANS` and `WRITES`) once each, `parallel`
    at a time in the order given (planning is CPU-bound in one server thread per query: on a
    shared machine more threads get Neo4j more of it); returns how many ran. `planned` is told
    each name once its plans are cached; `later`: the writes' `LATER` shapes too (start-up). A query that
    fails is logged and skipped (planned on first use instead); Neo4j going away is raised."""
    slots = asyncio.Semaphore(parallel)  # FIFO: the first names get the first slots

    async def plan(name: str) -> bool:
        async with slots:
            try:
                if name in WRITES:
                    for params in [*WRITES[name], *(LATER.get(name, []) if later else [])]:
                        await db.rehearse(name, **params)
                else:
                    await db.read(name, **PLANS[name])
                warmed = True
            except OUTAGE:
                raise
            except Exception as error:  # noqa: BLE001 - a plan not warmed is planned on first use
                log.warning("plan warm-up of %s skipped: %s", name, error)
                warmed = False
        if planned is not None:
            planned(name)
        return warmed

    return sum(await asyncio.gather(*(plan(name) for name in names or [*PLANS, *WRITES])))


async def warm_at_start(db: Graph) -> int:
    """Start-up's warm-up: every plan, in parallel, for at most `START_BUDGET_S` (a server that
    cannot plan them all by then starts anyway; the rest are planned on first use)."""
    every = [*PLANS, *WRITES]
    try:
        return await asyncio.wait_for(
            warm_plans(db.with_timeouts(PATIENT), every, parallel=len(every)), START_BUDGET_S
        )
    except TimeoutError:
        log.warning("plan warm-up stopped after %.0f s; the rest are planned on first use", START_BUDGET_S)
        return 0


async def reconnect(db: Graph, planned: Callable[[str], None]) -> None:
    """The breaker's recovery step: raise unless Neo4j answers, then plan the hot paths again,
    telling `planned` each statement as it is ready, then their writes' bigger batch shapes (the
    paths served meanwhile, one request a commit). `db` is the graph without its breaker."""
    started = time.perf_counter()
    db = db.with_timeouts(PATIENT)
    await db.probe("health_probe")
    answered = time.perf_counter()
    ready: dict[str, float] = {}

    def mark(name: str) -> None:
        ready[name] = time.perf_counter()
        planned(name)

    await warm_plans(db, RECOVER, parallel=RECOVER_PARALLEL, planned=mark, later=False)
    paths = {path: max(ready[name] for name in names) - answered for path, names in PATHS.items()}
    served = time.perf_counter()
    await rehearse_later(db)
    log.warning(
        "neo4j back: first answer in %.2f s, the hot paths planned in %.2f s (%s), bigger batches in %.2f s",
        answered - started, served - answered,
        ", ".join(f"{path} {seconds:.2f} s" for path, seconds in paths.items()),
        time.perf_counter() - served,
    )  # fmt: skip


async def rehearse_later(db: Graph) -> None:
    """The recovery's second step: each `LATER` shape of the recovered writes, `RECOVER_PARALLEL`
    at a time, while their paths are served one request a commit. A shape that fails is left to
    its first use; Neo4j going away is raised (the recovery starts again)."""
    slots = asyncio.Semaphore(RECOVER_PARALLEL)

    async def rehearse(name: str, params: dict[str, Any]) -> None:
        async with slots:
            try:
                await db.rehearse(name, **params)
            except OUTAGE:
                raise
            except Exception as error:  # noqa: BLE001 - planned on first use instead
                log.warning("plan warm-up of %s skipped: %s", name, error)

    await asyncio.gather(*(rehearse(n, p) for n in RECOVER if n in LATER for p in LATER[n]))
