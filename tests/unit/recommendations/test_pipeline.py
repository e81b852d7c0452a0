"""Each step of the recommendation pipeline that runs before scoring, with exact values (the storage
steps are tested against the real servers in tests/integration/recommendations/test_recommend.py)."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from learner_graph.errors import NotFound
from learner_graph.experiments.models import Assignment
from learner_graph.mixer.settings import MixSettings
from learner_graph.recommendations import pipeline
from learner_graph.recommendations.models import Overrides
from tests.unit.recommendations.examples import NOW, catalog, learner, request


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
