"""Concept service: create, read, list, update, delete; prerequisite edges refuse cycles."""

from __future__ import annotations

from typing import Any

from neo4j import AsyncManagedTransaction

from learner_graph.content import traversals
from learner_graph.content.audit import Change, audited
from learner_graph.content.models import Concept, ConceptUpdate, EdgeResult
from learner_graph.content.search import fulltext_query
from learner_graph.content.views import fetch_views, in_tx, missing_ids, reference_problems
from learner_graph.db.graph import Graph, fetch_all
from learner_graph.errors import Conflict, Invalid, NotFound
from learner_graph.lists import Page


async def get_concept(*, db: Graph, concept_id: str) -> Concept:
    """One concept with its direct prerequisites; NotFound if unknown."""
    views = await fetch_views(db.read, "concept", [concept_id])
    if concept_id not in views:
        raise NotFound(f"concept {concept_id!r} not found")
    return Concept(**views[concept_id])


async def list_concepts(
    *, db: Graph, subject: str | None, unit: str | None, text: str | None, limit: int, offset: int
) -> Page[Concept]:
    """Concepts by id, filtered by subject, by a unit's questions (any depth) and by text."""

    async def work(tx: AsyncManagedTransaction) -> list[dict[str, Any]]:
        under = await traversals.under_unit(tx, db, unit)
        return await fetch_all(
            tx, db.queries["content_concepts_page"], subject=subject, under=under,
            text=fulltext_query(text), limit=limit, offset=offset,
        )  # fmt: skip

    rows = await db.in_read_transaction(work)
    items = [Concept(**{**i, "description": i.get("description") or ""}) for i in rows[0]["items"]]
    return Page[Concept].at(items, offset=offset, total=rows[0]["total"])


async def create_concept(*, db: Graph, concept: Concept, author: str) -> Concept:
    """Create a concept (and its prerequisite edges); Conflict if the id is taken."""

    async def work(tx: AsyncManagedTransaction) -> tuple[None, list[Change]]:
        run = in_tx(db, tx)
        missing = await missing_ids(run, concepts=[concept.id, *concept.requires])
        if concept.id not in missing["concept"]:
            raise Conflict(f"concept {concept.id!r} already exists")
        problems = reference_problems("requires", concept.requires, missing["concept"], "concept")
        if problems:
            raise Invalid("unknown prerequisites", problems)
        await run("content_concept_create", **concept.model_dump())
        return None, [Change("concept", concept.id, "create", None, concept.model_dump())]

    await audited(db, author=author, work=work)
    return await get_concept(db=db, concept_id=concept.id)


async def update_concept(*, db: Graph, concept_id: str, update: ConceptUpdate, author: str) -> Concept:
    """Change the given fields; an update that changes nothing records nothing."""

    async def work(tx: AsyncManagedTransaction) -> tuple[dict[str, Any], list[Change]]:
        run = in_tx(db, tx)
        before = (await fetch_views(run, "concept", [concept_id])).get(concept_id)
        if before is None:
            raise NotFound(f"concept {concept_id!r} not found")
        after = {**before, **update.model_dump(exclude_unset=True, exclude_none=True)}
        if after == before:
            return after, []
        await run("content_concept_update", **after)
        return after, [Change("concept", concept_id, "update", before, after)]

    after, _ = await audited(db, author=author, work=work)
    return Concept(**after)


async def delete_concept(*, db: Graph, concept_id: str, cascade: bool, author: str) -> None:
    """Delete a concept; Conflict listing its dependents unless `cascade` (edges then go too)."""

    async def work(tx: AsyncManagedTransaction) -> tuple[None, list[Change]]:
        run = in_tx(db, tx)
        before = (await fetch_views(run, "concept", [concept_id])).get(concept_id)
        if before is None:
            raise NotFound(f"concept {concept_id!r} not found")
        found = (await run("content_concept_dependents", id=concept_id))[0]
        dependents = [
            {"field": "dependents", "message": f"concept {d!r} requires it"} for d in found["concepts"]
        ]
        dependents += [
            {"field": "dependents", "message": f"question {q!r} assesses it"} for q in found["questions"]
        ]
        if found["memories"]:
            dependents.append(
                {"field": "dependents", "message": f"{found['memories']} learners' review states"}
            )
        if dependents and not cascade:
            raise Conflict(
                f"concept {concept_id!r} has dependents; pass cascade=true to delete it", dependents
            )
        await run("content_concept_delete", id=concept_id)
        return None, [Change("concept", concept_id, "delete", {**before, "dependents": found}, None)]

    await audited(db, author=author, work=work)


async def add_prerequisite(*, db: Graph, concept_id: str, prerequisite_id: str, author: str) -> EdgeResult:
    """Add `concept REQUIRES prerequisite`; Conflict with the cycle's path if it would close one."""

    async def work(tx: AsyncManagedTransaction) -> tuple[bool, list[Change]]:
        run = in_tx(db, tx)
        missing = await missing_ids(run, concepts=[concept_id, prerequisite_id])
        if missing["concept"]:
            raise NotFound(f"concept {sorted(missing['concept'])[0]!r} not found")
        if concept_id == prerequisite_id:
            raise cycle_conflict("prerequisite", [concept_id, concept_id])
        check = (
            await run("content_prerequisite_check", concept_id=concept_id, prerequisite_id=prerequisite_id)
        )[0]
        if check["present"]:
            return False, []
        query = db.queries["content_requires_level"]
        if path := await traversals.path_between(tx, query, prerequisite_id, concept_id, "prerequisite_id"):
            raise cycle_conflict("prerequisite", [concept_id, *path])
        await run("content_prerequisite_add", concept_id=concept_id, prerequisite_id=prerequisite_id)
        edge = {"concept": concept_id, "requires": prerequisite_id}
        return True, [Change("prerequisite", f"{concept_id}->{prerequisite_id}", "create", None, edge)]

    changed, version = await audited(db, author=author, work=work)
    return EdgeResult(source=concept_id, target=prerequisite_id, changed=changed, version=version)


async def remove_prerequisite(*, db: Graph, concept_id: str, prerequisite_id: str, author: str) -> EdgeResult:
    """Remove `concept REQUIRES prerequisite`; NotFound if there is no such edge."""

    async def work(tx: AsyncManagedTransaction) -> tuple[bool, list[Change]]:
        rows = await in_tx(db, tx)(
            "content_prerequisite_remove", concept_id=concept_id, prerequisite_id=prerequisite_id
        )
        if not rows[0]["removed"]:
            raise NotFound(f"concept {concept_id!r} does not require {prerequisite_id!r}")
        edge = {"concept": concept_id, "requires": prerequisite_id}
        return True, [Change("prerequisite", f"{concept_id}->{prerequisite_id}", "delete", edge, None)]

    _, version = await audited(db, author=author, work=work)
    return EdgeResult(source=concept_id, target=prerequisite_id, changed=True, version=version)


def cycle_conflict(edge: str, path: list[str]) -> Conflict:
    """The 409 for an edge that would close a cycle, with the cycle spelled out as a path of ids."""
    spelled = " -> ".join(path)
    return Conflict(
        f"this {edge} edge would close a cycle: {spelled}",
        [{"field": "cycle", "message": spelled, "path": path}],
    )
