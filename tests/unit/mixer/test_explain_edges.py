"""Explanations at their edges: the "still learning" reason at five attempts, rounding and caps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from learner_graph.mixer.explain import explain_next
from learner_graph.mixer.models import Candidate, ConceptView, MixInput, StreakView
from learner_graph.mixer.settings import MixSettings

STILL_LEARNING = "We are still learning what you know, so this starts near the middle."


def _reasons(attempts: int) -> list[str]:
    data = MixInput(
        candidates=[],
        concepts={},
        streak=StreakView(current=0, daily_goal=10, today=0),
        now=datetime(2026, 1, 10, tzinfo=UTC),
        attempts_in_scope=attempts,
    )
    return explain_next(Candidate("q", ("a",), 0.5), data, MixSettings(), "band").reasons


def test_still_learning_below_five_attempts_only() -> None:
    assert STILL_LEARNING in _reasons(4)
    assert STILL_LEARNING not in _reasons(5)


def test_factors_are_rounded_to_three_places_and_capped_at_one() -> None:
    now = datetime(2026, 1, 10, tzinfo=UTC)
    views = {
        "mul": ConceptView("mul", "Multiplication", level=0.12345, last_review=now - timedelta(days=45)),
        "add": ConceptView("add", "Addition", level=0.9),
        "sub": ConceptView("sub", "Subtraction", level=0.9),
    }
    data = MixInput(candidates=[], concepts=views, streak=StreakView(current=0, daily_goal=10, today=0),
                    now=now, attempts_in_scope=20)
    got = explain_next(Candidate("q", ("mul", "add", "sub"), 0.6234), data, MixSettings(), "nearest")
    # 45 days since the last review is past the 30-day scale: the factor stays at 1.
    assert got.factors == {
        "mastery_gap": 0.877, "difficulty_match": 0.753, "time_since_review": 1.0, "streak": 0.0
    }
    # A question on three concepts names its first two.
    assert got.reasons[0] == (
        "This is the closest we have to your level on Multiplication and Addition (about 62% chance)."
    )
