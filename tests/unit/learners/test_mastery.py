"""The one mastery threshold and the one ready rule."""

from __future__ import annotations

from learner_graph.learners.mastery import MASTERED, mastered, ready_concepts, settle_order


def test_mastered_from_the_threshold_on() -> None:
    assert MASTERED == 0.7
    assert mastered({"a": 0.7, "b": 0.6999, "c": 1.0, "d": 0.0}) == {"a", "c"}


def test_ready_needs_every_prerequisite_mastered() -> None:
    requires = {"count": [], "add": ["count"], "fractions": [], "sub": ["add", "count"],
                "mul": ["add", "fractions"], "root": []}
    known = {"add", "count"}
    # mul has one of its two prerequisites: not enough; a root concept is ready until mastered
    assert ready_concepts(requires, known) == {"sub", "fractions", "root"}


def test_a_mastered_concept_is_not_ready() -> None:
    assert ready_concepts({"add": ["count"], "count": []}, {"add", "count"}) == set()


def test_a_predicted_p_of_exactly_the_threshold_counts_as_mastered() -> None:
    assert mastered({}, {"x": MASTERED, "y": MASTERED - 1e-9}) == {"x"}


def test_a_prerequisite_missing_from_the_map_has_none_of_its_own() -> None:
    # `a` is named as b's prerequisite but not listed itself: it requires nothing.
    assert ready_concepts({"b": ["a"]}, {"a"}) == {"b"}


def test_a_kept_settle_order_gives_the_same_readiness() -> None:
    requires = {"a": [], "b": ["a"], "c": ["b", "x"], "d": ["a", "c"], "e": []}  # x: only a prerequisite
    order = settle_order(requires)
    assert order.index("a") < order.index("b") < order.index("c") < order.index("d") and "x" in order
    for known in [set(), {"a"}, {"a", "b"}, {"a", "b", "x"}, {"a", "b", "c", "x"}, {"e", "x"}]:
        assert ready_concepts(requires, known, order) == ready_concepts(requires, known)
