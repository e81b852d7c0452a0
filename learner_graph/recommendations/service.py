"""Serve a recommendation: fetch the student, predict, mix, record. Stateless across replicas."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any, cast

import numpy as np

from learner_graph.db.graph import Graph
from learner_graph.errors import NotFound
from learner_graph.learners.memory import make_scheduler
from learner_graph.mixer.models import Candidate, MixInput, MixSettings
from learner_graph.mixer.streams import TAG_P
from learner_graph.model import History, QuestionSide, predict, predict_rows
from learner_graph.recommendations.catalog import Catalog, CatalogCache
from learner_graph.recommendations.models import (
    ExplanationOut,
    ItemOut,
    RecommendationOut,
    RecommendationRequest,
)
from learner_graph.recommendations.recorder import Recorder
from learner_graph.recommendations.shortlist import shortlist, tiebreaks
from learner_graph.recommendations.student import MAX_ATTEMPTS, Student

MAX_TARGET_OFFSET = 0.2


@dataclass(frozen=True)
class Scored:
    rows: np.ndarray  # question rows of the catalog's table
    p: np.ndarray
    known: np.ndarray  # bool per question: the model has a trained vector for it
    model_version: str | None
    attempts_in_scope: int


async def load_student(db: Graph, user_id: str) -> tuple[Student, str]:
    """The student's state and the content version, in one round trip."""
    row = (await db.read_plain("rec_student_state", user_id=user_id, max_attempts=MAX_ATTEMPTS))[0]
    return Student.from_row(user_id, row), str(row["content_version"])


async def candidates_for(
    db: Graph, catalogs: CatalogCache, catalog: Catalog, units: list[str], concepts: list[str]
) -> np.ndarray:
    """Question rows under the units and assessing the concepts; 404 naming every unknown one."""
    missing = [u for u in units if u not in catalog.units] + [
        c for c in concepts if c not in catalog.concepts
    ]
    if missing:
        details = [
            {"field": "units" if m in units else "concepts", "message": f"unknown {m!r}"} for m in missing
        ]
        raise NotFound(f"unknown units or concepts: {', '.join(missing)}", details)
    found = [await catalogs.resolve_rows(db, catalog, units)] if units else []
    found += [catalog.table.concept_rows(concept) for concept in concepts]
    return np.unique(np.concatenate(found)) if len(found) > 1 else found[0] if found else np.array([], int)


async def scope_for(
    db: Graph,
    catalogs: CatalogCache,
    catalog: Catalog,
    request: RecommendationRequest,
    candidates: np.ndarray,
) -> np.ndarray:
    """The question rows whose attempts judge the student: the filter scope of the requested units."""
    if request.scope_units is not None:
        return await candidates_for(db, catalogs, catalog, request.scope_units, [])
    if not request.units:
        return candidates
    scope_units = sorted({s for u in request.units for s in catalog.units[u]})
    if scope_units == sorted(set(request.units)):
        return candidates if not request.concepts else await catalogs.resolve_rows(db, catalog, scope_units)
    return await catalogs.resolve_rows(db, catalog, [u for u in scope_units if u in catalog.units])


def in_rows(catalog: Catalog, rows: np.ndarray | None) -> Callable[[str], bool] | None:
    """A membership test of question ids against sorted rows (None: every question)."""
    if rows is None:
        return None
    mask = np.zeros(len(catalog.table.ids), dtype=bool)
    mask[rows] = True
    position = catalog.table.position

    def test(question_id: str) -> bool:
        row = position.get(question_id)
        return row is not None and bool(mask[row])

    return test


def side_rows(side: QuestionSide, catalog: Catalog) -> np.ndarray:
    """Each catalog row's index in the model's question side (-1 when the side lacks it), cached."""
    key = f"catalog-rows:{catalog.version}"
    rows = side.cache.get(key)
    if rows is None:
        for old in [k for k in side.cache if k.startswith("catalog-rows:")]:
            del side.cache[old]
        get = side.index.get
        rows = side.cache[key] = np.array([get(q, -1) for q in catalog.table.ids], dtype=np.int64)
    return cast(np.ndarray, rows)


