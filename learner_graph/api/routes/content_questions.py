"""Question routes: CRUD with the concepts each question assesses."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from learner_graph.api.deps import ContentEditor, GraphDep, Reader
from learner_graph.api.routes.content_params import Cascade, Text
from learner_graph.content import questions
from learner_graph.content.models import Question, QuestionCreate, QuestionUpdate
from learner_graph.lists import Cursor, Limit, Page, decode_offset

router = APIRouter(prefix="/v1/questions", tags=["content"])
Difficulty = Annotated[int | None, Query(ge=1, le=5, description="difficulty tag")]


@router.get("")
async def list_questions(
    _: Reader,
    db: GraphDep,
    subject: str | None = None,
    unit: str | None = None,
    concept: str | None = None,
    difficulty: Difficulty = None,
    text: Text = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Question]:
    """Questions by id; filter by subject, unit (any depth), concept, difficulty and text (`q`)."""
    return await questions.list_questions(
        db=db,
        subject=subject,
        unit=unit,
        concept=concept,
        difficulty=difficulty,
        text=text,
        limit=limit,
        offset=decode_offset(cursor),
    )


@router.post("", status_code=201)
async def create_question(key: ContentEditor, db: GraphDep, body: QuestionCreate) -> Question:
    return await questions.create_question(db=db, question=body, author=key.name)


@router.get("/{question_id}")
async def get_question(_: Reader, db: GraphDep, question_id: str) -> Question:
    return await questions.get_question(db=db, question_id=question_id)


@router.patch("/{question_id}")
async def update_question(
    key: ContentEditor, db: GraphDep, question_id: str, body: QuestionUpdate
) -> Question:
    """Change any field; `concepts` replaces the whole list."""
    return await questions.update_question(db=db, question_id=question_id, update=body, author=key.name)


@router.delete("/{question_id}", status_code=204)
async def delete_question(
    key: ContentEditor, db: GraphDep, question_id: str, cascade: Cascade = False
) -> Response:
    """409 when learners attempted it unless `cascade=true` (attempt nodes are kept, detached)."""
    await questions.delete_question(db=db, question_id=question_id, cascade=cascade, author=key.name)
    return Response(status_code=204)
