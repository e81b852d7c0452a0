"""A recommendation's life, top to bottom: student, candidates, scope, settings, score, mix, record.

`recommend` runs the steps in order and times them; each step is a function of keyword
arguments below it, in the same order. Only `student`, `candidates`, `scope`, `assign` and
`record` touch storage; the rest are pure. `predictions` reuses the first steps and `score`.
Stateless across replicas: everything a step keeps between requests is in the caches it is given.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, cast

import numpy as np

from learner_graph.api_keys import DEFAULT_APP
from learner_graph.db.graph import Graph
from learner_graph.errors import NotFound
from learner_graph.experiments.hot import HotCache
from learner_graph.experiments.models import Assignment
from learner_graph.experiments.service import assign_and_expose
from learner_graph.learners.activity import SetGoal
from learner_graph.learners.memory import make_scheduler
from learner_graph.mixer.mix import mix as mix_picks
from learner_graph.mixer.models import Candidate, MixInput, Pick
from learner_graph.mixer.order import UNTAGGED_P, tiebreaks
from learner_graph.mixer.settings import MixSettings, merge, with_target_offset
from learner_graph.model import History, QuestionSide, predict, predict_rows
from learner_graph.model.store import ModelStore
from learner_graph.recommendations.catalog import Catalog, CatalogCache
from learner_graph.recommendations.models import (
    ExplanationOut,
    ItemOut,
    PredictionOut,
    QuestionInline,
    RecommendationOut,
    RecommendationRequest,
)
from learner_graph.recommendations.pinned import PinnedModels
from learner_graph.recommendations.recorder import Recorder
from learner_graph.recommendations.shortlist import shortlist
from learner_graph.recommendations.states import LearnerStates, read_student
from learner_graph.recommendations.student import Student
from learner_graph.timeutil import as_utc


@dataclass(frozen=True)
class Scored:
    rows: np.ndarray  # question rows of the catalog's table
    p: np.ndarray
    known: np.ndarray  # bool per question: the model has a trained vector for it
    model_version: str | None
    attempts_in_scope: int


async def recommend(
    *,
    db: Graph,
    catalogs: CatalogCache,
    models: ModelStore,
    pinned: PinnedModels,
    experiments: HotCache | None,
    request: RecommendationRequest,
    service: Mapping[str, Any] | None = None,
    recorder: Recorder | None = None,
    now: datetime | None = None,
    app: str = DEFAULT_APP,
    include_question: bool = False,
    states: LearnerStates | None = None,
) -> RecommendationOut:
    """What `request.user_id` should practise next. Raises NotFound for unknown units or concepts.

    `service` holds the service's settings (e.g. review retention); `experiments` is the process's
    experiment cache (None: serve without experiments); `recorder` groups concurrent commits.
    `now` is the server's clock unless the request's `context.now` is set (the route admits that
    from admin keys only). `app` is the learner's app: its experiments apply, and a learner not
    stored yet is created in it. `include_question` puts each question's text and metadata in
    its item (not stored: the catalog has them). `states` keeps learners' states between their
    requests (None: read every time).
    """
    started = time.perf_counter()
    timing: dict[str, float] = {}
    now = as_utc(request.context.now or now or datetime.now(UTC))

    learner, catalog = await student(db=db, catalogs=catalogs, user_id=request.user_id,
                                     knows=[*request.units, *request.concepts], states=states)
    rows = await candidates(db=db, catalogs=catalogs, catalog=catalog, units=request.units,
                            concepts=request.concepts)
    scope_rows = await scope(db=db, catalogs=catalogs, catalog=catalog, request=request, candidate_rows=rows)
    timing["fetch"] = elapsed_ms(started)

    assignments = await assign(db=db, experiments=experiments, request=request, now=now, app=app)
    chosen = settings(request=request, service=service, assignments=assignments, learner=learner)

    mark = time.perf_counter()
    side = await model(db=db, models=models, pinned=pinned, version=chosen.model_version)
    scored = score(side=side, learner=learner, scope_rows=scope_rows, rows=rows, catalog=catalog)
    timing["predict"] = elapsed_ms(mark)

    mark = time.perf_counter()
    data = mix_input(scored=scored, learner=learner, catalog=catalog, request=request, now=now,
                     settings=chosen)
    picks = mix_picks(data, chosen, request.n)
    timing["mix"] = elapsed_ms(mark)

    out = response(request=request, assignments=assignments, scored=scored, picks=picks, now=now)
    mark = time.perf_counter()
    await record(db=db, request=request, out=out, recorder=recorder, goal=learner.goal_to_store, app=app)
    timing["record"] = elapsed_ms(mark)
    if include_question:
        with_questions(out=out, catalog=catalog)
    timing["total"] = elapsed_ms(started)
    out.timing_ms = timing
    return out


async def student(
    *, db: Graph, catalogs: CatalogCache, user_id: str, knows: list[str], states: LearnerStates | None = None
) -> tuple[Student, Catalog]:
    """The student's state and the content version (one round trip, or none when `states` kept
    them), and that version's catalog."""
    read = await states.read(db, user_id) if states is not None else await read_student(db, user_id)
    if read.student is None:  # served but never stored would be a lie: the learner was deleted for good
        raise NotFound(f"unknown user {user_id!r}", [{"field": "user_id", "message": "deleted learner"}])
    catalog = await catalogs.get(db, read.content_version, knows=knows)
    return read.student, catalog


