"""Step 8 of a recommendation, pure: the served response, its questions inline, and its stored row.

`pipeline.recommend` builds the response from the mixer's picks, stores `record_row` (through the
`Recorder`'s group commit) and, when asked, puts each question inline after storing (the stored
row never holds question text: the catalog has it).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from learner_graph.api_keys import DEFAULT_APP
from learner_graph.experiments.models import Assignment
from learner_graph.learners.activity import SetGoal
from learner_graph.mixer.models import Pick
from learner_graph.recommendations.catalog import Catalog
from learner_graph.recommendations.models import (
    ExplanationOut,
    ItemOut,
    QuestionInline,
    RecommendationOut,
    RecommendationRequest,
)
from learner_graph.recommendations.scoring import Scored


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
                explanation=ExplanationOut(  # fields, not `asdict`: its deep copy cost more than the model
                    reasons=p.explanation.reasons, factors=p.explanation.factors,
                    confidence=p.explanation.confidence,
                ),
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
    created. Only plain values: `served_at` is an ISO string, stored as a datetime by the query."""
    return {
        "goal_day": goal.day.isoformat() if goal else None,
        "goal_base": goal.base if goal else None,
        "id": out.id,
        "user_id": out.user_id,
        "app": app,
        "arm": out.arm,
        "experiment_arms": json.dumps(out.experiments),
        "model_version": out.model_version,
        "served_at": out.served_at.isoformat(),  # an ISO string: the driver encodes a datetime in ~0.3 ms
        "items": json.dumps([i.model_dump() for i in out.items]),
        "request": request.model_dump_json(exclude={"overrides"}),
        "question_ids": [i.question_id for i in out.items],
        # what the trainer's served calibration reads: the answers to these are to next-best items
        "next_ids": [i.question_id for i in out.items if i.kind == "next"],
    }

