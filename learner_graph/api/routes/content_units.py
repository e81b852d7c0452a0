"""Unit routes: CRUD, membership (unit -> unit, unit -> question), resolve and tree."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from learner_graph.api.deps import ContentEditor, GraphDep, Reader
from learner_graph.api.routes.content_params import Cascade, Depth, Text
from learner_graph.content import traversals, units
from learner_graph.content.models import EdgeResult, Unit, UnitUpdate
from learner_graph.content.traversals import MAX_DEPTH, MAX_UNIT_IDS, UNIT_DEPTH, UnitTree
from learner_graph.fields import Id, Input
from learner_graph.lists import Cursor, Limit, Page, decode_offset, page_of

router = APIRouter(prefix="/v1/units", tags=["content"])


class ResolveRequest(Input):
    unit_ids: list[Id] = Field(min_length=1, max_length=MAX_UNIT_IDS)
    max_depth: int = Field(default=UNIT_DEPTH, ge=1, le=MAX_DEPTH)


class Resolved(BaseModel):
    question_ids: list[str]


@router.get("")
async def list_units(
    _: Reader,
    db: GraphDep,
    kind: str | None = None,
    unit: str | None = None,
    concept: str | None = None,
    text: Text = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Unit]:
    """Units by id; filter by kind, by an ancestor `unit` (any depth), by name text (`q`) and by a
    `concept` that one of the unit's own questions assesses."""
    offset = decode_offset(cursor)
    return await units.list_units(
        db=db, kind=kind, unit=unit, concept=concept, text=text, limit=limit, offset=offset
    )


@router.post("", status_code=201)
async def create_unit(key: ContentEditor, db: GraphDep, body: Unit) -> Unit:
    return await units.create_unit(db=db, unit=body, author=key.name)


@router.post("/resolve")
async def resolve(_: Reader, db: GraphDep, body: ResolveRequest) -> Resolved:
    """The questions under many units at once, deduplicated, sorted by id."""
    ids = await traversals.resolve_units(db=db, unit_ids=body.unit_ids, max_depth=body.max_depth)
    return Resolved(question_ids=ids)


@router.get("/{unit_id}")
async def get_unit(_: Reader, db: GraphDep, unit_id: str) -> Unit:
    return await units.get_unit(db=db, unit_id=unit_id)


@router.patch("/{unit_id}")
async def update_unit(key: ContentEditor, db: GraphDep, unit_id: str, body: UnitUpdate) -> Unit:
    """Change name, kind or filter scope (membership has its own routes)."""
    return await units.update_unit(db=db, unit_id=unit_id, update=body, author=key.name)


@router.delete("/{unit_id}", status_code=204)
async def delete_unit(key: ContentEditor, db: GraphDep, unit_id: str, cascade: Cascade = False) -> Response:
    """409 listing the children unless `cascade=true`; children are detached, never deleted."""
    await units.delete_unit(db=db, unit_id=unit_id, cascade=cascade, author=key.name)
    return Response(status_code=204)


@router.get("/{unit_id}/questions")
async def unit_questions(
    _: Reader,
    db: GraphDep,
    unit_id: str,
    max_depth: Depth = UNIT_DEPTH,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[str]:
    """The ids of the questions under this unit at any depth up to `max_depth`, deduplicated, by id."""
    found = await traversals.resolve_units(db=db, unit_ids=[unit_id], max_depth=max_depth)
    return page_of(found, limit=limit, cursor=cursor)


@router.get("/{unit_id}/tree")
async def tree(_: Reader, db: GraphDep, unit_id: str, max_depth: Depth = UNIT_DEPTH) -> UnitTree:
    return await traversals.unit_tree(db=db, unit_id=unit_id, max_depth=max_depth)


@router.put("/{unit_id}/units/{child_id}")
async def add_unit(key: ContentEditor, db: GraphDep, unit_id: str, child_id: str) -> EdgeResult:
    """Append a child unit; 409 with the cycle's path if the child already contains this unit."""
    return await units.add_child(db=db, unit_id=unit_id, kind="unit", child_id=child_id, author=key.name)


@router.delete("/{unit_id}/units/{child_id}")
async def remove_unit(key: ContentEditor, db: GraphDep, unit_id: str, child_id: str) -> EdgeResult:
    return await units.remove_child(db=db, unit_id=unit_id, kind="unit", child_id=child_id, author=key.name)


@router.put("/{unit_id}/questions/{question_id}")
async def add_question(key: ContentEditor, db: GraphDep, unit_id: str, question_id: str) -> EdgeResult:
    return await units.add_child(
        db=db, unit_id=unit_id, kind="question", child_id=question_id, author=key.name
    )


@router.delete("/{unit_id}/questions/{question_id}")
async def remove_question(key: ContentEditor, db: GraphDep, unit_id: str, question_id: str) -> EdgeResult:
    return await units.remove_child(
        db=db, unit_id=unit_id, kind="question", child_id=question_id, author=key.name
    )
