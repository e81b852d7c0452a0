"""A recommendation's life, top to bottom: student, candidates, scope, settings, score, mix, record.

`recommend` runs the steps in order and times them. The steps that touch storage (`student`,
`candidates`, `scope`, `assign`, `model`, `record`) and the settings merge are functions of keyword
arguments below it, in the same order; the pure ones live beside it: `scoring` (score the
candidates, build the mixer's input), `mixer.mix` (rank), `served` (the response and its stored
row). `predictions` reuses the first steps and `score`.
Stateless across replicas: everything a step keeps between requests is in the caches it is given.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import numpy as np

from learner_graph.api_keys import DEFAULT_APP, ApiKey
from learner_graph.db.graph import Graph, Unlogged
from learner_graph.errors import NotFound
from learner_graph.experiments.hot import HotCache
from learner_graph.experiments.models import Assignment
from learner_graph.experiments.service import assign_and_expose
from learner_graph.learners.activity import SetGoal
from learner_graph.learners.tenancy import admit
from learner_graph.mixer.mix import mix as mix_picks
from learner_graph.mixer.settings import MixSettings, merge, with_target_offset
from learner_graph.model import QuestionSide
from learner_graph.model.store import ModelStore
from learner_graph.recommendations.catalog import Catalog, CatalogCache
from learner_graph.recommendations.models import PredictionOut, RecommendationOut, RecommendationRequest
from learner_graph.recommendations.pinned import PinnedModels
from learner_graph.recommendations.recorder import Recorder
from learner_graph.recommendations.scoring import mix_input, score
from learner_graph.recommendations.served import record_row, response, with_questions
from learner_graph.recommendations.states import LearnerStates, read_student
from learner_graph.recommendations.student import Student
from learner_graph.timeutil import as_utc


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
    caller: ApiKey | None = None,
    tokens: tuple[str, ...] | None = None,
) -> RecommendationOut:
    """What `request.user_id` should practise next. Raises NotFound for unknown units or concepts.

    `service` holds the service's settings (e.g. review retention); `experiments` is the process's
    experiment cache (None: serve without experiments); `recorder` groups concurrent commits.
    `now` is the server's clock unless the request's `context.now` is set (the route admits that
    from admin keys only). `app` is the learner's app: its experiments apply, and a learner not
    stored yet is created in it. `include_question` puts each question's text and metadata in
    its item (not stored: the catalog has them). `states` keeps learners' states between their
    requests (None: read every time). With `caller` (the API key asking), the learner's app is
    checked and decided from the stored learner read with the state (`tenancy.admit`), and `app`
    is ignored. `tokens`: the learner's and the content's version tokens, read by the caller
    just before (`states` reads them otherwise).
    """
    started = time.perf_counter()
    timing: dict[str, float] = {}
    now = as_utc(request.context.now or now or datetime.now(UTC))

    learner, catalog = await student(db=db, catalogs=catalogs, user_id=request.user_id,
                                     knows=[*request.units, *request.concepts], states=states, caller=caller,
                                     tokens=tokens)
    if caller is not None:
        app = admit(caller, request.user_id, learner.app)
    rows = await candidates(db=db, catalogs=catalogs, catalog=catalog, units=request.units,
                            concepts=request.concepts)
    scope_rows = await scope(db=db, catalogs=catalogs, catalog=catalog, request=request, candidate_rows=rows)
    timing["fetch"] = elapsed_ms(started)

    assignments = await assign(db=db, experiments=experiments, request=request, now=now, app=app)
    chosen = settings(request=request, service=service, assignments=assignments, learner=learner)

    mark = time.perf_counter()
    side = await model(db=db, models=models, pinned=pinned, version=chosen.model_version)
    scored = score(side=side, learner=learner, scope_rows=scope_rows, rows=rows, catalog=catalog, now=now)
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
    *, db: Graph, catalogs: CatalogCache, user_id: str, knows: list[str], states: LearnerStates | None = None,
    caller: ApiKey | None = None, tokens: tuple[str, ...] | None = None,
) -> tuple[Student, Catalog]:
    """The student's state and the content version (one round trip, or none when `states` kept
    them), and that version's catalog. With `caller`, NotFound for another app's learner, first."""
    if states is not None:
        read = await states.read(db, user_id, tokens=tokens)
    else:
        read = await read_student(db, user_id)
    if caller is not None:
        admit(caller, user_id, read.student.app if read.student is not None else None)
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
        await db.write_plain("rec_record_batch", rows=Unlogged([row]))
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
    scored = score(side=side, learner=learner, scope_rows=scope_rows, rows=rows, catalog=catalog,
                   now=datetime.now(UTC))
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
