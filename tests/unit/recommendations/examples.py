"""A four-question catalog, a learner and a request: the fixed inputs of the recommendation step tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from learner_graph.recommendations.catalog import Catalog, ConceptMeta, QuestionMeta
from learner_graph.recommendations.models import RecommendationRequest
from learner_graph.recommendations.student import Student

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def catalog() -> Catalog:
    return Catalog(
        version="1:1",
        questions={
            "q1": QuestionMeta(("add",), 1, "one"),
            "q2": QuestionMeta(("add",), None, "two"),
            "q3": QuestionMeta(("sub",), 5, "three"),
            "q4": QuestionMeta(("add", "sub"), 3, "four"),
        },
        concepts={"add": ConceptMeta("Addition", ()), "sub": ConceptMeta("Subtraction", ("add",))},
        units={"course": ("course",), "part": ("course",)},
    )


def learner(**changes: object) -> Student:
    fields: dict[str, object] = {
        "user_id": "u1",
        "timezone": "UTC",
        "target_offset": 0.0,
        "attempts": [  # newest first
            {"question_id": "q1", "correct": True, "at": NOW - timedelta(hours=1), "time_ms": 1000},
            {"question_id": "q3", "correct": False, "at": NOW - timedelta(days=2), "time_ms": 2000},
        ],
        "memory": {},
        "rejected": {"q2"},
    }
    return Student(**(fields | changes))  # type: ignore[arg-type]


def request(**changes: object) -> RecommendationRequest:
    return RecommendationRequest.model_validate({"user_id": "u1", "units": ["course"], "n": 2} | changes)
