"""Review state per (student, concept): FSRS reviews, weighted evidence, implicit credit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, State

from learner_graph.learners.memory import (
    EVIDENCE_DECAY,
    IMPLICIT_DISCOUNT,
    STATE_ROW,
    MemoryState,
    implicit_credit,
    interval,
    make_scheduler,
    review,
    shortest_depths,
    state_of_row,
)

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
SCHEDULER = make_scheduler(0.9)


def test_evidence_is_the_beta_posterior_mean() -> None:
    assert MemoryState().evidence == 0.5
    assert MemoryState(wins=3.0, fails=1.0).evidence == pytest.approx(4 / 6)


def test_a_never_reviewed_concept_has_no_retrievability() -> None:
    assert MemoryState().retrievability(T0, SCHEDULER) == 0.0
    assert MemoryState(stability=3.0).retrievability(T0, SCHEDULER) == 0.0  # no last review


def test_a_correct_answer_is_a_good_review_with_weighted_evidence() -> None:
    first = review(MemoryState(), correct=True, at=T0, weight=0.5, scheduler=SCHEDULER, time_ms=900)
    card, _ = SCHEDULER.review_card(Card(card_id=0, state=State.Learning), Rating.Good, T0)
    assert (first.stability, first.difficulty, first.due, first.last_review) == (
        card.stability, card.difficulty, card.due, card.last_review,
    )
    assert (first.reps, first.lapses, first.wins, first.fails, first.last_time_ms) == (1, 0, 0.5, 0.0, 900)
    later = T0 + timedelta(days=3)
    second = review(first, correct=False, at=later, weight=1.0, scheduler=SCHEDULER)
    assert (second.reps, second.lapses) == (2, 1)
    assert second.wins == pytest.approx(0.5 * EVIDENCE_DECAY)
    assert second.fails == pytest.approx(1.0)
    assert second.last_time_ms == 900  # kept when the new answer has no time
    assert second.last_review == later
    assert second.stability < first.stability  # Again


def test_an_answer_older_than_the_last_review_is_applied_at_the_last_review() -> None:
    state = review(MemoryState(), correct=True, at=T0, weight=1.0, scheduler=SCHEDULER)
    late = review(state, correct=True, at=T0 - timedelta(days=2), weight=1.0, scheduler=SCHEDULER)
    same = review(state, correct=True, at=T0, weight=1.0, scheduler=SCHEDULER)
    assert late == same


def test_level_is_evidence_times_retrievability() -> None:
    state = review(MemoryState(), correct=True, at=T0, weight=1.0, scheduler=SCHEDULER)
    now = T0 + timedelta(days=2)
    assert state.level(now, SCHEDULER) == pytest.approx(state.evidence * state.retrievability(now, SCHEDULER))
    assert 0 < state.retrievability(now, SCHEDULER) < state.retrievability(T0 + timedelta(hours=1), SCHEDULER)


def test_implicit_credit_on_a_new_prerequisite() -> None:
    credited = implicit_credit(MemoryState(), at=T0, depth=2, weight=1.0, scheduler=SCHEDULER)
    good, _ = SCHEDULER.review_card(Card(card_id=0, state=State.Learning), Rating.Good, T0)
    factor = IMPLICIT_DISCOUNT**2
    assert credited.stability == pytest.approx(good.stability * factor)
    assert (credited.difficulty, credited.last_review, credited.reps) == (good.difficulty, T0, 0)
    assert credited.due == T0 + interval(credited.stability, SCHEDULER)
    assert credited.wins == pytest.approx(factor)


def test_implicit_credit_moves_stability_part_of_the_way_and_keeps_the_rest() -> None:
    state = review(MemoryState(), correct=True, at=T0, weight=1.0, scheduler=SCHEDULER)
    at = T0 + timedelta(days=1)
    credited = implicit_credit(state, at=at, depth=1, weight=0.5, scheduler=SCHEDULER)
    good, _ = SCHEDULER.review_card(state._card(), Rating.Good, at)
    factor = 0.5 * IMPLICIT_DISCOUNT
    assert credited.stability == pytest.approx(state.stability + factor * (good.stability - state.stability))
    assert (credited.difficulty, credited.last_review, credited.reps, credited.lapses) == (
        state.difficulty, state.last_review, state.reps, state.lapses,
    )
    assert credited.wins == pytest.approx(state.wins + factor) and credited.fails == state.fails
    assert credited.due == state.last_review + interval(credited.stability, SCHEDULER)
    deeper = implicit_credit(state, at=at, depth=2, weight=0.5, scheduler=SCHEDULER)
    assert state.stability < deeper.stability < credited.stability


def test_implicit_credit_never_lowers_stability() -> None:
    reviewed = review(MemoryState(), correct=True, at=T0, weight=1.0, scheduler=SCHEDULER)
    strong = replace(reviewed, stability=400.0)
    assert implicit_credit(strong, at=T0, depth=1, weight=1.0, scheduler=SCHEDULER).stability == 400.0


def test_interval_is_whole_days_and_at_least_one() -> None:
    assert interval(0.01, SCHEDULER) == timedelta(days=1)
    ninety = make_scheduler(0.9)
    assert interval(10.0, ninety) == timedelta(days=10)  # at 0.9 retention the interval is the stability
    assert interval(10.0, make_scheduler(0.8)) > interval(10.0, ninety)


def test_props_round_trip_with_the_mastery_for_analytics() -> None:
    state = review(MemoryState(), correct=True, at=T0, weight=1.0, scheduler=SCHEDULER, time_ms=5)
    props = state.to_props()
    assert props["mastery"] == state.evidence
    assert MemoryState.from_props(props) == state
    assert MemoryState.from_props(None) == MemoryState() == MemoryState.from_props({})
    assert MemoryState.from_props({"wins": None, "reps": 2}) == MemoryState(reps=2)


def test_state_rows_of_the_write_path_read_back_as_the_state_stored() -> None:
    state = review(MemoryState(), correct=False, at=T0, weight=0.5, scheduler=SCHEDULER, time_ms=7)
    state = review(state, correct=True, at=T0 + timedelta(days=2), weight=1.0, scheduler=SCHEDULER)
    row = [getattr(state, name) for name in STATE_ROW]
    # attempts_write sends the times as Cypher's toString, which drops zero seconds: 2026-01-07T09:00Z
    row[STATE_ROW.index("due")] = state.due.strftime("%Y-%m-%dT%H:%MZ") if state.due else None
    row[STATE_ROW.index("last_review")] = "2026-01-07T09:00Z"
    back = state_of_row(row)
    assert back == state
    assert back.last_review is not None and back.last_review.tzinfo is UTC  # fsrs refuses other zones
    assert state_of_row([None] * len(STATE_ROW)) == MemoryState()  # a null keeps the default


def test_a_wrong_answer_decays_old_fails_too() -> None:
    state = MemoryState(wins=2.0, fails=2.0, stability=3.0, difficulty=5.0, last_review=T0,
                        due=T0 + timedelta(days=3), reps=2)
    wrong = review(state, correct=False, at=T0 + timedelta(days=1), weight=0.5, scheduler=SCHEDULER)
    assert wrong.wins == pytest.approx(2.0 * EVIDENCE_DECAY)
    assert wrong.fails == pytest.approx(2.0 * EVIDENCE_DECAY + 0.5)


def test_implicit_credit_older_than_the_last_review_counts_at_it() -> None:
    state = review(MemoryState(), correct=True, at=T0, weight=1.0, scheduler=SCHEDULER)
    late = implicit_credit(state, at=T0 - timedelta(days=3), depth=1, weight=1.0, scheduler=SCHEDULER)
    same = implicit_credit(state, at=T0, depth=1, weight=1.0, scheduler=SCHEDULER)
    assert late == same


def test_interval_is_when_retrievability_falls_to_the_desired_retention() -> None:
    for retention in (0.8, 0.9, 0.95):
        scheduler = make_scheduler(retention)
        state = MemoryState(stability=20.0, difficulty=5.0, last_review=T0, due=T0)
        days = interval(20.0, scheduler)
        before = state.retrievability(T0 + days - timedelta(days=1), scheduler)
        after = state.retrievability(T0 + days + timedelta(days=1), scheduler)
        assert before > retention > after, retention


def test_a_reviewed_state_is_scheduled_as_a_review_card() -> None:
    state = review(MemoryState(), correct=True, at=T0, weight=1.0, scheduler=SCHEDULER)
    card = state._card()
    assert (card.state, card.stability, card.difficulty, card.due, card.last_review) == (
        State.Review, state.stability, state.difficulty, state.due, state.last_review,
    )
    assert MemoryState()._card().state == State.Learning


def test_stored_driver_times_come_back_as_utc() -> None:
    from neo4j.time import DateTime

    stored = {"stability": 2.0, "due": DateTime(2026, 1, 8, 9, 0, 0, tzinfo=UTC),
              "last_review": DateTime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)}
    state = MemoryState.from_props(stored)
    assert state.due == datetime(2026, 1, 8, 9, tzinfo=UTC) and state.due.tzinfo is UTC
    assert state.last_review == T0 and state.last_review.tzinfo is UTC


def test_the_write_row_holds_the_plain_properties_and_the_two_times_as_iso_strings() -> None:
    state = review(MemoryState(), correct=True, at=T0, weight=1.0, scheduler=SCHEDULER, time_ms=5)
    assert state.due is not None and state.stability is not None
    assert state.to_row() == {
        "state": {
            "stability": state.stability, "difficulty": state.difficulty, "reps": 1, "lapses": 0,
            "wins": 1.0, "fails": 0.0, "last_time_ms": 5, "mastery": pytest.approx(2 / 3),
        },
        "due": state.due.isoformat(),
        "last_review": "2026-01-05T09:00:00+00:00",
    }
    assert MemoryState().to_row() == {
        "state": {"stability": None, "difficulty": None, "reps": 0, "lapses": 0, "wins": 0.0, "fails": 0.0,
                  "last_time_ms": None, "mastery": 0.5},
        "due": None,
        "last_review": None,
    }


def test_iso_times_come_back_as_utc() -> None:
    state = MemoryState.from_props(
        {"stability": 2.0, "due": "2026-01-08T10:00:00+01:00", "last_review": "2026-01-05T09:00:00+00:00"}
    )
    assert state == MemoryState(stability=2.0, due=datetime(2026, 1, 8, 9, tzinfo=UTC), last_review=T0)
    assert state.due is not None and state.due.tzinfo is UTC
    assert state.last_review is not None and state.last_review.tzinfo is UTC


def test_stored_driver_times_in_another_offset_become_plain_utc_datetimes() -> None:
    from datetime import timezone

    from neo4j.time import DateTime

    plus_one = timezone(timedelta(hours=1))
    state = MemoryState.from_props({"stability": 2.0, "due": DateTime(2026, 1, 8, 10, 0, 0, tzinfo=plus_one),
                                    "last_review": DateTime(2026, 1, 5, 10, 0, 0, tzinfo=plus_one)})
    assert (type(state.due), type(state.last_review)) == (datetime, datetime)
    assert state.due == datetime(2026, 1, 8, 9, tzinfo=UTC) and state.due.tzinfo is UTC
    assert state.last_review == T0 and state.last_review.tzinfo is UTC


def test_shortest_depths_keep_each_prerequisites_first_level() -> None:
    levels = [["b", "c"], ["c", "d", "a"], ["e", "b"]]  # "a" is the concept itself (a cycle)
    assert shortest_depths(levels, "a") == [("b", 1), ("c", 1), ("d", 2), ("e", 3)]
    assert shortest_depths([[], [], []], "a") == []


def test_a_state_row_of_the_wrong_length_is_refused() -> None:
    """A row from another version of `attempts_write` (a field more or fewer) is an error, never a
    state read with its fields shifted."""
    with pytest.raises(ValueError):
        state_of_row([None] * (len(STATE_ROW) - 1))
    with pytest.raises(ValueError):
        state_of_row([None] * (len(STATE_ROW) + 1))