async def candidates(
    *, db: Graph, catalogs: CatalogCache, catalog: Catalog, units: list[str], concepts: list[str]
) -> np.ndarray:
    """Question rows under the units and assessing the concepts; NotFound naming every unknown one."""
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


async def scope(
    *,
    db: Graph,
    catalogs: CatalogCache,
    catalog: Catalog,
    request: RecommendationRequest,
    candidate_rows: np.ndarray,
) -> np.ndarray:
    """The question rows whose attempts judge the student: the filter scope of the requested units."""
    if request.scope_units is not None:
        return await candidates(db=db, catalogs=catalogs, catalog=catalog, units=request.scope_units,
                                concepts=[])
    if not request.units:
        return candidate_rows
    scope_units = sorted({s for u in request.units for s in catalog.units[u]})
    if scope_units == sorted(set(request.units)):
        if request.concepts:
            return await catalogs.resolve_rows(db, catalog, scope_units)
        return candidate_rows
    return await catalogs.resolve_rows(db, catalog, [u for u in scope_units if u in catalog.units])


async def assign(
    *,
    db: Graph,
    experiments: HotCache | None,
    request: RecommendationRequest,
    now: datetime,
    app: str = DEFAULT_APP,
) -> list[Assignment]:
    """The student's arm in every running experiment in scope (exposures recorded); none without a cache."""
    if experiments is None:
        return []
    return await assign_and_expose(
        db=db, user_id=request.user_id, units=request.units, now=now, hot=experiments, app=app
    )


def settings(
    *,
    request: RecommendationRequest,
    service: Mapping[str, Any] | None,
    assignments: list[Assignment],
    learner: Student,
) -> MixSettings:
    """Defaults → service settings → experiment arms → admin override, then the student's own target."""
    admin = request.overrides.model_dump(exclude_none=True) if request.overrides is not None else None
    merged = merge(service=service, arms=[a.overrides for a in assignments], admin=admin, seed=request.seed)
    return with_target_offset(merged, learner.target_offset)


async def model(
    *, db: Graph, models: ModelStore, pinned: PinnedModels, version: str | None
) -> QuestionSide | None:
    """The question side to score with: the pinned `version`, else the active one (None: no model yet)."""
    return await pinned.get(db, version) if version else await models.current(db)


def score(
    *,
    side: QuestionSide | None,
    learner: Student,
    scope_rows: np.ndarray | None,
    rows: np.ndarray,
    catalog: Catalog,
) -> Scored:
    """P(correct) of every candidate row from the live fit (tag difficulty when there is no model)."""
    history = learner.history_rows(in_rows(catalog, scope_rows))
    if side is None:
        tag_p = catalog.table.tag_p[rows]
        p = np.where(np.isnan(tag_p), UNTAGGED_P, tag_p)
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


def mix_input(
    *,
    scored: Scored,
    learner: Student,
    catalog: Catalog,
    request: RecommendationRequest,
    now: datetime,
    settings: MixSettings,
) -> MixInput:
    """What the mixer ranks: the shortlisted candidates, the concept states, the streak, what is blocked."""
    scheduler = make_scheduler(settings.review_retention)
    last = learner.last_attempts()
    views = learner.concept_views(catalog, now, scheduler, concept_p(catalog, scored),
                                  reached=settings.target_p)
    blocked = learner.rejected | set(request.context.exclude) | learner.recent(now, settings.recent_hours)
    table = catalog.table
    tb = tiebreaks(settings.seed, table.hashes[scored.rows])  # once, for the shortlist and the mixer
    keep = shortlist(table, scored.rows, scored.p, scored.known, tb, views, blocked, now, settings, request.n)
    shortlisted = []
    ids, questions = table.ids, catalog.questions
    for row, p, known, order in zip(
        scored.rows[keep].tolist(), scored.p[keep].tolist(), scored.known[keep].tolist(), tb[keep].tolist(),
        strict=True,
    ):
        question_id = ids[row]
        meta = questions[question_id]
        shortlisted.append(
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
        candidates=shortlisted,
        concepts=views,
        streak=learner.streak(now, settings.daily_goal_scale),
        now=now,
        attempts_in_scope=scored.attempts_in_scope,
        blocked=blocked,
    )


