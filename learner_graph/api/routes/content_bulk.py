"""Content-wide routes: bulk import and export, the audit trail and the content version."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel

from learner_graph.api.deps import AdminGraphDep, ContentEditor, GraphDep, Reader
from learner_graph.content import audit, importer
from learner_graph.content.audit import ChangeRecord
from learner_graph.content.document import ContentDocument
from learner_graph.content.importer import ImportResult
from learner_graph.fields import Time
from learner_graph.lists import Cursor, Limit, Page, decode_offset

router = APIRouter(prefix="/v1/content", tags=["content"])


class Version(BaseModel):
    version: int


class ConceptNode(BaseModel):
    id: str
    name: str
    subject: str | None = None


class ConceptGraph(BaseModel):
    concepts: list[ConceptNode]
    edges: list[tuple[str, str]]  # (concept, its prerequisite)


@router.post("/import")
async def import_content(
    key: ContentEditor,
    db: AdminGraphDep,
    document: Annotated[
        dict[str, Any], Body(description="a ContentDocument (docs/GRAPH.md), checked entry by entry")
    ],
    dry_run: Annotated[bool, Query(description="check and count what would change; write nothing")] = False,
) -> ImportResult:
    """Import a whole curriculum (docs/GRAPH.md format); 422 lists every problem, nothing written."""
    if dry_run:
        return await importer.dry_run(db=db, document=document)
    return await importer.import_content(db=db, document=document, author=key.name)


@router.get("/export")
async def export_content(_: Reader, db: GraphDep) -> ContentDocument:
    """The whole content graph in the import format: export then import changes nothing."""
    return ContentDocument.model_validate(await importer.export_content(db=db))


@router.get("/version")
async def content_version(_: Reader, db: GraphDep) -> Version:
    """The content version: +1 with every change; caches key on it."""
    return Version(version=await audit.content_version(db=db))


@router.get("/changes")
async def changes(
    _: Reader,
    db: GraphDep,
    entity: str | None = None,
    entity_id: str | None = None,
    author: str | None = None,
    since: Time | None = None,
    until: Time | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ChangeRecord]:
    """Who changed what and when (before and after), newest first; filter by entity, author, time."""
    offset = decode_offset(cursor)
    total, items = await audit.list_changes(
        db=db,
        entity=entity,
        entity_id=entity_id,
        author=author,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return Page[ChangeRecord].at(items, offset=offset, total=total)


@router.get("/graph")
async def concept_graph(_: Reader, db: GraphDep) -> ConceptGraph:
    """Every concept and prerequisite edge in one answer (the console's graph view)."""
    row = (await db.read("content_graph"))[0]
    return ConceptGraph(concepts=row["concepts"], edges=row["edges"])
