"""Unit service: units and their ordered children; containment refuses cycles."""

from __future__ import annotations

from typing import Any, Literal

from neo4j import AsyncManagedTransaction

from learner_graph.content import traversals
from learner_graph.content.audit import Change, audited
from learner_graph.content.concepts import cycle_conflict
from learner_graph.content.models import EdgeResult, Unit, UnitUpdate
from learner_graph.content.search import fulltext_query
from learner_graph.content.views import fetch_views, in_tx, missing_ids, reference_problems
from learner_graph.db.graph import Graph, fetch_all
from learner_graph.errors import Conflict, Invalid, NotFound
from learner_graph.lists import Page

ChildKind = Literal["unit", "question"]


async def get_unit(*, db: Graph, unit_id: str) -> Unit:
    """One unit with its direct children in order; NotFound if unknown."""
    views = await fetch_views(db.read, "unit", [unit_id])
    if unit_id not in views:
        raise NotFound(f"unit {unit_id!r} not found")
    return Unit(**views[unit_id])


async def list_units(
    *, db: Graph, kind: str | None, unit: str | None, concept: str | None, text: str | None,
    limit: int, offset: int,
) -> Page[Unit]:
    """Units by id, filtered by kind, by an ancestor unit (any depth), by name text and by a concept
    that a question directly in the unit assesses."""

    async def work(tx: AsyncManagedTransaction) -> list[dict[str, Any]]:
        under = await traversals.under_unit(tx, db, unit, units=True)
        return await fetch_all(
            tx, db.queries["content_units_page"], kind=kind, under=under, concept=concept,
            text=fulltext_query(text), limit=limit, offset=offset,
        )  # fmt: skip

    rows = await db.in_read_transaction(work)
    items = [Unit(**item) for item in rows[0]["items"]]
    return Page[Unit].at(items, offset=offset, total=rows[0]["total"])


async def create_unit(*, db: Graph, unit: Unit, author: str) -> Unit:
    """Create a unit with its children (a new unit cannot close a cycle); Conflict if the id is taken."""

    async def work(tx: AsyncManagedTransaction) -> tuple[None, list[Change]]:
        run = in_tx(db, tx)
        scope = [u for u in unit.filter_scope or [] if u != unit.id]
        missing = await missing_ids(run, units=[unit.id, *unit.units, *scope], questions=unit.questions)
        if unit.id not in missing["unit"]:
            raise Conflict(f"unit {unit.id!r} already exists")
        problems = reference_problems("units", unit.units, missing["unit"] - {unit.id}, "unit")
        problems += [
            {"field": f"units[{i}]", "message": "a unit cannot contain itself"}
            for i, child in enumerate(unit.units)
            if child == unit.id
        ]
        problems += reference_problems("questions", unit.questions, missing["question"], "question")
        problems += reference_problems("filter_scope", scope, missing["unit"], "unit")
        problems += duplicate_problems("units", unit.units) + duplicate_problems("questions", unit.questions)
        if problems:
            raise Invalid("invalid unit", problems)
        await run("content_unit_create", **unit.model_dump())
        return None, [Change("unit", unit.id, "create", None, unit.model_dump())]

    await audited(db, author=author, work=work)
    return await get_unit(db=db, unit_id=unit.id)


async def update_unit(*, db: Graph, unit_id: str, update: UnitUpdate, author: str) -> Unit:
    """Change name, kind or filter scope; an update that changes nothing records nothing."""

    async def work(tx: AsyncManagedTransaction) -> tuple[dict[str, Any], list[Change]]:
        run = in_tx(db, tx)
        before = (await fetch_views(run, "unit", [unit_id])).get(unit_id)
        if before is None:
            raise NotFound(f"unit {unit_id!r} not found")
        patch = update.model_dump(exclude_unset=True)
        # null name or kind means "unchanged"; null filter_scope means "the unit itself".
        after = {**before, **{k: v for k, v in patch.items() if v is not None or k == "filter_scope"}}
        scope = [u for u in after["filter_scope"] or [] if u != unit_id]
        missing = await missing_ids(run, units=scope)
        if problems := reference_problems("filter_scope", scope, missing["unit"], "unit"):
            raise Invalid("invalid unit", problems)
        if after == before:
            return after, []
        await run("content_unit_update", **after)
        return after, [Change("unit", unit_id, "update", before, after)]

    after, _ = await audited(db, author=author, work=work)
    return Unit(**after)


