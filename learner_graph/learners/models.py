"""Request and response models of the learner routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Id = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s]+$")]
MAX_BATCH = 1000


def _known_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as 'Europe/Paris')") from None
    return name


TimeZone = Annotated[str, AfterValidator(_known_zone)]


class AttemptIn(BaseModel):
    """One answer to one question. `attempt_id` is the client's idempotency key."""

    model_config = ConfigDict(extra="forbid")

    attempt_id: Id
    user_id: Id
    question_id: Id
    correct: bool
    time_spent_ms: int = Field(ge=0, le=24 * 3600 * 1000)
    response: str | None = Field(default=None, max_length=10_000)
    at: datetime | None = None
    recommendation_id: Id | None = None


class AttemptBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attempts: list[AttemptIn] = Field(min_length=1, max_length=MAX_BATCH)


class AttemptStatus(BaseModel):
    attempt_id: str
    status: Literal["created", "duplicate"]
    mismatch: bool = False  # a replay whose user, question or answer differs from the stored one


class AttemptsRecorded(BaseModel):
    created: int
    duplicates: int
    items: list[AttemptStatus]


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: TimeZone | None = None
    display_name: str | None = Field(default=None, min_length=1, max_length=200)


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
