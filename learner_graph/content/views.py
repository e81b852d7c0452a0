"""Reading content views (document entries) and checking ids, inside or outside a transaction."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

from neo4j import AsyncManagedTransaction

from learner_graph.db.graph import Graph, fetch_all

Kind = Literal["concept", "unit", "question"]
Run = Callable[..., Awaitable[list[dict[str, Any]]]]
_QUERY: dict[Kind, str] = {
    "concept": "content_concepts_by_id",
    "unit": "content_units_by_id",
    "question": "content_questions_by_id",
}


def in_tx(db: Graph, tx: AsyncManagedTransaction) -> Run:
    """A `Run` that executes named queries inside `tx`."""

    async def run(query: str, /, **params: Any) -> list[dict[str, Any]]:
        return await fetch_all(tx, db.queries[query], **params)

    return run


def clean(kind: Kind, view: dict[str, Any]) -> dict[str, Any]:
    """A view as the document has it: answer metadata parsed, absent properties as defaults."""
    if kind == "question":
        answer = view.get("answer")
        return {**view, "answer": None if answer is None else json.loads(answer)}
    if kind == "concept":
        return {**view, "description": view.get("description") or ""}
    return view


async def fetch_views(run: Run, kind: Kind, ids: list[str] | None) -> dict[str, dict[str, Any]]:
    """Views of `ids` (every entity of `kind` when None) keyed by id, in id order."""
    rows = await run(_QUERY[kind], ids=ids)
    return {row[kind]["id"]: clean(kind, row[kind]) for row in rows}


async def missing_ids(
    run: Run, *, concepts: Sequence[str] = (), units: Sequence[str] = (), questions: Sequence[str] = ()
) -> dict[Kind, set[str]]:
    """Which of the given ids do not exist, per kind."""
    rows = await run(
        "content_existing_ids", concepts=list(concepts), units=list(units), questions=list(questions)
    )
    found = rows[0]
    return {
        "concept": set(concepts) - set(found["concepts"]),
        "unit": set(units) - set(found["units"]),
        "question": set(questions) - set(found["questions"]),
    }


def reference_problems(field: str, ids: list[str], missing: set[str], kind: Kind) -> list[dict[str, str]]:
    """One 422 detail per unknown id, naming its position in the list field."""
    return [
        {"field": f"{field}[{i}]", "message": f"unknown {kind} {value!r}"}
        for i, value in enumerate(ids)
        if value in missing
    ]
