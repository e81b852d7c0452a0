"""Concept routes: CRUD, prerequisite edges and the prerequisite traversals."""

from __future__ import annotations

from fastapi import APIRouter, Response

from learner_graph.api.deps import ContentEditor, GraphDep, Reader
from learner_graph.api.routes.content_params import Cascade, Depth, Text
from learner_graph.content import concepts, traversals
from learner_graph.content.models import Concept, ConceptUpdate, EdgeResult
from learner_graph.content.traversals import Related
from learner_graph.lists import Cursor, Limit, Page, decode_offset, page_of

router = APIRouter(prefix="/v1/concepts", tags=["content"])


@router.get("")
async def list_concepts(
    _: Reader,
    db: GraphDep,
    subject: str | None = None,
    unit: str | None = None,
    text: Text = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Concept]:
    """Concepts by id; filter by subject, by a unit (questions at any depth) and by text (`q`)."""
    return await concepts.list_concepts(
        db=db, subject=subject, unit=unit, text=text, limit=limit, offset=decode_offset(cursor)
    )


@router.post("", status_code=201)
async def create_concept(key: ContentEditor, db: GraphDep, body: Concept) -> Concept:
    """Create a concept; `requires` lists its direct prerequisites."""
    return await concepts.create_concept(db=db, concept=body, author=key.name)


@router.get("/{concept_id}")
async def get_concept(_: Reader, db: GraphDep, concept_id: str) -> Concept:
    return await concepts.get_concept(db=db, concept_id=concept_id)


@router.patch("/{concept_id}")
async def update_concept(key: ContentEditor, db: GraphDep, concept_id: str, body: ConceptUpdate) -> Concept:
    """Change name, description or subject (edges have their own routes)."""
    return await concepts.update_concept(db=db, concept_id=concept_id, update=body, author=key.name)


@router.delete("/{concept_id}", status_code=204)
async def delete_concept(
    key: ContentEditor, db: GraphDep, concept_id: str, cascade: Cascade = False
) -> Response:
    """409 listing dependents (requiring concepts, assessing questions) unless `cascade=true`."""
    await concepts.delete_concept(db=db, concept_id=concept_id, cascade=cascade, author=key.name)
    return Response(status_code=204)


@router.put("/{concept_id}/prerequisites/{prerequisite_id}")
async def add_prerequisite(
    key: ContentEditor, db: GraphDep, concept_id: str, prerequisite_id: str
) -> EdgeResult:
    """Make `prerequisite_id` a direct prerequisite; 409 with the cycle's path if it would close one."""
    return await concepts.add_prerequisite(
        db=db, concept_id=concept_id, prerequisite_id=prerequisite_id, author=key.name
    )


@router.delete("/{concept_id}/prerequisites/{prerequisite_id}")
async def remove_prerequisite(
    key: ContentEditor, db: GraphDep, concept_id: str, prerequisite_id: str
) -> EdgeResult:
    return await concepts.remove_prerequisite(
        db=db, concept_id=concept_id, prerequisite_id=prerequisite_id, author=key.name
    )


@router.get("/{concept_id}/prerequisites")
async def prerequisites(
    _: Reader, db: GraphDep, concept_id: str, max_depth: Depth = 32, limit: Limit = 50, cursor: Cursor = None
) -> Page[Related]:
    """Transitive prerequisites with their depth (1 = direct), nearest first."""
    found = await traversals.prerequisites(db=db, concept_id=concept_id, max_depth=max_depth)
    return page_of(found, limit=limit, cursor=cursor)


@router.get("/{concept_id}/dependents")
async def dependents(
    _: Reader, db: GraphDep, concept_id: str, max_depth: Depth = 32, limit: Limit = 50, cursor: Cursor = None
) -> Page[Related]:
    """The concepts that require this one, directly or transitively, nearest first."""
    found = await traversals.dependents(db=db, concept_id=concept_id, max_depth=max_depth)
    return page_of(found, limit=limit, cursor=cursor)
