"""The one mastery threshold and the one ready rule."""

from __future__ import annotations

from learner_graph.learners.mastery import MASTERED, is_ready, mastered


def test_mastered_from_the_threshold_on() -> None:
    assert MASTERED == 0.7
    assert mastered({"a": 0.7, "b": 0.6999, "c": 1.0, "d": 0.0}) == {"a", "c"}


def test_ready_needs_every_prerequisite_mastered() -> None:
    known = {"add", "count"}
    assert is_ready("sub", ["add", "count"], known)
    assert not is_ready("mul", ["add", "fractions"], known)  # one of two prerequisites is not enough
    assert not is_ready("div", ["fractions", "mul"], known)
    assert is_ready("count2", [], known)  # a root concept is ready until mastered


def test_a_mastered_concept_is_not_ready() -> None:
    assert not is_ready("add", ["count"], {"add", "count"})
