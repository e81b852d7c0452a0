"""Each pure step of the recommendation pipeline, with exact values (the storage steps are tested
against the real servers in tests/integration/test_recommendations.py)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from learner_graph.errors import NotFound
from learner_graph.experiments.models import Assignment
from learner_graph.learners.memory import MemoryState
from learner_graph.mixer.models import Candidate, Explanation, Pick
from learner_graph.mixer.settings import MixSettings
from learner_graph.recommendations import pipeline
from learner_graph.recommendations.catalog import Catalog, ConceptMeta, QuestionMeta
from learner_graph.recommendations.models import Overrides, RecommendationRequest
from learner_graph.recommendations.student import Student

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def catalog() -> Catalog:
    return Catalog(
        version="1:1",
        questions={
            "q1": QuestionMeta(("add",), 1, "one"),
            "q2": QuestionMeta(("add",), None, "two"),
            "q3": QuestionMeta(("sub",), 5, "three"),
            "q4": QuestionMeta(("add", "sub"), 3, "four"),
        },
        concepts={"add": ConceptMeta("Addition", ()), "sub": ConceptMeta("Subtraction", ("add",))},
        units={"course": ("course",), "part": ("course",)},
    )


def learner(**changes: object) -> Student:
    fields: dict[str, object] = {
        "user_id": "u1",
        "timezone": "UTC",
        "target_offset": 0.0,
        "attempts": [  # newest first
            {"question_id": "q1", "correct": True, "at": NOW - timedelta(hours=1), "time_ms": 1000},
            {"question_id": "q3", "correct": False, "at": NOW - timedelta(days=2), "time_ms": 2000},
        ],
        "memory": {},
        "rejected": {"q2"},
    }
    return Student(**(fields | changes))  # type: ignore[arg-type]


def request(**changes: object) -> RecommendationRequest:
    return RecommendationRequest.model_validate({"user_id": "u1", "units": ["course"], "n": 2} | changes)


def test_candidates_of_concepts_are_their_question_rows() -> None:
    rows = asyncio.run(
        pipeline.candidates(db=None, catalogs=None, catalog=catalog(), units=[], concepts=["sub"])  # type: ignore[arg-type]
    )
    assert rows.tolist() == [2, 3]  # q3, q4


def test_candidates_name_every_unknown_unit_and_concept() -> None:
    with pytest.raises(NotFound) as raised:
        asyncio.run(
            pipeline.candidates(  # type: ignore[arg-type]
                db=None, catalogs=None, catalog=catalog(), units=["nope"], concepts=["add", "gone"]
            )
        )
    assert raised.value.details == [
        {"field": "units", "message": "unknown 'nope'"},
        {"field": "concepts", "message": "unknown 'gone'"},
    ]


def test_scope_of_concepts_only_is_the_candidates() -> None:
    rows = np.array([2, 3])
    scope = asyncio.run(
        pipeline.scope(  # type: ignore[arg-type]
            db=None, catalogs=None, catalog=catalog(), request=request(units=[], concepts=["sub"]),
            candidate_rows=rows,
        )
    )
    assert scope is rows


def test_scope_of_a_unit_that_is_its_own_filter_scope_is_the_candidates() -> None:
    rows = np.array([0, 1, 2, 3])
    scope = asyncio.run(
        pipeline.scope(  # type: ignore[arg-type]
            db=None, catalogs=None, catalog=catalog(), request=request(), candidate_rows=rows
        )
    )
    assert scope is rows


def test_assign_without_an_experiment_cache_assigns_nothing() -> None:
    assert asyncio.run(pipeline.assign(db=None, experiments=None, request=request(), now=NOW)) == []  # type: ignore[arg-type]


def test_settings_merge_service_arms_admin_then_the_students_offset() -> None:
    chosen = pipeline.settings(
        request=request(seed=7, overrides=Overrides(band=0.2, target_p=0.6)),
        service={"review_retention": 0.85},
        assignments=[
            Assignment("a", "x", {"target_p": 0.7, "weight_next": 1.0}),
            Assignment("b", "y", {"weight_next": 0.5, "daily_goal_scale": 2.0}),
        ],
        learner=learner(target_offset=-0.3),  # capped at -0.2
    )
    assert chosen.target_p == pytest.approx(0.4)  # the admin's 0.6, less the capped offset
    assert chosen.model_copy(update={"target_p": 0.4}) == MixSettings(
        weight_next=0.5, target_p=0.4, band=0.2, review_retention=0.85, daily_goal_scale=2.0, seed=7
    )


def test_settings_keep_the_target_within_its_bounds() -> None:
    high = pipeline.settings(
        request=request(overrides=Overrides(target_p=0.9)), service=None, assignments=[],
        learner=learner(target_offset=0.2),
    )
    assert high.target_p == 0.95


def test_score_without_a_model_uses_the_difficulty_tags() -> None:
    scored = pipeline.score(
        side=None, learner=learner(), scope_rows=np.array([0, 2]), rows=np.array([0, 1, 2, 3]),
        catalog=catalog(),
    )
    assert scored.p.tolist() == [0.85, 0.55, 0.25, 0.55]  # tag 1, untagged (as tag 3), tag 5, tag 3
    assert scored.known.tolist() == [False] * 4
    assert (scored.model_version, scored.attempts_in_scope) == (None, 2)
    in_part = pipeline.score(
        side=None, learner=learner(), scope_rows=np.array([0]), rows=np.array([0]), catalog=catalog()
    )
    assert in_part.attempts_in_scope == 1


def test_in_rows_tests_membership_by_row() -> None:
    test = pipeline.in_rows(catalog(), np.array([1, 3]))
    assert test is not None
    assert [test(q) for q in ("q1", "q2", "q3", "q4", "q9")] == [False, True, False, True, False]
    assert pipeline.in_rows(catalog(), None) is None


def test_mix_input_blocks_rejected_excluded_and_recent_questions() -> None:
    p = np.array([0.9, 0.5, 0.3, 0.6])
    scored = pipeline.Scored(np.array([0, 1, 2, 3]), p, np.array([True] * 4), "m1", 2)
    data = pipeline.mix_input(
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
    # The model expects add's questions right (0.9 + 0.5 + 0.6) / 3 = 0.67 of the time, past the
    # target 0.5: add counts as known and the learner moves on to sub (0.45, below the target).
    assert data.concepts["add"].mastered and not data.concepts["add"].ready and data.concepts["sub"].ready
    below = pipeline.mix_input(
        scored=scored, learner=learner(), catalog=catalog(), request=request(), now=NOW,
        settings=MixSettings(seed=3, target_p=0.7),
    )
    assert below.concepts["add"].ready and not below.concepts["sub"].ready  # sub requires add
    assert (data.attempts_in_scope, data.now, data.streak.today) == (2, NOW, 1)


def test_mix_input_reads_mastery_from_memory() -> None:
    strong = MemoryState(stability=30.0, difficulty=5.0, due=NOW + timedelta(days=20),
                         last_review=NOW - timedelta(days=1), reps=5, wins=8.0)
    scored = pipeline.Scored(np.array([2]), np.array([0.4]), np.array([True]), None, 0)  # sub: below target
    data = pipeline.mix_input(
        scored=scored, learner=learner(memory={"add": strong}), catalog=catalog(), request=request(),
        now=NOW, settings=MixSettings(),
    )
    assert data.concepts["add"].mastered and data.concepts["sub"].ready


def test_response_and_its_stored_row() -> None:
    pick = Pick("q3", "next", 0.51234, ("sub",), Explanation(["why"], {"gap": 1.0}, 0.5), "band")
    scored = pipeline.Scored(np.array([2]), np.array([0.51234]), np.array([True]), "m1", 1)
    out = pipeline.response(
        request=request(), assignments=[Assignment("b", "y"), Assignment("a", "x")], scored=scored,
        picks=[pick], now=NOW, recommendation_id="rec_1",
    )
    assert out.model_dump(exclude={"items"}) == {
        "id": "rec_1", "user_id": "u1", "arm": "a:x,b:y", "experiments": {"b": "y", "a": "x"},
        "model_version": "m1", "served_at": NOW, "timing_ms": {},
    }
    assert [i.model_dump() for i in out.items] == [
        {"question_id": "q3", "kind": "next", "p_correct": 0.5123, "concepts": ["sub"],
         "explanation": {"reasons": ["why"], "factors": {"gap": 1.0}, "confidence": 0.5}, "fallback": "band",
         "question": None}
    ]
    row = pipeline.record_row(request=request(overrides=Overrides(band=0.2)), out=out)
    assert row["question_ids"] == ["q3"] and row["arm"] == "a:x,b:y" and row["served_at"] == NOW
    assert json.loads(row["experiment_arms"]) == {"b": "y", "a": "x"}
    assert "overrides" not in json.loads(row["request"])  # an admin's overrides are not stored


def test_with_questions_puts_each_question_inline_from_the_catalog() -> None:
    picks = [Pick(q, "next", 0.5, (), Explanation(["why"], {}, 0.5), None) for q in ("q4", "q2")]
    scored = pipeline.Scored(np.array([], int), np.array([]), np.array([], bool), None, 0)
    out = pipeline.response(request=request(), assignments=[], scored=scored, picks=picks, now=NOW)
    pipeline.with_questions(out=out, catalog=catalog())
    assert [i.question.model_dump() if i.question else None for i in out.items] == [
        {"id": "q4", "text": "four", "difficulty_tag": 3, "concepts": ["add", "sub"]},
        {"id": "q2", "text": "two", "difficulty_tag": None, "concepts": ["add"]},
    ]


def test_a_new_recommendation_gets_a_fresh_id() -> None:
    scored = pipeline.Scored(np.array([], int), np.array([]), np.array([], bool), None, 0)
    ids = {pipeline.response(request=request(), assignments=[], scored=scored, picks=[], now=NOW).id
           for _ in range(3)}
    assert len(ids) == 3 and all(i.startswith("rec_") for i in ids)