def concept_p(catalog: Catalog, scored: Scored) -> dict[str, float]:
    """The mean predicted P(correct) over each concept's scored questions (what readiness reads)."""
    table = catalog.table
    at = np.full(len(table.ids), np.nan)
    at[scored.rows] = scored.p
    p = at[table.pair_row]
    keep = ~np.isnan(p)
    columns = table.pair_concept[keep]
    total = np.bincount(columns, weights=p[keep], minlength=len(table.concept_ids))
    count = np.bincount(columns, minlength=len(table.concept_ids))
    return {table.concept_ids[k]: float(total[k] / count[k]) for k in np.flatnonzero(count).tolist()}


def response(
    *,
    request: RecommendationRequest,
    assignments: list[Assignment],
    scored: Scored,
    picks: list[Pick],
    now: datetime,
    recommendation_id: str | None = None,
) -> RecommendationOut:
    """The served recommendation: a new id, the arms, the model version and the explained items."""
    arms = {a.experiment_key: a.arm for a in assignments}
    return RecommendationOut(
        id=recommendation_id or "rec_" + uuid.uuid4().hex,
        user_id=request.user_id,
        arm=",".join(f"{k}:{v}" for k, v in sorted(arms.items())) or None,
        experiments=arms,
        model_version=scored.model_version,
        served_at=now,
        items=[
            ItemOut(
                question_id=p.question_id,
                kind=p.kind,
                p_correct=round(p.p_correct, 4),
                concepts=list(p.concepts),
                explanation=ExplanationOut(**asdict(p.explanation)),
                fallback=p.fallback,
            )
            for p in picks
        ],
    )


def with_questions(*, out: RecommendationOut, catalog: Catalog) -> None:
    """Each item's question inline (text, difficulty tag, concepts), so an app needs no second call."""
    for item in out.items:
        meta = catalog.questions[item.question_id]
        item.question = QuestionInline(
            id=item.question_id, text=meta.text, difficulty_tag=meta.difficulty_tag,
            concepts=list(meta.concept_ids),
        )


def record_row(
    *,
    request: RecommendationRequest,
    out: RecommendationOut,
    goal: SetGoal | None = None,
    app: str = DEFAULT_APP,
) -> dict[str, Any]:
    """The `rec_record_batch` row of a served recommendation; `goal`: the daily goal it showed,
    to fix on the learner for their day when it was not fixed yet; `app`: where a new learner is
    created."""
    return {
        "goal_day": goal.day.isoformat() if goal else None,
        "goal_base": goal.base if goal else None,
        "id": out.id,
        "user_id": out.user_id,
        "app": app,
        "arm": out.arm,
        "experiment_arms": json.dumps(out.experiments),
        "model_version": out.model_version,
        "served_at": out.served_at,
        "items": json.dumps([i.model_dump() for i in out.items]),
        "request": request.model_dump_json(exclude={"overrides"}),
        "question_ids": [i.question_id for i in out.items],
    }


async def record(
    *,
    db: Graph,
    request: RecommendationRequest,
    out: RecommendationOut,
    recorder: Recorder | None = None,
    goal: SetGoal | None = None,
    app: str = DEFAULT_APP,
) -> None:
    """Store the recommendation; with a `recorder`, in a group commit shared with concurrent requests."""
    row = record_row(request=request, out=out, goal=goal, app=app)
    if recorder is None:
        await db.write_plain("rec_record_batch", rows=[row])
    else:
        await recorder.write(db, row)
    # No version bump for the day's goal stored here: a state kept from before it computes the same
    # goal from the same attempts and day, and storing it again changes nothing (`rec_record_batch`).


async def predictions(
    *,
    db: Graph,
    catalogs: CatalogCache,
    models: ModelStore,
    user_id: str,
    units: list[str],
    questions: list[str],
) -> PredictionOut:
    """P(correct) for the questions of `units` and the listed `questions`.

    With units, the student is judged on attempts inside them; with questions only, on every attempt.
    """
    learner, catalog = await student(db=db, catalogs=catalogs, user_id=user_id, knows=[*units, *questions])
    unknown = [q for q in questions if q not in catalog.questions]
    if unknown:
        raise NotFound(
            f"unknown questions: {', '.join(unknown)}",
            [{"field": "questions", "message": f"unknown {q!r}"} for q in unknown],
        )
    rows = await candidates(db=db, catalogs=catalogs, catalog=catalog, units=units, concepts=[])
    rows = np.union1d(rows, catalog.table.rows(questions))
    scope_rows = await catalogs.resolve_rows(db, catalog, units) if units else None
    side = await models.current(db)
    scored = score(side=side, learner=learner, scope_rows=scope_rows, rows=rows, catalog=catalog)
    ids = catalog.table.ids
    return PredictionOut(
        user_id=user_id,
        model_version=scored.model_version,
        attempts_in_scope=scored.attempts_in_scope,
        predictions=[
            {"question_id": ids[r], "p_correct": round(float(p), 4), "cold_start": not bool(k)}
            for r, p, k in zip(scored.rows.tolist(), scored.p, scored.known, strict=True)
        ],
    )


def elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
