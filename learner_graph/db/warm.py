"""Query-plan warm-up: run each hot query once at start-up so no client pays for its planning.

Neo4j plans a query the first time it sees its text and caches the plan; the first call of each
route took 0.3-0.65 s, later ones 7-70 ms. The parameters below match nothing (an id no client
can send: ids may not contain '~'), so the reads are cheap and return nothing; the writes get
empty lists to UNWIND, so they are planned and commit nothing (the first recommendation's record
step took 480 ms before they were warmed).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from learner_graph.db.graph import Graph

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
    "content_concepts_page": {"subject": NOBODY, "unit": None, "text": None, "limit": 1, "offset": 0},
    "content_units_page": {
        "kind": NOBODY, "unit": None, "concept": None, "text": None, "limit": 1, "offset": 0
    },
    "content_questions_page": {
        "subject": NOBODY,
        "unit": None,
        "concept": None,
        "difficulty": None,
        "text": None,
        "limit": 1,
        "offset": 0,
    },
}


WRITES: dict[str, dict[str, Any]] = {
    "rec_record_batch": {"rows": []},
    "attempts_content": {"question_ids": []},
    "attempts_merge": {"rows": []},
}


async def warm_plans(db: Graph) -> int:
    """Plan every query of `PLANS` and `WRITES` once; returns how many ran (a failure is logged,
    never raised)."""
    done = 0
    for name, params in [*PLANS.items(), *WRITES.items()]:
        try:
            if name in WRITES:
                await db.write(name, **params)
            else:
                await db.read(name, **params)
            done += 1
        except Exception as error:  # noqa: BLE001 - a plan not warmed is planned on first use
            log.warning("plan warm-up of %s skipped: %s", name, error)
    return done
