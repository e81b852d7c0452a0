"""The three streams on their own: the next-best ladder, the concept spread, due concepts, review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from learner_graph.mixer.models import Candidate, ConceptView, MixInput, StreakView
from learner_graph.mixer.settings import MixSettings
from learner_graph.mixer.streams import _spread, due_concepts, next_best, review, streak_wins

NOW = datetime(2026, 1, 10, tzinfo=UTC)


def _data(cands: list[Candidate], concepts: dict[str, ConceptView] | None = None) -> MixInput:
    return MixInput(
        candidates=cands,
        concepts=concepts or {},
        streak=StreakView(current=0, daily_goal=10, today=0),
        now=NOW,
        attempts_in_scope=40,
    )


def test_every_rung_of_the_ladder_and_its_edges() -> None:
    settings = MixSettings(target_p=0.5, band=0.125)
    cands = [
        Candidate("edge", ("a",), 0.625),  # exactly one band away: still in the band
        Candidate("wide", ("b",), 0.75),  # exactly two bands away: still in the wide band
        Candidate("near", ("c",), 0.95),
        Candidate("tag", ("d",), 0.5, difficulty_tag=1, known_to_model=False),  # tag 1 stands for 0.85
        Candidate("unseen", ("e",), 0.95, known_to_model=False),
        Candidate("seen", ("f",), 0.95, known_to_model=False, last_attempt=NOW),
    ]
    ranked = [(c.question_id, rung) for c, rung in next_best(_data(cands), settings)]
    assert ranked == [
        ("edge", "band"),
        ("wide", "wide_band"),
        ("near", "nearest"),
        ("tag", "difficulty_tag"),
        ("unseen", "any_unseen"),
    ]


def test_next_best_takes_turns_between_concepts() -> None:
    cands = [
        Candidate("a1", ("a",), 0.5, tiebreak=1),
        Candidate("a2", ("a",), 0.5, tiebreak=2),
        Candidate("b1", ("b",), 0.55, tiebreak=0),
        Candidate("loose1", (), 0.5, tiebreak=3),
        Candidate("loose2", (), 0.5, tiebreak=4),
    ]
    ranked = [(c.question_id, rung) for c, rung in next_best(_data(cands), MixSettings())]
    # by key a1, a2, loose1, loose2, b1; queues in that order of first appearance: a, (none), b
    assert ranked == [("a1", "band"), ("loose1", "band"), ("b1", "band"), ("a2", "band"), ("loose2", "band")]


def test_spread_round_robins_main_concepts() -> None:
    cands = [
        Candidate("a1", ("a", "b"), 0.5),
        Candidate("a2", ("a",), 0.5),
        Candidate("n1", (), 0.5),
        Candidate("b1", ("b", "a"), 0.5),
        Candidate("n2", (), 0.5),
    ]
    assert [c.question_id for c in _spread(cands)] == ["a1", "n1", "b1", "a2", "n2"]


def test_a_concept_due_right_now_is_due() -> None:
    concepts = {
        "now": ConceptView("now", "Now", due=NOW),
        "later": ConceptView("later", "Later", due=NOW + timedelta(seconds=1)),
        "past": ConceptView("past", "Past", due=NOW - timedelta(days=1)),
    }
    assert [v.concept_id for v in due_concepts(_data([], concepts))] == ["past", "now"]


def test_review_takes_the_question_nearest_the_middle_of_the_band() -> None:
    concepts = {"a": ConceptView("a", "A", due=NOW)}
    cands = [Candidate("q72", ("a",), 0.72), Candidate("q78", ("a",), 0.78), Candidate("q84", ("a",), 0.84)]
    picks = review(_data(cands, concepts), MixSettings(review_low=0.7, review_high=0.85))
    assert [(c.question_id, v.concept_id) for c, v in picks] == [("q78", "a")]
    cands = [Candidate("q57", ("a",), 0.57), Candidate("q63", ("a",), 0.63), Candidate("q69", ("a",), 0.69)]
    picks = review(_data(cands, concepts), MixSettings())  # the default band, 0.55–0.70
    assert [(c.question_id, v.concept_id) for c, v in picks] == [("q63", "a")]


def test_review_falls_back_to_the_nearest_out_of_band_question() -> None:
    concepts = {"a": ConceptView("a", "A", due=NOW)}
    cands = [Candidate("q95", ("a",), 0.95), Candidate("q30", ("a",), 0.3)]
    picks = review(_data(cands, concepts), MixSettings())
    assert [(c.question_id, v.concept_id) for c, v in picks] == [("q95", "a")]


def test_review_skips_a_due_concept_without_questions_and_uses_each_question_once() -> None:
    concepts = {
        "empty": ConceptView("empty", "Empty", due=NOW - timedelta(days=3)),
        "a": ConceptView("a", "A", due=NOW - timedelta(days=2)),
        "b": ConceptView("b", "B", due=NOW - timedelta(days=1)),
        "c": ConceptView("c", "C", due=NOW),
    }
    cands = [Candidate("ab", ("a", "b"), 0.8), Candidate("c1", ("c",), 0.75)]
    picks = review(_data(cands, concepts), MixSettings())
    assert [(c.question_id, v.concept_id) for c, v in picks] == [("ab", "a"), ("c1", "c")]


def test_quick_wins_likeliest_first_whatever_their_ids() -> None:
    """Streak wins are ranked by P(correct), highest first, not by id (the names sort the other way)."""
    cands = [
        Candidate("a-likely", ("a",), 0.85),
        Candidate("b-likelier", ("b",), 0.9),
        Candidate("c-likeliest", ("c",), 0.97),
        Candidate("d-too-hard", ("d",), 0.79),  # under quick_win_p 0.8: not a quick win
    ]
    wins = streak_wins(_data(cands), MixSettings())
    assert [c.question_id for c in wins] == ["c-likeliest", "b-likelier", "a-likely"]
