"""Review states stored the old way, a MEMORY relationship on the shared concept, moved onto the
learner's own (:Memory) nodes, where the write path keeps them now (cypher/learners.cypher).

Run at start-up after the schema (`Runtime.open(apply_schema=True)`, so the API) and by
`learner-graph schema migrate`. Bounded batches, each its own transaction: a move interrupted half
way is finished by running it again, and a database with nothing to move costs one empty match.
"""

from __future__ import annotations

from dataclasses import dataclass

from learner_graph.db.graph import Graph

MIGRATE_BATCH = 5_000  # old relationships per transaction


@dataclass(frozen=True)
class Moved:
    """Old relationships read and deleted (`seen`) and the Memory nodes made from them (`moved`);
    the difference had a Memory node already, which was kept."""

    seen: int = 0
    moved: int = 0


async def migrate_memory(*, db: Graph, batch: int = MIGRATE_BATCH) -> Moved:
    """Move every old MEMORY relationship onto a (:Memory) node; what was moved."""
    seen = moved = 0
    while True:
        row = (await db.write("memory_migrate_batch", batch=batch))[0]
        if not row["seen"]:
            return Moved(seen, moved)
        seen += row["seen"]
        moved += row["moved"]
