"""Serve a recommendation: fetch the student, predict, mix, record. Stateless across replicas."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

import numpy as np

from learner_graph.db.graph import Graph
from learner_graph.errors import NotFound
from learner_graph.learners.memory import make_scheduler
from learner_graph.mixer.models import Candidate, MixInput, MixSettings
from learner_graph.mixer.streams import TAG_P
from learner_graph.model import History, QuestionSide, predict
from learner_graph.recommendations.catalog import Catalog, CatalogCache
from learner_graph.recommendations.models import (
    ExplanationOut,
    ItemOut,
    RecommendationOut,
    RecommendationRequest,
)
from learner_graph.recommendations.shortlist import shortlist
from learner_graph.recommendations.student import MAX_ATTEMPTS, Student

MAX_TARGET_OFFSET = 0.2
_TIEBREAKS: dict[tuple[int, str], int] = {}  # (seed, question) -> the mixer's tie-break


@dataclass(frozen=True)
class Scored:
    question_ids: list[str]
    p: np.ndarray
    known: np.ndarray  # bool per question: the model has a trained vector for it
    model_version: str | None
    attempts_in_scope: int


async def load_student(db: Graph, user_id: str) -> tuple[Student, str]:
    """The student's state and the content version, in one round trip."""
    row = (await db.read("rec_student_state", user_id=user_id, max_attempts=MAX_ATTEMPTS))[0]
    return Student.from_row(user_id, row), str(row["content_version"])


async def candidates_for(
    db: Graph, catalogs: CatalogCache, catalog: Catalog, units: list[str], concepts: list[str]
) -> list[str]:
    """Question ids under the units and assessing the concepts; 404 naming every unknown one."""
    missing = [u for u in units if u not in catalog.units] + [
        c for c in concepts if c not in catalog.concepts
    ]
    if missing:
        details = [
            {"field": "units" if m in units else "concepts", "message": f"unknown {m!r}"} for m in missing
        ]
        raise NotFound(f"unknown units or concepts: {', '.join(missing)}", details)
    found: set[str] = set()
    if units:
        found.update(await catalogs.resolve(db, catalog.version, units))
    for concept in concepts:
        found.update(catalog.by_concept.get(concept, []))
    return sorted(found)


async def scope_for(
    db: Graph, catalogs: CatalogCache, catalog: Catalog, request: RecommendationRequest, candidates: list[str]
) -> set[str]:
    """The questions whose attempts judge the student: the filter scope of the requested units."""
    if request.scope_units is not None:
        return set(await candidates_for(db, catalogs, catalog, request.scope_units, []))
    if not request.units:
        return set(candidates)
    scope_units = sorted({s for u in request.units for s in catalog.units[u]})
    if scope_units == sorted(set(request.units)):
        return (
            set(candidates)
            if not request.concepts
            else set(await catalogs.resolve(db, catalog.version, scope_units))
        )
    return set(await catalogs.resolve(db, catalog.version, [u for u in scope_units if u in catalog.units]))


def score(
    side: QuestionSide | None,
    student: Student,
    scope: set[str] | None,
    question_ids: list[str],
    catalog: Catalog,
) -> Scored:
    """P(correct) of every candidate from the live fit (tag difficulty when there is no model)."""
    rows = student.history_rows(scope)
    if side is None:
        tags = [catalog.questions[q].difficulty_tag for q in question_ids]
        p = np.array([TAG_P.get(t or 3, 0.55) for t in tags])
        return Scored(question_ids, p, np.zeros(len(question_ids), dtype=bool), None, len(rows))
    index = side.index
    unknown = {q for q in question_ids if q not in index}
    meta = {
        q: {
            "text": catalog.questions[q].text,
            "concept_ids": list(catalog.questions[q].concept_ids),
            "difficulty_tag": catalog.questions[q].difficulty_tag,
        }
        for q in unknown
    }
    p = predict(side, History.from_rows(rows), question_ids, question_meta=meta)
    known = np.array([q not in unknown for q in question_ids])
    return Scored(question_ids, p, known, side.model_id, len(rows))


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
    views = student.concept_views(catalog, now, scheduler)
    blocked = student.rejected | set(request.context.exclude) | student.recent(now, settings.recent_hours)
    ids = scored.question_ids
    metas = [catalog.questions[q] for q in ids]
    keep = shortlist(
        ids,
        scored.p,
        scored.known,
        [m.difficulty_tag for m in metas],
        [m.concept_ids for m in metas],
        views,
        blocked,
        now,
        settings,
        request.n,
        _TIEBREAKS,
    )
    if len(_TIEBREAKS) > 1_000_000:
        _TIEBREAKS.clear()
    candidates = [
        Candidate(
            question_id=ids[i],
            concepts=metas[i].concept_ids,
            p_correct=float(scored.p[i]),
            difficulty_tag=metas[i].difficulty_tag,
            known_to_model=bool(scored.known[i]),
            last_attempt=last.get(ids[i]),
        )
        for i in keep.tolist()
    ]
    return MixInput(
        candidates=candidates,
        concepts=views,
        streak=student.streak(now, overrides.get("daily_goal_scale") or 1.0),
        now=now,
        attempts_in_scope=scored.attempts_in_scope,
        blocked=blocked,
    )


async def record(db: Graph, request: RecommendationRequest, out: RecommendationOut) -> None:
    await db.write(
        "rec_record",
        id=out.id,
        user_id=out.user_id,
        arm=out.arm,
        experiment_arms=json.dumps(out.experiments),
        model_version=out.model_version,
        served_at=out.served_at,
        items=json.dumps([i.model_dump() for i in out.items]),
        request=request.model_dump_json(exclude={"overrides"}),
        question_ids=[i.question_id for i in out.items],
    )


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
