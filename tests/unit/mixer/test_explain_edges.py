"""The "still learning" reason switches off at exactly five attempts in scope."""

from __future__ import annotations

from datetime import UTC, datetime

from learner_graph.mixer.explain import explain_next
from learner_graph.mixer.models import Candidate, MixInput, StreakView
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
