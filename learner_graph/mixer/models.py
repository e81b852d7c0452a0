"""What the mixer takes and gives: candidates with predictions, concept states, picks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple

Kind = Literal["next", "review", "streak"]
KINDS: tuple[Kind, ...] = ("next", "review", "streak")


# Candidate and ConceptView are immutable named tuples, not frozen dataclasses: a recommendation
# builds a few hundred of each, and a frozen dataclass's __init__ cost about five times a tuple's.
class Candidate(NamedTuple):
    """A question the student could be given, with the model's P(correct)."""

    question_id: str
    concepts: tuple[str, ...]
    p_correct: float
    difficulty_tag: int | None = None
    known_to_model: bool = True
    last_attempt: datetime | None = None
    tiebreak: int | None = None  # `order.tiebreak` for this request's seed, when the caller has it


class ConceptView(NamedTuple):
    """The student's state on a concept, as the mixer needs it."""

    concept_id: str
    name: str
    level: float = 0.0
    retrievability: float = 0.0
    due: datetime | None = None
    last_review: datetime | None = None
    ready: bool = False
    mastered: bool = False


@dataclass(frozen=True)
class StreakView:
    current: int
    daily_goal: int
    today: int

    @property
    def goal_met(self) -> bool:
        return self.today >= self.daily_goal


@dataclass(frozen=True)
class Explanation:
    reasons: list[str]
    factors: dict[str, float]
    confidence: float


@dataclass(frozen=True)
class Pick:
    question_id: str
    kind: Kind
    p_correct: float
    concepts: tuple[str, ...]
    explanation: Explanation
    fallback: str | None = None  # which fallback of the next-best ladder found it


@dataclass
class MixInput:
    candidates: list[Candidate]
    concepts: dict[str, ConceptView]
    streak: StreakView
    now: datetime
    attempts_in_scope: int
    blocked: set[str] = field(default_factory=set)  # rejected, excluded or attempted recently
