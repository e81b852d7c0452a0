"""Request and response models of the learner routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, Field

from learner_graph.fields import Id, Input, Name, Text, Time

MAX_BATCH = 1000
ASSUMED_TIME_MS = 0  # what an attempt without `time_spent_ms` adds to practice time (docs/API.md)


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as 'Europe/Paris')") from None
    return name


TimeZone = Annotated[str, AfterValidator(_known_zone)]


class AttemptIn(Input):
    """One answer to one question. `attempt_id` is the client's idempotency key."""

    attempt_id: Id
    user_id: Id
    question_id: Id
    correct: bool
    time_spent_ms: int | None = Field(
        default=None,
        ge=0,
        le=24 * 3600 * 1000,
        description="time on the question; optional: without it the attempt counts as a question "
        "answered but adds no practice minutes",
    )
    response: Text | None = Field(default=None, max_length=10_000)
    at: Time | None = Field(default=None, description="when it was answered (default: when received)")
    recommendation_id: Id | None = Field(
        default=None, description="the recommendation it answers; must exist"
    )


class AttemptBatch(Input):
    attempts: list[AttemptIn] = Field(min_length=1, max_length=MAX_BATCH)


class AttemptOut(BaseModel):
    """A stored attempt, with the names it was sent with."""

    attempt_id: str
    user_id: str
    question_id: str
    correct: bool
    at: datetime
    time_spent_ms: int | None
    response: str | None
    recommendation_id: str | None


class AttemptStatus(BaseModel):
    attempt_id: str
    status: Literal["created", "duplicate"]
    mismatch: bool = False  # a replay whose user, question or answer differs from the stored one


class AttemptsRecorded(BaseModel):
    created: int
    duplicates: int
    items: list[AttemptStatus]


class UserPatch(Input):
    timezone: TimeZone | None = None
    display_name: Name | None = Field(default=None, max_length=200)


class UserOut(BaseModel):
    id: str
    display_name: str | None = None
    timezone: str = "UTC"
    created_at: datetime | None = None


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None = Field(description="pass back as `cursor` for the next page; null at the end")


class ConceptMastery(BaseModel):
    concept_id: str
    name: str | None
    level: float
    mastered: bool
    evidence: float
    retrievability: float
    stability_days: float | None
    next_due: datetime | None
    last_review: datetime | None
    reps: int
    lapses: int


class ReadyConcept(BaseModel):
    concept_id: str
    name: str | None
    level: float


class GapConcept(BaseModel):
    concept_id: str
    name: str | None
    depth: int
    level: float


class DayOut(BaseModel):
    day: date
    questions: int
    minutes: float


class StreakOut(BaseModel):
    user_id: str
    timezone: str
    current: int
    longest: int
    last_active: date | None
    daily_goal: int
    today: DayOut
    goal_met: bool
    recent_days: list[DayOut]
