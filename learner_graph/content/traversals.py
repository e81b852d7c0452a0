"""Traversals of the content graph: units to questions, prerequisite closures, unit trees.

Bounded work (issue #14): no variable-length pattern and no path enumeration. Each traversal
reads the graph breadth first, one level per query inside one read transaction, expanding each
node once, to at most `max_depth` levels and `MAX_ROWS` edges in all; depths are then computed in
Python over the edges read (`depth_ranges`), in O(max_depth × edges) however many paths there
are. A traversal that would read more than `MAX_ROWS` edges, or a tree with more than
`MAX_TREE_ITEMS` entries, is refused with a 422 naming the depth field: narrow it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction
from pydantic import BaseModel

from learner_graph.db.graph import Graph, fetch_all
from learner_graph.errors import Invalid, NotFound

MAX_DEPTH = 32  # the largest max_depth any traversal accepts
UNIT_DEPTH = 10  # how deep units are resolved to their questions unless a caller asks otherwise
MAX_ROWS = 10_000  # edges one traversal may read, over all its levels
MAX_TREE_ITEMS = 10_000  # units and questions one unit tree may list (a shared unit counts each time)
MAX_UNIT_IDS = 200  # units one /v1/units/resolve request may name
CYCLE_DEPTH = 100  # levels a cycle check follows (a prerequisite chain or unit nesting that deep is refused)

Children = dict[str, list[dict[str, Any]]]  # node id -> the rows of its direct children, in order


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


def too_large(field: str, message: str) -> Invalid:
    return Invalid(message, [{"field": field, "message": message}])


async def _walk(
    tx: AsyncManagedTransaction, query: LiteralString, roots: Iterable[str], max_depth: int, field: str,
    advice: str | None = None,
) -> Children:
    """The direct children of every node within `max_depth - 1` levels of `roots`, breadth first:
    one query per level, each node expanded once, at most `MAX_ROWS` rows in all (else Invalid
    naming `field`, with `advice`: by default, lower it)."""
    children: Children = {}
    seen = set(roots)
    frontier = sorted(seen)
    budget = MAX_ROWS
    for _ in range(min(max_depth, MAX_DEPTH)):
        if not frontier:
            break
        rows = await fetch_all(tx, query, ids=frontier, limit=budget + 1)
        if len(rows) > budget:
            advice = advice or f"lower {field}"
            raise too_large(field, f"the traversal reaches more than {MAX_ROWS} edges; {advice}")
        budget -= len(rows)
        frontier = []
        for row in rows:
            children.setdefault(row["source"], []).append(row)
            if not row["leaf"] and row["id"] not in seen:
                seen.add(row["id"])
                frontier.append(row["id"])
    return children


async def path_between(
    tx: AsyncManagedTransaction, query: LiteralString, source: str, target: str, field: str
) -> list[str] | None:
    """A shortest path of ids `source` -> ... -> `target` along `query`'s edges, or None if there
    is none: the cycle check of a new edge. Breadth first like `_walk`, each node expanded once,
    stopping at the target. A check it cannot finish within `CYCLE_DEPTH` levels and `MAX_ROWS`
    edges raises Invalid naming `field`: the edge is refused rather than risk a cycle."""
    parents: dict[str, str] = {}
    frontier, budget = [source], MAX_ROWS
    for _ in range(CYCLE_DEPTH):
        if not frontier:
            return None
        rows = await fetch_all(tx, query, ids=frontier, limit=budget + 1)
        if len(rows) > budget:
            raise too_large(field, f"the cycle check reaches more than {MAX_ROWS} edges from {source!r}")
        budget -= len(rows)
        frontier = []
        for row in rows:
            if row["id"] == source or row["id"] in parents:
                continue
            parents[row["id"]] = row["source"]
            if row["id"] == target:
                path = [target]
                while path[-1] != source:
                    path.append(parents[path[-1]])
                return path[::-1]
            frontier.append(row["id"])
    if frontier:
        raise too_large(field, f"the cycle check goes deeper than {CYCLE_DEPTH} levels from {source!r}")
    return None


def depth_ranges(
    children: Mapping[str, Iterable[str]], root: str, max_depth: int
) -> dict[str, tuple[int, int]]:
    """For every node reached from `root` by a path of 1..`max_depth` edges: the fewest and the
    most edges of such a path. Level by level over the set of nodes at exactly k edges, so the
    cost is max_depth × edges, never the number of paths (which doubles per level of a ladder)."""
    found: dict[str, tuple[int, int]] = {}
    level = {root}
    for k in range(1, max_depth + 1):
        level = {c for node in level for c in children.get(node, ())}
        if not level:
            break
        for node in level:
            shortest = found[node][0] if node in found else k
            found[node] = (shortest, k)
    return found


async def resolve_units(*, db: Graph, unit_ids: list[str], max_depth: int = UNIT_DEPTH) -> list[str]:
    """Question ids under `unit_ids` within `max_depth` hops, deduplicated, sorted: one transaction.

    Raises NotFound naming every unknown unit id.
    """

    async def work(tx: AsyncManagedTransaction) -> list[str]:
        found = await fetch_all(tx, db.queries["content_units_found"], unit_ids=unit_ids)
        missing = sorted(set(unit_ids) - {row["id"] for row in found})
        if missing:
            details = [{"field": "unit_ids", "message": f"unknown unit {m!r}"} for m in missing]
            raise NotFound(f"unknown units: {', '.join(missing)}", details)
        children = await _walk(tx, db.queries["content_units_children"], unit_ids, max_depth, "max_depth")
        return sorted({row["id"] for rows in children.values() for row in rows if row["leaf"]})

    return await db.in_read_transaction(work)


async def under_unit(
    tx: AsyncManagedTransaction, db: Graph, unit: str | None, *, units: bool = False
) -> list[str] | None:
    """The ids under `unit` at any depth (`MAX_DEPTH` levels): its questions, or with `units` its
    units; None without a unit (no filter). A list filter's unit: more than `MAX_ROWS` edges below
    it raises Invalid naming `unit`."""
    if unit is None:
        return None
    query = db.queries["content_units_children"]
    children = await _walk(tx, query, [unit], MAX_DEPTH, "unit", "filter by a smaller unit")
    return sorted({row["id"] for rows in children.values() for row in rows if row["leaf"] != units})


async def prerequisites(*, db: Graph, concept_id: str, max_depth: int = MAX_DEPTH) -> list[Related]:
    """Every concept `concept_id` requires, directly (depth 1) or transitively, nearest first."""
    return await closure(db, "content_requires_level", concept_id, max_depth)


async def dependents(*, db: Graph, concept_id: str, max_depth: int = MAX_DEPTH) -> list[Related]:
    """Every concept that requires `concept_id`, directly (depth 1) or transitively, nearest first."""
    return await closure(db, "content_required_by_level", concept_id, max_depth)


async def closure(
    db: Graph, query: str, concept_id: str, max_depth: int, field: str = "max_depth"
) -> list[Related]:
    """The concepts `query` reaches from `concept_id` within `max_depth` levels, by depth then id."""

    async def work(tx: AsyncManagedTransaction) -> Children | None:
        if not await fetch_all(tx, db.queries["content_concept_found"], concept_id=concept_id):
            return None
        return await _walk(tx, db.queries[query], [concept_id], max_depth, field)

    children = await db.in_read_transaction(work)
    if children is None:
        raise NotFound(f"concept {concept_id!r} not found")
    names = {row["id"]: row["name"] for rows in children.values() for row in rows}
    edges = {source: [row["id"] for row in rows] for source, rows in children.items()}
    ranges = depth_ranges(edges, concept_id, min(max_depth, MAX_DEPTH))
    related = [Related(id=c, name=names[c], depth=d, longest=n) for c, (d, n) in ranges.items()]
    return sorted(related, key=lambda r: (r.depth, r.id))


async def unit_tree(*, db: Graph, unit_id: str, max_depth: int = UNIT_DEPTH) -> UnitTree:
    """A unit and what it contains, nested, to `max_depth` hops; a shared unit appears under each
    parent. Built iteratively (no recursion), at most `MAX_TREE_ITEMS` entries."""

    async def work(tx: AsyncManagedTransaction) -> tuple[list[dict[str, Any]], Children]:
        found = await fetch_all(tx, db.queries["content_units_found"], unit_ids=[unit_id])
        if not found:
            return found, {}
        return found, await _walk(tx, db.queries["content_units_children"], [unit_id], max_depth, "max_depth")

    found, children = await db.in_read_transaction(work)
    if not found:
        raise NotFound(f"unit {unit_id!r} not found")
    return UnitTree.model_validate(nest(found[0], children, max_depth))


def nest(root: Mapping[str, Any], children: Children, max_depth: int) -> dict[str, Any]:
    """The tree under `root` as nested dicts, with an explicit stack: a unit at depth d lists its
    questions and units only when d < `max_depth`."""
    top = _node(root)
    stack = [(top, 0)]
    items = 0
    while stack:
        node, depth = stack.pop()
        if depth >= max_depth:
            continue
        for row in children.get(node["id"], []):
            items += 1
            if items > MAX_TREE_ITEMS:
                message = f"the tree has more than {MAX_TREE_ITEMS} entries; lower max_depth"
                raise too_large("max_depth", message)
            if row["leaf"]:
                node["questions"].append(row["id"])
            else:
                child = _node(row)
                node["units"].append(child)
                stack.append((child, depth + 1))
    return top


def _node(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "kind": row["kind"], "questions": [], "units": []}
