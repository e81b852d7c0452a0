"""Checks of what an attempt refers to beyond its question (which the write transaction checks)."""

from __future__ import annotations

from learner_graph.db.graph import Graph
from learner_graph.errors import Invalid
from learner_graph.learners.models import AttemptIn


async def check_recommendations(*, db: Graph, attempts: list[AttemptIn]) -> None:
    """Each `recommendation_id` must name a stored recommendation served to the same learner."""
    named = sorted({a.recommendation_id for a in attempts if a.recommendation_id})
    if not named:
        return
    owners = {r["id"]: r["user_id"] for r in await db.read("rec_owners", ids=named)}
    problems = []
    for i, a in enumerate(attempts):
        if a.recommendation_id is None:
            continue
        owner = owners.get(a.recommendation_id)
        if owner != a.user_id:
            problem = (
                "unknown recommendation" if owner is None else "a recommendation served to another learner"
            )
            field = f"attempts[{i}].recommendation_id"
            problems.append({"field": field, "message": f"{problem} {a.recommendation_id!r}"})
    if problems:
        raise Invalid("attempts name recommendations that do not exist", problems)
