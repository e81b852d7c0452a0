"""`recommend` and `predictions`: the request's life, step by step, timed."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import numpy as np

from learner_graph.db.graph import Graph
from learner_graph.errors import NotFound
from learner_graph.experiments.hot import HotCache
from learner_graph.experiments.service import assign_and_expose
from learner_graph.mixer.mix import mix
from learner_graph.model.store import ModelStore
from learner_graph.recommendations import service
from learner_graph.recommendations.catalog import CatalogCache
from learner_graph.recommendations.models import PredictionOut, RecommendationOut, RecommendationRequest
from learner_graph.recommendations.pinned import PinnedModels
from learner_graph.recommendations.recorder import Recorder


async def recommend(
    *,
    db: Graph,
    catalogs: CatalogCache,
    models: ModelStore,
    pinned: PinnedModels,
    experiments: HotCache | None,
    request: RecommendationRequest,
    now: datetime | None = None,
    defaults: dict[str, Any] | None = None,
    recorder: Recorder | None = None,
) -> RecommendationOut:
    """Fetch → assign arms → predict → mix → record. Raises NotFound for unknown units/concepts.

    `experiments` is the process's experiment cache; None serves without any experiment.
    """
    started = time.perf_counter()
    timing: dict[str, float] = {}
    now = _utc(request.context.now or now or datetime.now(UTC))
    student, version = await service.load_student(db, request.user_id)
    catalog = await catalogs.get(db, version, knows=[*request.units, *request.concepts])
    candidates = await service.candidates_for(db, catalogs, catalog, request.units, request.concepts)
    scope = await service.scope_for(db, catalogs, catalog, request, candidates)
    timing["fetch"] = service.elapsed_ms(started)

    assignments = (
        await assign_and_expose(db=db, user_id=request.user_id, units=request.units, now=now, hot=experiments)
        if experiments is not None
        else []
    )
    overrides: dict[str, Any] = dict(defaults or {})
    for assignment in assignments:
        overrides.update(assignment.overrides)
    if request.overrides is not None:
        overrides.update(request.overrides.model_dump(exclude_none=True))
    arms = {a.experiment_key: a.arm for a in assignments}

    mark = time.perf_counter()
    pin = overrides.get("model_version")
    side = await pinned.get(db, pin) if pin else await models.current(db)
    scored = service.score(side, student, scope, candidates, catalog)
    timing["predict"] = service.elapsed_ms(mark)

    mark = time.perf_counter()
    settings = service.mix_settings(request, overrides, student)
    data = service.build_input(scored, student, catalog, request, now, settings, overrides)
    picks = mix(data, settings, request.n)
    timing["mix"] = service.elapsed_ms(mark)

    out = RecommendationOut(
        id=service.new_id(),
        user_id=request.user_id,
        arm=",".join(f"{k}:{v}" for k, v in sorted(arms.items())) or None,
        experiments=arms,
        model_version=scored.model_version,
        served_at=now,
        items=service.to_items(picks),
    )
    mark = time.perf_counter()
    await service.record(db, request, out, recorder)
    timing["record"] = service.elapsed_ms(mark)
    timing["total"] = service.elapsed_ms(started)
    out.timing_ms = timing
    return out


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
    student, version = await service.load_student(db, user_id)
    catalog = await catalogs.get(db, version, knows=[*units, *questions])
    unknown = [q for q in questions if q not in catalog.questions]
    if unknown:
        raise NotFound(
            f"unknown questions: {', '.join(unknown)}",
            [{"field": "questions", "message": f"unknown {q!r}"} for q in unknown],
        )
    rows = await service.candidates_for(db, catalogs, catalog, units, [])
    candidates = np.union1d(rows, catalog.table.rows(questions))
    scope = await catalogs.resolve_rows(db, catalog, units) if units else None
    side = await models.current(db)
    scored = service.score(side, student, scope, candidates, catalog)
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


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
