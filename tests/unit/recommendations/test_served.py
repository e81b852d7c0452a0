"""The served response, its questions inline and its stored row, with exact values."""

from __future__ import annotations

import json

import numpy as np

from learner_graph.experiments.models import Assignment
from learner_graph.mixer.models import Explanation, Pick
from learner_graph.recommendations import served
from learner_graph.recommendations.models import Overrides
from learner_graph.recommendations.scoring import Scored
from tests.unit.recommendations.examples import NOW, catalog, request


def test_response_and_its_stored_row() -> None:
    pick = Pick("q3", "next", 0.51234, ("sub",), Explanation(["why"], {"gap": 1.0}, 0.5), "band")
    scored = Scored(np.array([2]), np.array([0.51234]), np.array([True]), "m1", 1)
    out = served.response(
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
    row = served.record_row(request=request(overrides=Overrides(band=0.2)), out=out)
    assert row["question_ids"] == ["q3"] and row["arm"] == "a:x,b:y" and row["served_at"] == NOW.isoformat()
    assert row["next_ids"] == ["q3"]  # the answers to these are the served calibration's rows
    assert json.loads(row["experiment_arms"]) == {"b": "y", "a": "x"}
    assert "overrides" not in json.loads(row["request"])  # an admin's overrides are not stored


def test_the_stored_row_names_the_next_best_items_apart_from_review_and_streak() -> None:
    picks = [Pick(q, kind, 0.5, (), Explanation(["why"], {}, 0.5), None)
             for q, kind in (("q1", "review"), ("q2", "next"), ("q3", "streak"), ("q4", "next"))]
    scored = Scored(np.array([], int), np.array([]), np.array([], bool), None, 0)
    out = served.response(request=request(), assignments=[], scored=scored, picks=picks, now=NOW)
    row = served.record_row(request=request(), out=out)
    assert row["question_ids"] == ["q1", "q2", "q3", "q4"] and row["next_ids"] == ["q2", "q4"]


def test_with_questions_puts_each_question_inline_from_the_catalog() -> None:
    picks = [Pick(q, "next", 0.5, (), Explanation(["why"], {}, 0.5), None) for q in ("q4", "q2")]
    scored = Scored(np.array([], int), np.array([]), np.array([], bool), None, 0)
    out = served.response(request=request(), assignments=[], scored=scored, picks=picks, now=NOW)
    served.with_questions(out=out, catalog=catalog())
    assert [i.question.model_dump() if i.question else None for i in out.items] == [
        {"id": "q4", "text": "four", "difficulty_tag": 3, "concepts": ["add", "sub"]},
        {"id": "q2", "text": "two", "difficulty_tag": None, "concepts": ["add"]},
    ]


def test_a_new_recommendation_gets_a_fresh_id() -> None:
    scored = Scored(np.array([], int), np.array([]), np.array([], bool), None, 0)
    ids = {served.response(request=request(), assignments=[], scored=scored, picks=[], now=NOW).id
           for _ in range(3)}
    assert len(ids) == 3 and all(i.startswith("rec_") for i in ids)
