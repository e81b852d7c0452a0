"""Traversals of the content graph: units to questions, prerequisite closures, unit trees."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from learner_graph.db.graph import Graph
from learner_graph.errors import NotFound

MAX_DEPTH = 32  # the hop cap written into the Cypher of every unit and prerequisite traversal
UNIT_DEPTH = 10  # how deep units are resolved to their questions unless a caller asks otherwise


class Related(BaseModel):
    """A concept reached by a traversal: `depth` is the fewest hops, `longest` the most."""

    id: str
    name: str
    depth: int
    longest: int


class UnitTree(BaseModel):
    id: str
    name: str
    kind: str
    questions: list[str]
    units: list[UnitTree]


async def resolve_units(*, db: Graph, unit_ids: list[str], max_depth: int = UNIT_DEPTH) -> list[str]:
    """Question ids under `unit_ids` within `max_depth` hops, deduplicated, sorted: one round trip.

    Raises NotFound naming every unknown unit id.
    """
    rows = await db.read("content_resolve_units", unit_ids=unit_ids, max_depth=min(max_depth, MAX_DEPTH))
    missing = rows[0]["missing"]
    if missing:
        details = [{"field": "unit_ids", "message": f"unknown unit {m!r}"} for m in missing]
        raise NotFound(f"unknown units: {', '.join(missing)}", details)
    return list(rows[0]["question_ids"])


async def prerequisites(*, db: Graph, concept_id: str, max_depth: int = MAX_DEPTH) -> list[Related]:
    """Every concept `concept_id` requires, directly (depth 1) or transitively."""
    return await _closure(db, "content_prerequisites", concept_id, max_depth)


async def dependents(*, db: Graph, concept_id: str, max_depth: int = MAX_DEPTH) -> list[Related]:
    """Every concept that requires `concept_id`, directly (depth 1) or transitively."""
    return await _closure(db, "content_dependents", concept_id, max_depth)


async def _closure(db: Graph, query: str, concept_id: str, max_depth: int) -> list[Related]:
    rows = await db.read(query, concept_id=concept_id, max_depth=min(max_depth, MAX_DEPTH))
    if not rows:
        raise NotFound(f"concept {concept_id!r} not found")
    return [Related(**item) for item in rows[0]["items"]]


async def unit_tree(*, db: Graph, unit_id: str, max_depth: int = 10) -> UnitTree:
    """A unit and what it contains, nested, to `max_depth` hops; a shared unit appears under each parent."""
    rows = await db.read("content_unit_tree", unit_id=unit_id, max_depth=min(max_depth, MAX_DEPTH))
    units = {row["unit"]["id"]: row["unit"] for row in rows}
    if unit_id not in units:
        raise NotFound(f"unit {unit_id!r} not found")
    return UnitTree(**_nest(units, unit_id, 0, max_depth))


def _nest(units: dict[str, dict[str, Any]], unit_id: str, depth: int, max_depth: int) -> dict[str, Any]:
    unit = units[unit_id]
    deeper = depth + 1 <= max_depth
    return {
        **unit,
        "questions": unit["questions"] if deeper else [],
        "units": [_nest(units, c, depth + 1, max_depth) for c in unit["units"] if deeper and c in units],
    }
