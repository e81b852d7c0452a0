"""Scoring the candidates and building the mixer's input, with exact values."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from learner_graph.learners.memory import MemoryState
from learner_graph.mixer.models import Candidate
from learner_graph.mixer.settings import MixSettings
from learner_graph.recommendations import scoring
from learner_graph.recommendations.catalog import Catalog, ConceptMeta, QuestionMeta
from tests.model_fixtures import tiny_side
from tests.unit.recommendations.examples import NOW, catalog, learner, request


def test_score_without_a_model_uses_the_difficulty_tags() -> None:
    scored = scoring.score(
        side=None, learner=learner(), scope_rows=np.array([0, 2]), rows=np.array([0, 1, 2, 3]),
        catalog=catalog(),
    )
    assert scored.p.tolist() == [0.85, 0.55, 0.25, 0.55]  # tag 1, untagged (as tag 3), tag 5, tag 3
    assert scored.known.tolist() == [False] * 4
    assert (scored.model_version, scored.attempts_in_scope) == (None, 2)
    in_part = scoring.score(
        side=None, learner=learner(), scope_rows=np.array([0]), rows=np.array([0]), catalog=catalog()
    )
    assert in_part.attempts_in_scope == 1


def test_in_rows_tests_membership_by_row() -> None:
    test = scoring.in_rows(catalog(), np.array([1, 3]))
    assert test is not None
    assert [test(q) for q in ("q1", "q2", "q3", "q4", "q9")] == [False, True, False, True, False]
    assert scoring.in_rows(catalog(), None) is None


def test_mix_input_blocks_rejected_excluded_and_recent_questions() -> None:
    p = np.array([0.9, 0.5, 0.3, 0.6])
    scored = scoring.Scored(np.array([0, 1, 2, 3]), p, np.array([True] * 4), "m1", 2)
    data = scoring.mix_input(
        scored=scored, learner=learner(), catalog=catalog(), request=request(context={"exclude": ["q4"]}),
        now=NOW, settings=MixSettings(seed=3),
    )
    assert data.blocked == {"q1", "q2", "q4"}  # recent (1 h < 12 h), rejected, excluded
    assert [c.question_id for c in data.candidates] == ["q1", "q2", "q3", "q4"]
    first = data.candidates[0]
    assert first == Candidate(
        question_id="q1", concepts=("add",), p_correct=0.9, difficulty_tag=1, known_to_model=True,
        last_attempt=NOW - timedelta(hours=1), tiebreak=first.tiebreak,
    )
    # The model expects add's questions right (0.9 + 0.5 + 0.6) / 3 = 0.67 of the time, past
    # readiness's 0.58 (`known_p`): add counts as known and the learner moves on to sub (0.45).
    assert data.concepts["add"].mastered and not data.concepts["add"].ready and data.concepts["sub"].ready
    below = scoring.mix_input(
        scored=scored, learner=learner(), catalog=catalog(), request=request(),
        now=NOW, settings=MixSettings(seed=3, known_p=0.7),
    )
    assert below.concepts["add"].ready and not below.concepts["sub"].ready  # sub requires add
    # Next items' target is not readiness: a learner's target moved to 0.7 leaves add known.
    aimed = scoring.mix_input(
        scored=scored, learner=learner(), catalog=catalog(), request=request(),
        now=NOW, settings=MixSettings(seed=3, target_p=0.7),
    )
    assert aimed.concepts["add"].mastered and aimed.concepts["sub"].ready
    assert (data.attempts_in_scope, data.now, data.streak.today) == (2, NOW, 1)


def test_mix_input_reads_mastery_from_memory() -> None:
    strong = MemoryState(stability=30.0, difficulty=5.0, due=NOW + timedelta(days=20),
                         last_review=NOW - timedelta(days=1), reps=5, wins=8.0)
    scored = scoring.Scored(np.array([2]), np.array([0.4]), np.array([True]), None, 0)  # sub: below target
    data = scoring.mix_input(
        scored=scored, learner=learner(memory={"add": strong}), catalog=catalog(), request=request(),
        now=NOW, settings=MixSettings(),
    )
    assert data.concepts["add"].mastered and data.concepts["sub"].ready


def test_side_items_are_kept_for_shared_candidate_sets_only() -> None:
    side = tiny_side()
    questions = {q: QuestionMeta(("add",), 2, q) for q in ["easy", "mid", "hard", "new"]}
    cat = Catalog(version="1:1", questions=questions, concepts={"add": ConceptMeta("Addition", ())}, units={})
    shared = np.array([0, 1], dtype=np.int64)
    shared.flags.writeable = False  # as `CatalogCache.resolve_rows` hands them out
    at, items = scoring.side_items(side, cat, shared)
    assert scoring.side_items(side, cat, shared)[1] is items  # kept: sliced once
    assert at.tolist() == scoring.side_rows(side, cat)[shared].tolist()
    own = shared.copy()  # writeable: a request's own array, never kept
    assert scoring.side_items(side, cat, own)[1] is not items
    assert scoring.side_items(side, cat, own)[1] is not scoring.side_items(side, cat, own)[1]
    with_new = np.array([0, 3], dtype=np.int64)  # rows are in id order: easy, hard, mid, new
    assert scoring.side_items(side, cat, with_new)[1] is None  # "new" is not in the model: cold start
