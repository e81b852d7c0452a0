"""Request and response models of the recommendation routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from learner_graph.fields import Id, Input, Time
from learner_graph.mixer.settings import Overrides


class Context(Input):
    session_id: Id | None = None
    now: Time | None = None
    exclude: list[Id] = Field(default_factory=list, max_length=500)


class RecommendationRequest(Input):
    user_id: Id
    units: list[Id] = Field(default_factory=list, max_length=100)
    concepts: list[Id] = Field(default_factory=list, max_length=100)
    scope_units: list[Id] | None = Field(default=None, max_length=100)
    n: int = Field(default=10, ge=1, le=50)
    seed: int = 0
    context: Context = Field(default_factory=Context)
    overrides: Overrides | None = None

    @model_validator(mode="after")
    def _units_or_concepts(self) -> RecommendationRequest:
        if not self.units and not self.concepts:
            raise ValueError("give units or concepts (at least one)")
        return self


class ExplanationOut(BaseModel):
    reasons: list[str]
    factors: dict[str, float]
    confidence: float


class QuestionInline(BaseModel):
    """What a learner app shows for a recommended question (`?include=question`); never the answer."""

    id: str
    text: str
    difficulty_tag: int | None
    concepts: list[str]


class ItemOut(BaseModel):
    question_id: str
    kind: Literal["next", "review", "streak"]
    p_correct: float
    concepts: list[str]
    explanation: ExplanationOut
    fallback: str | None = None
    question: QuestionInline | None = Field(
        default=None, description="the question's text and metadata, with `?include=question`"
    )


class RecommendationOut(BaseModel):
    id: str
    user_id: str
    arm: str | None
    experiments: dict[str, str] = Field(default_factory=dict)
    model_version: str | None
    served_at: datetime
    items: list[ItemOut]
    timing_ms: dict[str, float] = Field(default_factory=dict)


class FeedbackIn(Input):
    question_id: Id
    action: Literal["shown", "clicked", "skipped", "dismissed"]
    reason: Literal["too_easy", "too_hard", "not_relevant", "broken"] | None = None
    at: Time | None = None

    @model_validator(mode="after")
    def _reason_with_dismissal(self) -> FeedbackIn:
        if self.action == "dismissed" and self.reason is None:
            raise ValueError("a dismissal needs a reason: too_easy, too_hard, not_relevant or broken")
        return self


class PredictionOut(BaseModel):
    user_id: str
    model_version: str | None
    attempts_in_scope: int
    predictions: list[dict[str, Any]]