def score(
    side: QuestionSide | None,
    student: Student,
    scope: np.ndarray | None,
    rows: np.ndarray,
    catalog: Catalog,
) -> Scored:
    """P(correct) of every candidate row from the live fit (tag difficulty when there is no model)."""
    history = student.history_rows(in_rows(catalog, scope))
    if side is None:
        tag_p = catalog.table.tag_p[rows]
        p = np.where(np.isnan(tag_p), TAG_P[3], tag_p)
        return Scored(rows, p, np.zeros(len(rows), dtype=bool), None, len(history))
    at = side_rows(side, catalog)[rows]
    if len(at) == 0 or at.min() >= 0:
        p = predict_rows(side, History.from_rows(history), at)
        return Scored(rows, p, np.ones(len(rows), dtype=bool), side.model_id, len(history))
    # Questions newer than the loaded model: cold-started from their metadata, per request.
    ids = [catalog.table.ids[r] for r in rows.tolist()]
    meta = {
        q: {
            "text": catalog.questions[q].text,
            "concept_ids": list(catalog.questions[q].concept_ids),
            "difficulty_tag": catalog.questions[q].difficulty_tag,
        }
        for q, i in zip(ids, at.tolist(), strict=True)
        if i < 0
    }
    p = predict(side, History.from_rows(history), ids, question_meta=meta)
    return Scored(rows, p, at >= 0, side.model_id, len(history))


def mix_settings(request: RecommendationRequest, overrides: dict[str, Any], student: Student) -> MixSettings:
    settings = MixSettings(seed=request.seed)
    allowed = {k: v for k, v in overrides.items() if k in MixSettings.__dataclass_fields__ and v is not None}
    settings = replace(settings, **allowed)
    offset = max(-MAX_TARGET_OFFSET, min(MAX_TARGET_OFFSET, student.target_offset))
    return replace(settings, target_p=min(0.95, max(0.05, settings.target_p + offset)))


def build_input(
    scored: Scored,
    student: Student,
    catalog: Catalog,
    request: RecommendationRequest,
    now: datetime,
    settings: MixSettings,
    overrides: dict[str, Any],
) -> MixInput:
    scheduler = make_scheduler(overrides.get("review_retention") or 0.9)
    last = student.last_attempts()
    views = student.concept_views(catalog, now, scheduler, concept_p(catalog, scored))
    blocked = student.rejected | set(request.context.exclude) | student.recent(now, settings.recent_hours)
    table = catalog.table
    tb = tiebreaks(settings.seed, table.hashes[scored.rows])  # once, for the shortlist and the mixer
    keep = shortlist(table, scored.rows, scored.p, scored.known, tb, views, blocked, now, settings, request.n)
    candidates = []
    ids, questions = table.ids, catalog.questions
    for row, p, known, order in zip(
        scored.rows[keep].tolist(), scored.p[keep].tolist(), scored.known[keep].tolist(), tb[keep].tolist(),
        strict=True,
    ):
        question_id = ids[row]
        meta = questions[question_id]
        candidates.append(
            Candidate(
                question_id=question_id,
                concepts=meta.concept_ids,
                p_correct=p,
                difficulty_tag=meta.difficulty_tag,
                known_to_model=known,
                last_attempt=last.get(question_id),
                tiebreak=order,
            )
        )
    return MixInput(
        candidates=candidates,
        concepts=views,
        streak=student.streak(now, overrides.get("daily_goal_scale") or 1.0),
        now=now,
        attempts_in_scope=scored.attempts_in_scope,
        blocked=blocked,
    )


def concept_p(catalog: Catalog, scored: Scored) -> dict[str, float]:
    """The mean predicted P(correct) over each concept's scored questions."""
    table = catalog.table
    at = np.full(len(table.ids), np.nan)
    at[scored.rows] = scored.p
    p = at[table.pair_row]
    keep = ~np.isnan(p)
    columns = table.pair_concept[keep]
    total = np.bincount(columns, weights=p[keep], minlength=len(table.concept_ids))
    count = np.bincount(columns, minlength=len(table.concept_ids))
    return {table.concept_ids[k]: float(total[k] / count[k]) for k in np.flatnonzero(count).tolist()}


async def record(
    db: Graph, request: RecommendationRequest, out: RecommendationOut, recorder: Recorder | None = None
) -> None:
    """Store the recommendation; with a `recorder`, in a group commit shared with concurrent requests."""
    row = {
        "id": out.id,
        "user_id": out.user_id,
        "arm": out.arm,
        "experiment_arms": json.dumps(out.experiments),
        "model_version": out.model_version,
        "served_at": out.served_at,
        "items": json.dumps([i.model_dump() for i in out.items]),
        "request": request.model_dump_json(exclude={"overrides"}),
        "question_ids": [i.question_id for i in out.items],
    }
    if recorder is None:
        await db.write_plain("rec_record_batch", rows=[row])
    else:
        await recorder.write(db, row)


def to_items(picks: list[Any]) -> list[ItemOut]:
    return [
        ItemOut(
            question_id=p.question_id,
            kind=p.kind,
            p_correct=round(p.p_correct, 4),
            concepts=list(p.concepts),
            explanation=ExplanationOut(**asdict(p.explanation)),
            fallback=p.fallback,
        )
        for p in picks
    ]


def new_id() -> str:
    return "rec_" + uuid.uuid4().hex


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
