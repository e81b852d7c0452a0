"""Question service: questions, the concepts they assess, and their answer metadata."""

from __future__ import annotations

import json
from typing import Any

from neo4j import AsyncManagedTransaction
from pydantic import ValidationError

from learner_graph.content.audit import Change, audited
from learner_graph.content.models import Question, QuestionUpdate
from learner_graph.content.search import fulltext_query
from learner_graph.content.traversals import under_unit
from learner_graph.content.views import clean, fetch_views, in_tx, missing_ids, reference_problems
from learner_graph.db.graph import Graph, fetch_all
from learner_graph.errors import Conflict, Invalid, NotFound
from learner_graph.lists import Page


async def get_question(*, db: Graph, question_id: str) -> Question:
    """One question with its concepts (by id) and answer metadata; NotFound if unknown."""
    views = await fetch_views(db.read, "question", [question_id])
    if question_id not in views:
        raise NotFound(f"question {question_id!r} not found")
    return Question(**views[question_id])


async def list_questions(
    *,
    db: Graph,
    subject: str | None,
    unit: str | None,
    concept: str | None,
    difficulty: int | None,
    text: str | None,
    limit: int,
    offset: int,
) -> Page[Question]:
    """Questions by id, filtered by subject, unit (any depth), concept, difficulty tag and text."""

    async def work(tx: AsyncManagedTransaction) -> list[dict[str, Any]]:
        return await fetch_all(
            tx, db.queries["content_questions_page"], subject=subject, under=await under_unit(tx, db, unit),
            concept=concept, difficulty=difficulty, text=fulltext_query(text), limit=limit, offset=offset,
        )  # fmt: skip

    rows = await db.in_read_transaction(work)
    items = [Question(**clean("question", item)) for item in rows[0]["items"]]
    return Page[Question].at(items, offset=offset, total=rows[0]["total"])


def write_params(view: dict[str, Any]) -> dict[str, Any]:
    """Query parameters for a question view: answer metadata as a JSON string."""
    answer = view["answer"]
    return {**view, "answer": None if answer is None else json.dumps(answer, sort_keys=True)}


async def create_question(*, db: Graph, question: Question, author: str) -> Question:
    """Create a question assessing existing concepts; Conflict if the id is taken."""

    async def work(tx: AsyncManagedTransaction) -> tuple[None, list[Change]]:
        run = in_tx(db, tx)
        concept_ids = [c.id for c in question.concepts]
        missing = await missing_ids(run, concepts=concept_ids, questions=[question.id])
        if question.id not in missing["question"]:
            raise Conflict(f"question {question.id!r} already exists")
        problems = reference_problems("concepts", concept_ids, missing["concept"], "concept")
        if problems:
            raise Invalid("unknown concepts", [{**p, "field": p["field"] + ".id"} for p in problems])
        view = question.model_dump()
        await run("content_question_write", **write_params(view))
        return None, [Change("question", question.id, "create", None, view)]

    await audited(db, author=author, work=work)
    return await get_question(db=db, question_id=question.id)


async def update_question(*, db: Graph, question_id: str, update: QuestionUpdate, author: str) -> Question:
    """Change the given fields (`concepts` replaces the list); no change records nothing."""

    async def work(tx: AsyncManagedTransaction) -> tuple[dict[str, Any], list[Change]]:
        run = in_tx(db, tx)
        before = (await fetch_views(run, "question", [question_id])).get(question_id)
        if before is None:
            raise NotFound(f"question {question_id!r} not found")
        patch = update.model_dump(exclude_unset=True)
        for field in ("text", "difficulty_tag", "concepts"):
            if field in patch and patch[field] is None:
                del patch[field]
        try:
            after = Question(**{**before, **patch}).model_dump()  # re-checks concepts listed once
        except ValidationError as error:
            raise Invalid(
                "invalid question", [{"field": "concepts", "message": e["msg"]} for e in error.errors()]
            ) from None
        after["concepts"] = sorted(after["concepts"], key=lambda c: c["id"])
        concept_ids = [c["id"] for c in after["concepts"]]
        missing = await missing_ids(run, concepts=concept_ids)
        if problems := reference_problems("concepts", concept_ids, missing["concept"], "concept"):
            raise Invalid("unknown concepts", [{**p, "field": p["field"] + ".id"} for p in problems])
        if after == before:
            return after, []
        await run("content_question_write", **write_params(after))
        return after, [Change("question", question_id, "update", before, after)]

    after, _ = await audited(db, author=author, work=work)
    return Question(**after)


async def delete_question(*, db: Graph, question_id: str, cascade: bool, author: str) -> None:
    """Delete a question; Conflict if learners attempted it unless `cascade` (attempt nodes are kept)."""

    async def work(tx: AsyncManagedTransaction) -> tuple[None, list[Change]]:
        run = in_tx(db, tx)
        before = (await fetch_views(run, "question", [question_id])).get(question_id)
        if before is None:
            raise NotFound(f"question {question_id!r} not found")
        found = (await run("content_question_dependents", id=question_id))[0]
        if found["attempts"] and not cascade:
            details = [{"field": "dependents", "message": f"{found['attempts']} attempts by learners"}]
            raise Conflict(f"question {question_id!r} has attempts; pass cascade=true to delete it", details)
        await run("content_question_delete", id=question_id)
        return None, [Change("question", question_id, "delete", {**before, "units": found["units"]}, None)]

    await audited(db, author=author, work=work)
