"""Explanations, word for word, and the factors and confidence behind each kind of pick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from learner_graph.mixer import explain
from learner_graph.mixer.mix import mix
from learner_graph.mixer.models import Candidate, ConceptView, MixInput, StreakView
from learner_graph.mixer.order import tiebreak
from learner_graph.mixer.settings import MixSettings
from learner_graph.mixer.streams import order_of

NOW = datetime(2026, 4, 1, 12, tzinfo=UTC)
SETTINGS = MixSettings(review_low=0.7, review_high=0.85)  # the review band these figures were computed for


def data(*, today: int = 2, goal: int = 5, current: int = 3, attempts: int = 10) -> MixInput:
    views = {
        "add": ConceptView("add", "Addition", level=0.4, last_review=NOW - timedelta(days=6),
                           due=NOW - timedelta(days=1)),
        "sub": ConceptView("sub", "Subtraction", level=0.9, last_review=NOW - timedelta(hours=20)),
    }
    return MixInput(candidates=[], concepts=views, streak=StreakView(current, goal, today), now=NOW,
                    attempts_in_scope=attempts)


def cand(p: float = 0.78, concepts: tuple[str, ...] = ("add",), known: bool = True) -> Candidate:
    return Candidate("q1", concepts, p, 2, known)


def test_review_reasons_and_factors() -> None:
    d = data()
    got = explain.explain_review(cand(), d.concepts["add"], d, SETTINGS)
    assert got.reasons == [
        "You last practised Addition 6 days ago; a quick review now helps you keep it.",
        "This one should feel manageable (about 78% chance).",
    ]
    assert got.factors == {
        "mastery_gap": 0.6, "difficulty_match": 0.99, "time_since_review": 0.2, "streak": 0.0
    }
    assert got.confidence == pytest.approx(0.65)
    recent = explain.explain_review(cand(), d.concepts["sub"], d, SETTINGS)
    assert recent.reasons[0] == (
        "You last practised Subtraction recently; a quick review now helps you keep it."
    )
    boundary = ConceptView("add", "Addition", last_review=NOW - timedelta(days=1.5))
    assert explain.explain_review(cand(), boundary, d, SETTINGS).reasons[0].startswith(
        "You last practised Addition 2 days ago"
    )
    never = ConceptView("add", "Addition")
    assert "Addition recently" in explain.explain_review(cand(), never, d, SETTINGS).reasons[0]


def test_streak_reasons_and_factors() -> None:
    got = explain.explain_streak(cand(0.9, ("add", "sub")), data(), SETTINGS)
    assert got.reasons == [
        "You have done 2 of today's 5 questions; 3 more to keep your 3-day streak going.",
        "A quick win on Addition and Subtraction (about 90% chance).",
    ]
    assert got.factors == {
        "mastery_gap": 0.6, "difficulty_match": 0.8, "time_since_review": 0.2, "streak": 1.0
    }
    fresh = explain.explain_streak(cand(0.9), data(current=0, today=0), SETTINGS)
    assert fresh.reasons[0] == "You have done 0 of today's 5 questions; 5 more to start a new streak today."


def test_next_reasons_factors_and_confidence() -> None:
    d = data(attempts=3)
    got = explain.explain_next(cand(0.55, ("sub",), known=False), d, SETTINGS, "band")
    assert got.reasons == [
        "We expect about a 55% chance you get this right: a stretch, but within reach.",
        "We are still learning what you know, so this starts near the middle.",
    ]
    assert got.factors == {
        "mastery_gap": 0.1, "difficulty_match": 0.9, "time_since_review": pytest.approx(0.028), "streak": 0.0
    }
    assert got.confidence == pytest.approx(round((0.3 + 0.7 * 3 / 13) * 0.6, 3))
    nearest = explain.explain_next(cand(0.3, ("zzz",)), data(), SETTINGS, "nearest")
    assert nearest.reasons == ["This is the closest we have to your level on zzz (about 30% chance)."]
    assert nearest.factors["mastery_gap"] == 1.0 and nearest.factors["time_since_review"] == 0.0
    assert explain.explain_next(cand(0.3, ()), data(), SETTINGS, "nearest").reasons[0].endswith(
        "on this topic (about 30% chance)."
    )


def test_picks_carry_the_candidates_probability_and_concepts() -> None:
    d = data(today=0)
    d.candidates = [Candidate("r1", ("add",), 0.78, 2), Candidate("s1", ("sub",), 0.95, 1)]
    picks = mix(d, MixSettings(weight_next=0, weight_review=0.5, weight_streak=0.5), 2)
    assert sorted((p.kind, p.question_id, p.p_correct, p.concepts) for p in picks) == [
        ("review", "r1", 0.78, ("add",)),
        ("streak", "s1", 0.95, ("sub",)),
    ]


def test_order_of_prefers_the_precomputed_tiebreak() -> None:
    assert order_of(Candidate("q1", (), 0.5, tiebreak=42), 7) == 42
    assert order_of(Candidate("q1", (), 0.5), 7) == tiebreak(7, "q1")
