"""The write path's FSRS step against py-fsrs's own `review_card`: equal on generated histories."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, State

from learner_graph.learners.memory import MemoryState, fsrs_review, implicit_credit, make_scheduler, review


def card_of(state: MemoryState) -> Card:
    return Card(
        card_id=0,
        state=State.Review if state.stability is not None else State.Learning,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due,
        last_review=state.last_review,
    )


@pytest.mark.parametrize("retention", [0.8, 0.9, 0.95])
@pytest.mark.parametrize("seed", range(5))
def test_fsrs_review_equals_review_card(seed: int, retention: float) -> None:
    """Gaps of minutes to months (same-day reviews take FSRS's short-term branch), both ratings,
    answers older than the last review, and states moved by implicit credit in between."""
    scheduler = make_scheduler(retention)
    rng = random.Random(seed)
    at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    state = MemoryState()
    checked = 0
    for _ in range(60):
        at += timedelta(minutes=rng.choice([5, 90, 60 * 20, 60 * 24 * 3, 60 * 24 * 40]))
        when = at - timedelta(days=rng.choice([0, 0, 0, 2]))  # sometimes older than the last review
        when = max(when, state.last_review) if state.last_review else when
        rating = rng.choice([Rating.Good, Rating.Again])
        expected, _ = scheduler.review_card(card_of(state), rating, when)
        got = fsrs_review(state, rating, when, scheduler)
        assert got == (expected.stability, expected.difficulty, expected.due)
        checked += 1
        if rng.random() < 0.3:
            state = implicit_credit(state, at=at, depth=rng.randint(1, 3), weight=1.0, scheduler=scheduler)
        else:
            state = review(state, correct=rating == Rating.Good, at=at, weight=1.0, scheduler=scheduler)
    assert checked == 60 and state.reps > 0


AT = datetime(2026, 1, 5, 9, tzinfo=UTC)


@pytest.mark.parametrize("rating", list(Rating))
@pytest.mark.parametrize(
    "state",
    [
        MemoryState(),
        # Reviewed, but without the date of that review: py-fsrs takes its recall as 0.
        MemoryState(stability=3.0, difficulty=5.0, due=AT),
    ],
    ids=["new", "no_last_review"],
)
def test_fsrs_review_equals_review_card_for_every_rating(state: MemoryState, rating: Rating) -> None:
    """Every rating, not only the Good and Again the write path uses: Easy on a new card takes
    py-fsrs's clamp of the initial difficulty to 1."""
    scheduler = make_scheduler(0.9)
    expected, _ = scheduler.review_card(card_of(state), rating, AT)
    got = fsrs_review(state, rating, AT, scheduler)
    assert got == (expected.stability, expected.difficulty, expected.due)


def test_a_state_without_a_difficulty_is_reviewed_as_a_first_review() -> None:
    scheduler = make_scheduler(0.9)
    half = MemoryState(stability=3.0, due=AT, last_review=AT - timedelta(days=4))
    first = fsrs_review(MemoryState(), Rating.Good, AT, scheduler)
    assert fsrs_review(half, Rating.Good, AT, scheduler) == first
