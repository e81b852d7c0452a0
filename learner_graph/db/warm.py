"""Query-plan warm-up: run each hot query once at start-up so no client pays for its planning.

Neo4j plans a query the first time it sees its text and caches the plan; the first call of each
route took 0.3-0.65 s, later ones 7-70 ms. The parameters below match nothing (an id no client
can send: ids may not contain '~'), so the reads are cheap and return nothing; the writes get
empty lists to UNWIND, so they are planned and commit nothing (the first recommendation's record
step took 480 ms before they were warmed).

A restarted Neo4j has forgotten every plan, and on a cold JVM planning is far slower: at a load
average of 12 on two cores its first statement took 6.2 s and the plans below 0.3-5.8 s each
(38 s in all; 0.4 s once warm). So after an outage the breaker (breaker.py) plans the statements
of an attempt and of a recommendation again (`RECOVER`, in parallel) before it lets requests
through, while clients still get quick 503s: let through earlier, 16 clients planned the same
statements at once, and under load their first commits ran past the 10 s write budget (504s).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

from learner_graph.db.breaker import OUTAGE
from learner_graph.db.graph import Graph, Timeouts

log = logging.getLogger(__name__)
NOBODY = "~warm-up~"

PLANS: dict[str, dict[str, Any]] = {
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


WRITES: dict[str, dict[str, Any]] = {
    "rec_record_batch": {"rows": []},
    "attempts_write": {
        "question_ids": [], "users": [], "rows": [], "now": datetime(2000, 1, 1, tzinfo=UTC),
        "app": NOBODY, "any_app": False, "max_edges": 1,
    },
    "memory_write": {"updates": [], "creates": [], "now": datetime(2000, 1, 1, tzinfo=UTC)},
}

# After an outage, before requests are let through: the statements of an attempt and of a recommendation.
RECOVER = [
    "tenancy_user_app", "attempts_write", "memory_write",
    "model_active_id", "experiments_running", "rec_student_state", "rec_record_batch",
]  # fmt: skip
WARM_UP_TIMEOUT_S = 60.0  # a cold plan took up to 5.8 s at load 12, past a request's 5 s read budget
PATIENT = Timeouts(read=WARM_UP_TIMEOUT_S, write=WARM_UP_TIMEOUT_S)
START_BUDGET_S = 30.0  # start-up does not wait longer for the plans (a cold Neo4j under load took 38 s)


async def warm_plans(db: Graph, names: list[str] | None = None, *, parallel: int = 4) -> int:
    """Plan the queries `names` (default: every one of `PLANS` and `WRITES`) once each, `parallel`
    at a time (planning is CPU-bound in one server thread per query: on a shared machine more
    threads get Neo4j more of it); returns how many ran. A query that fails is logged and skipped
    (planned on first use instead); Neo4j going away is raised."""
    slots = asyncio.Semaphore(parallel)

    async def plan(name: str) -> bool:
        async with slots:
            try:
                if name in WRITES:
                    await db.write(name, **WRITES[name])
                else:
                    await db.read(name, **PLANS[name])
                return True
            except OUTAGE:
                raise
            except Exception as error:  # noqa: BLE001 - a plan not warmed is planned on first use
                log.warning("plan warm-up of %s skipped: %s", name, error)
                return False

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


async def reconnect(db: Graph) -> None:
    """The breaker's recovery step: raise unless Neo4j answers, then plan the hot paths again.
    `db` is the graph without its breaker."""
    started = time.perf_counter()
    db = db.with_timeouts(PATIENT)
    await db.read("health_probe")
    answered = time.perf_counter()
    await warm_plans(db, RECOVER, parallel=len(RECOVER))
    log.warning(
        "neo4j back: first answer in %.2f s, the hot paths planned in %.2f s",
        answered - started, time.perf_counter() - answered,
    )  # fmt: skip
