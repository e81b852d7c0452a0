"""The one mastery threshold and the one ready rule."""

from __future__ import annotations

from learner_graph.learners.mastery import MASTERED, mastered, ready_concepts


def test_mastered_from_the_threshold_on() -> None:
    assert MASTERED == 0.7
    assert mastered({"a": 0.7, "b": 0.6999, "c": 1.0, "d": 0.0}) == {"a", "c"}


def test_ready_needs_every_prerequisite_mastered() -> None:
    known = {"add", "count"}
    graph = {"sub": ["add", "count"], "mul": ["add", "fractions"], "div": ["fractions", "mul"], "count2": []}
    ready = ready_concepts(graph, known)
    assert "sub" in ready
    assert "mul" not in ready  # one of two prerequisites is not enough
    assert "div" not in ready
    assert "count2" in ready  # a root concept is ready until mastered


def test_a_mastered_concept_is_not_ready() -> None:
    assert "add" not in ready_concepts({"add": ["count"], "count": []}, {"add", "count"})
