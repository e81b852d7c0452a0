"""Readiness from the model's view: a new learner whom the model expects to know a concept moves on."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from learner_graph.learners.memory import make_scheduler
from learner_graph.recommendations.catalog import Catalog, ConceptMeta, QuestionMeta
from learner_graph.recommendations.pipeline import Scored, concept_p
from learner_graph.simulation.inproc import new_learner

NOW = datetime(2025, 3, 3, 12, tzinfo=UTC)


def catalog() -> Catalog:
    """A → B → C (each requires the previous); a1, a2 on A, b1 on B, c1 on C, ab on A and B."""
    concepts = {"A": ConceptMeta("A", ()), "B": ConceptMeta("B", ("A",)), "C": ConceptMeta("C", ("B",))}
    questions = {q: QuestionMeta(tuple(cs), 3, q) for q, cs in
                 {"a1": ["A"], "a2": ["A"], "ab": ["A", "B"], "b1": ["B"], "c1": ["C"]}.items()}
    return Catalog(version="t", questions=questions, concepts=concepts, units={})


def test_concept_p_is_the_mean_prediction_over_each_concepts_scored_questions() -> None:
    cat = catalog()
    rows = cat.table.rows(["a1", "a2", "ab", "b1"])  # c1 not scored
    p = {"a1": 0.9, "a2": 0.6, "ab": 0.3, "b1": 0.5}
    scored = Scored(rows, np.array([p[cat.table.ids[r]] for r in rows.tolist()]), np.ones(4, bool), None, 0)
    assert concept_p(cat, scored) == pytest.approx({"A": (0.9 + 0.6 + 0.3) / 3, "B": (0.3 + 0.5) / 2})


def test_a_new_learner_the_model_expects_to_know_a_concept_is_ready_for_the_next() -> None:
    learner = new_learner("new")  # no attempts, no review states
    scheduler = make_scheduler(0.9)
    before = learner.concept_views(catalog(), NOW, scheduler)
    assert [c for c, v in before.items() if v.ready] == ["A"] and not any(v.mastered for v in before.values())
    views = learner.concept_views(catalog(), NOW, scheduler, {"A": 0.85, "B": 0.4, "C": 0.1})
    assert views["A"].mastered and not views["A"].ready
    assert views["B"].ready and not views["B"].mastered
    assert not views["C"].ready  # its prerequisite B is not known yet
    at_threshold = learner.concept_views(catalog(), NOW, scheduler, {"A": 0.7})
    assert at_threshold["A"].mastered and at_threshold["B"].ready
    below = learner.concept_views(catalog(), NOW, scheduler, {"A": 0.69})
    assert not below["A"].mastered and not below["B"].ready


def test_a_learner_who_reached_the_target_on_a_concept_moves_on() -> None:
    learner = new_learner("new")
    scheduler = make_scheduler(0.9)
    predicted = {"A": 0.55, "B": 0.3, "C": 0.1}
    strict = learner.concept_views(catalog(), NOW, scheduler, predicted)  # the mastery threshold, 0.7
    assert strict["A"].ready and not strict["B"].ready
    at_target = learner.concept_views(catalog(), NOW, scheduler, predicted, reached=0.5)
    assert at_target["A"].mastered and not at_target["A"].ready and at_target["B"].ready
    harder = learner.concept_views(catalog(), NOW, scheduler, predicted, reached=0.6)
    assert harder["A"].ready and not harder["B"].ready
