"""Review state per (student, concept): FSRS scheduling, implicit credit and the mastery level.

Mastery of a concept is `evidence × retrievability`:
- evidence is the posterior mean of a Beta(1, 1) prior updated with exponentially decayed,
  ASSESSES-weighted wins and fails on the concept (recent answers count most);
- retrievability is FSRS's probability that the student still recalls the concept now.
A concept is *mastered* when its level is at least `mastery.MASTERED` (0.7): e.g. four correct
answers in a row, practised recently enough that FSRS has not let it fade.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from fsrs import Card, Rating, Scheduler, State

EVIDENCE_DECAY = 0.85  # weight left to older answers each time the concept is answered again
IMPLICIT_DISCOUNT = 0.5  # implicit credit halves with each prerequisite level
IMPLICIT_DEPTH = 3  # how many levels down it flows: the three levels `attempts_write` reads
IMPLICIT_MAX_EDGES = 2_000  # prerequisite edges one concept's implicit credit may read, per level


@lru_cache(maxsize=8)
def make_scheduler(desired_retention: float = 0.9) -> Scheduler:
    """FSRS with day-scale scheduling: concepts skip the minute-long learning steps of flashcards.

    One per retention per process: a scheduler is never changed after it is built.
    """
    return Scheduler(
        desired_retention=desired_retention, learning_steps=(), relearning_steps=(), enable_fuzzing=False
    )


@dataclass(frozen=True)
class MemoryState:
    """What a (:Memory) node stores; `stability is None` means never reviewed."""

    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    wins: float = 0.0
    fails: float = 0.0
    last_time_ms: int | None = None

    @property
    def evidence(self) -> float:
        return (self.wins + 1.0) / (self.wins + self.fails + 2.0)

    def retrievability(self, now: datetime, scheduler: Scheduler) -> float:
        if self.stability is None or self.last_review is None:
            return 0.0
        return float(scheduler.get_card_retrievability(self._card(), now))

    def level(self, now: datetime, scheduler: Scheduler) -> float:
        """Mastery now, in [0, 1]."""
        return self.evidence * self.retrievability(now, scheduler)

    def _card(self) -> Card:
        return Card(
            card_id=0,
            state=State.Review if self.stability is not None else State.Learning,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )

    def to_props(self) -> dict[str, Any]:
        props = {name: getattr(self, name) for name in _FIELDS}  # asdict deep-copies: 4x slower
        props["mastery"] = self.evidence  # skill evidence at the last practice, for analytics
        return props

    def to_row(self) -> dict[str, Any]:
        """`memory_write`'s row: the plain properties in `state`, the two times as ISO strings
        (the query makes them datetimes; the driver's datetime encoding is slow in Python)."""
        state = self.to_props()
        due, last_review = state.pop("due"), state.pop("last_review")
        return {
            "state": state,
            "due": due.isoformat() if due else None,
            "last_review": last_review.isoformat() if last_review else None,
        }

    @classmethod
    def from_props(cls, props: dict[str, Any] | None) -> MemoryState:
        if not props:
            return cls()
        fields: dict[str, Any] = {k: props[k] for k in _FIELDS if props.get(k) is not None}
        for key in ("due", "last_review"):
            if isinstance(fields.get(key), str):  # `attempts_write` sends ISO strings (cheaper)
                fields[key] = datetime.fromisoformat(fields[key]).astimezone(UTC)
            elif hasattr(fields.get(key), "to_native"):
                # fsrs wants tzinfo to be datetime.UTC itself; the driver gives a fixed +00:00 offset,
                # which failed review_card whenever a stored review was later than a new attempt.
                fields[key] = fields[key].to_native().astimezone(UTC)
        return cls(**fields)


_FIELDS = tuple(MemoryState.__dataclass_fields__)

# `attempts_write`'s state row after its node id and concept id: lists, not maps, so Neo4j packs no
# key names; the two times as ISO strings.
STATE_ROW = (
    "stability", "difficulty", "reps", "lapses", "wins", "fails", "last_time_ms", "due", "last_review",
)  # fmt: skip


def state_of_row(values: list[Any]) -> MemoryState:
    """A `MemoryState` from `attempts_write`'s state row (`STATE_ROW` order; a null keeps its default)."""
    fields: dict[str, Any] = {k: v for k, v in zip(STATE_ROW, values, strict=True) if v is not None}
    for key in ("due", "last_review"):
        if key in fields:
            fields[key] = datetime.fromisoformat(fields[key]).astimezone(UTC)
    return MemoryState(**fields)


def review(
    state: MemoryState,
    *,
    correct: bool,
    at: datetime,
    weight: float,
    scheduler: Scheduler,
    time_ms: int | None = None,
) -> MemoryState:
    """An explicit answer: FSRS review (correct is Good, wrong is Again) plus weighted evidence."""
    when = max(at, state.last_review) if state.last_review else at
    stability, difficulty, due = fsrs_review(state, Rating.Good if correct else Rating.Again, when, scheduler)
    return MemoryState(
        stability,
        difficulty,
        due,
        when,
        state.reps + 1,
        state.lapses + (0 if correct else 1),
        state.wins * EVIDENCE_DECAY + (weight if correct else 0.0),
        state.fails * EVIDENCE_DECAY + (0.0 if correct else weight),
        time_ms if time_ms is not None else state.last_time_ms,
    )


def fsrs_review(
    state: MemoryState, rating: Rating, when: datetime, scheduler: Scheduler
) -> tuple[float, float, datetime]:
    """(stability, difficulty, due) after `scheduler.review_card` of the state's card at `when`.

    The same arithmetic as py-fsrs's `review_card` for the cards we keep (no learning or relearning
    steps, no fuzzing, so a reviewed card is always in Review), through the scheduler's own
    formulas, without copying a card and writing a review log: a batch of attempts makes about
    five reviews each, and `review_card` was half the write path's Python time. Checked equal to
    `review_card` on generated histories (tests/unit/learners/test_fsrs_step.py).
    """
    if state.stability is None or state.difficulty is None:
        stability = scheduler._initial_stability(rating=rating)
        difficulty = scheduler._initial_difficulty(rating=rating, clamp=True)
    else:
        elapsed = (when - state.last_review).days if state.last_review else None
        if elapsed is not None and elapsed < 1:
            stability = scheduler._short_term_stability(stability=state.stability, rating=rating)
        else:
            recall = 0.0 if elapsed is None else (1 + scheduler._FACTOR * elapsed / state.stability) ** scheduler._DECAY  # noqa: E501 - as py-fsrs writes it
            stability = scheduler._next_stability(
                difficulty=state.difficulty, stability=state.stability, retrievability=recall, rating=rating
            )
        difficulty = scheduler._next_difficulty(difficulty=state.difficulty, rating=rating)
    return stability, difficulty, when + timedelta(days=scheduler._next_interval(stability=stability))


def implicit_credit(
    state: MemoryState, *, at: datetime, depth: int, weight: float, scheduler: Scheduler
) -> MemoryState:
    """A correct answer on a concept `depth` levels above this prerequisite.

    Stability moves `IMPLICIT_DISCOUNT ** depth` of the way to what a real Good review would
    give; difficulty, reps and the last review date stay (it was not practised directly).
    """
    factor = weight * IMPLICIT_DISCOUNT**depth
    when = max(at, state.last_review) if state.last_review else at
    good_stability, good_difficulty, _ = fsrs_review(state, Rating.Good, when, scheduler)
    difficulty: float | None
    if state.stability is None:
        stability, last_review, difficulty = good_stability * factor, when, good_difficulty
    else:
        stability = state.stability + factor * max(0.0, good_stability - state.stability)
        last_review, difficulty = state.last_review or when, state.difficulty
    return replace(
        state,
        stability=stability,
        difficulty=difficulty,
        last_review=last_review,
        due=last_review + interval(stability, scheduler),
        wins=state.wins + factor,
    )


def shortest_depths(levels: list[list[str]], concept: str) -> list[tuple[str, int]]:
    """Each prerequisite of `concept` with its fewest levels down, from the concept ids read at
    each level (`levels[0]`: the direct prerequisites), in the order first reached."""
    depths: dict[str, int] = {}
    for depth, ids in enumerate(levels, start=1):
        for prerequisite in ids:
            if prerequisite != concept:
                depths.setdefault(prerequisite, depth)
    return list(depths.items())


def interval(stability: float, scheduler: Scheduler) -> timedelta:
    """Whole days until retrievability falls to the desired retention (at least one, as FSRS)."""
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    days = stability / factor * (scheduler.desired_retention ** (1 / decay) - 1)
    return timedelta(days=max(1, round(days)))