async def delete_unit(*, db: Graph, unit_id: str, cascade: bool, author: str) -> None:
    """Delete a unit; Conflict listing its children unless `cascade` (children are detached, kept)."""

    async def work(tx: AsyncManagedTransaction) -> tuple[None, list[Change]]:
        before = (await fetch_views(in_tx(db, tx), "unit", [unit_id])).get(unit_id)
        if before is None:
            raise NotFound(f"unit {unit_id!r} not found")
        children = [("unit", c) for c in before["units"]] + [("question", q) for q in before["questions"]]
        if children and not cascade:
            details = [
                {"field": "dependents", "message": f"contains {kind} {cid!r}"} for kind, cid in children
            ]
            raise Conflict(f"unit {unit_id!r} has children; pass cascade=true to delete it", details)
        await in_tx(db, tx)("content_unit_delete", id=unit_id)
        return None, [Change("unit", unit_id, "delete", before, None)]

    await audited(db, author=author, work=work)


async def add_child(*, db: Graph, unit_id: str, kind: ChildKind, child_id: str, author: str) -> EdgeResult:
    """Append a unit or question to a unit; Conflict with the cycle's path if a unit would contain itself."""

    async def work(tx: AsyncManagedTransaction) -> tuple[bool, list[Change]]:
        run = in_tx(db, tx)
        missing = await missing_ids(
            run,
            units=[unit_id, child_id] if kind == "unit" else [unit_id],
            questions=[child_id] * (kind == "question"),
        )
        if gone := sorted(missing["unit"]) + sorted(missing["question"]):
            raise NotFound(f"{'unit' if gone[0] in missing['unit'] else 'question'} {gone[0]!r} not found")
        params = {"parent_id": unit_id, "child_id": child_id}
        if kind == "unit" and unit_id == child_id:
            raise cycle_conflict("containment", [unit_id, unit_id])
        query = "content_unit_child_check" if kind == "unit" else "content_unit_question_present"
        check = (await run(query, **params))[0]
        if check["present"]:
            return False, []
        if kind == "unit":
            level = db.queries["content_unit_subunits_level"]
            if path := await traversals.path_between(tx, level, child_id, unit_id, "child_id"):
                raise cycle_conflict("containment", [unit_id, *path])
        await run("content_unit_add_unit" if kind == "unit" else "content_unit_add_question", **params)
        edge: dict[str, Any] = {"unit": unit_id, kind: child_id}
        return True, [Change("containment", f"{unit_id}->{child_id}", "create", None, edge)]

    changed, version = await audited(db, author=author, work=work)
    return EdgeResult(source=unit_id, target=child_id, changed=changed, version=version)


async def remove_child(*, db: Graph, unit_id: str, kind: ChildKind, child_id: str, author: str) -> EdgeResult:
    """Take a unit or question out of a unit (it stays elsewhere); NotFound if it was not there."""

    async def work(tx: AsyncManagedTransaction) -> tuple[bool, list[Change]]:
        rows = await in_tx(db, tx)(
            "content_unit_remove_child", parent_id=unit_id, child_id=child_id, kind=kind
        )
        if not rows[0]["removed"]:
            raise NotFound(f"unit {unit_id!r} does not contain {kind} {child_id!r}")
        edge: dict[str, Any] = {"unit": unit_id, kind: child_id}
        return True, [Change("containment", f"{unit_id}->{child_id}", "delete", edge, None)]

    _, version = await audited(db, author=author, work=work)
    return EdgeResult(source=unit_id, target=child_id, changed=True, version=version)


def duplicate_problems(field: str, ids: list[str]) -> list[dict[str, str]]:
    """One detail per repeated id in a list field."""
    seen: set[str] = set()
    problems = []
    for i, value in enumerate(ids):
        if value in seen:
            problems.append({"field": f"{field}[{i}]", "message": f"{value!r} is listed twice"})
        seen.add(value)
    return problems
