"""Reading back what was served, and the learner's feedback on it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from learner_graph.db.graph import Graph
from learner_graph.errors import Invalid, NotFound
from learner_graph.mixer.settings import MAX_TARGET_OFFSET
from learner_graph.recommendations.models import FeedbackIn, RecommendationOut

TARGET_STEP = 0.05  # how far one too_easy / too_hard moves the student's target P
TARGETED = "next"  # the one stream the target P chooses for: only its dismissals move the target
BROKEN_REPORTS = 2  # distinct students before a question is flagged for the content team


def target_step(reason: str | None, kind: str | None) -> float:
    """How far a dismissal moves the learner's target P: `too_easy` lowers it, `too_hard` raises it,
    but only for a next-best item. Review and streak items are chosen by due date and by being easy
    wins, not by the target, so "too easy" on them says nothing about next-best's difficulty."""
    if kind != TARGETED:
        return 0.0
    return {"too_easy": -TARGET_STEP, "too_hard": TARGET_STEP}.get(reason or "", 0.0)


def served_kind(items_json: str | None, question_id: str) -> str | None:
    """The stream (`next`, `review`, `streak`) a stored recommendation served the question from."""
    for item in json.loads(items_json or "[]"):
        if item.get("question_id") == question_id:
            return str(item.get("kind"))
    return None


async def get_recommendation(*, db: Graph, recommendation_id: str) -> RecommendationOut:
    rows = await db.read("rec_get", id=recommendation_id)
    if not rows:
        raise NotFound(f"unknown recommendation {recommendation_id!r}")
    return _recommendation(rows[0]["recommendation"])


async def recent_recommendations(*, db: Graph, user_id: str, limit: int) -> list[RecommendationOut]:
    """A learner's latest recommendations with their explanations, newest first."""
    rows = await db.read("user_recommendations", user_id=user_id, limit=limit)
    return [_recommendation(r["recommendation"]) for r in rows]


def _recommendation(raw: dict[str, Any]) -> RecommendationOut:
    return RecommendationOut(
        id=raw["id"],
        user_id=raw["user_id"],
        arm=raw.get("arm"),
        experiments=json.loads(raw.get("experiment_arms") or "{}"),
        model_version=raw.get("model_version"),
        served_at=raw["served_at"].to_native(),
        items=json.loads(raw["items"]),
    )


async def record_feedback(
    *, db: Graph, recommendation_id: str, feedback: FeedbackIn, now: datetime | None = None
) -> dict[str, Any]:
    """Store feedback once per (recommendation, question, action); dismissals are honoured.

    `too_easy` on a next-best item lowers the student's target P (harder questions), `too_hard`
    raises it (`target_step`); dismissals of review and streak items leave it.
    """
    target = (
        await db.read(
            "rec_feedback_targets", recommendation_id=recommendation_id, question_id=feedback.question_id
        )
    )[0]
    if not target["found"]:
        raise NotFound(f"unknown recommendation {recommendation_id!r}")
    if not target["included"]:
        raise Invalid(
            "that question was not part of this recommendation",
            [{"field": "question_id", "message": f"{feedback.question_id!r} was not recommended here"}],
        )
    step = target_step(feedback.reason, served_kind(target["items"], feedback.question_id))
    rows = await db.write(
        "rec_feedback",
        key=f"{recommendation_id}|{feedback.question_id}|{feedback.action}",
        recommendation_id=recommendation_id,
        question_id=feedback.question_id,
        action=feedback.action,
        reason=feedback.reason,
        at=feedback.at or now or datetime.now(UTC),
        target_step=step,
        max_offset=MAX_TARGET_OFFSET,
    )
    await db.changed(learners=[r["user_id"] for r in rows])
    return {
        "recorded": bool(rows[0]["created"]),
        "target_offset": rows[0]["target_offset"] or 0.0,
    }


async def flags(*, db: Graph, min_reports: int = BROKEN_REPORTS, limit: int = 100) -> list[dict[str, Any]]:
    """Questions reported broken by at least `min_reports` different students."""
    rows = await db.read("content_flags", min_reports=min_reports, limit=limit)
    return [dict(r, last_reported=r["last_reported"].to_native()) for r in rows]


async def resolve_flag(*, db: Graph, question_id: str, author: str, now: datetime) -> dict[str, Any]:
    """Mark a question's broken reports resolved; reports made later raise the flag again."""
    rows = await db.write("flag_resolve", question_id=question_id, now=now, author=author)
    if not rows:
        raise NotFound(f"unknown question {question_id!r}", [{"field": "question_id", "value": question_id}])
    return dict(rows[0], resolved_at=rows[0]["resolved_at"].to_native())
