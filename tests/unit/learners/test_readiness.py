"""Ready to learn is the outer fringe: not mastered, every transitive prerequisite mastered."""

from __future__ import annotations

from learner_graph.learners.mastery import ready_concepts

# whole-numbers <- int-add <- frac-equiv <- frac-add ; int-mul <- frac-equiv
CHAIN = {
    "whole-numbers": [],
    "int-add": ["whole-numbers"],
    "int-mul": ["whole-numbers"],
    "frac-equiv": ["int-add", "int-mul"],
    "frac-add": ["frac-equiv"],
}


def test_a_concept_is_not_ready_when_a_prerequisite_further_down_is_not_mastered() -> None:
    # The reported case: the direct prerequisite is mastered (its level held up by implicit
    # reviews) but one several levels down sits at 0.0.
    mastered = {"frac-equiv", "int-add", "int-mul"}
    assert "frac-add" not in ready_concepts(CHAIN, mastered)
    assert ready_concepts(CHAIN, mastered) == {"whole-numbers"}


def test_the_fringe_of_a_consistent_state() -> None:
    assert ready_concepts(CHAIN, set()) == {"whole-numbers"}
    assert ready_concepts(CHAIN, {"whole-numbers"}) == {"int-add", "int-mul"}
    assert ready_concepts(CHAIN, {"whole-numbers", "int-add"}) == {"int-mul"}
    everything_below = {"whole-numbers", "int-add", "int-mul", "frac-equiv"}
    assert ready_concepts(CHAIN, everything_below) == {"frac-add"}
    assert ready_concepts(CHAIN, set(CHAIN)) == set()


def test_a_prerequisite_missing_from_the_map_counts_as_a_root() -> None:
    assert ready_concepts({"b": ["a"]}, {"a"}) == {"b"}
    assert ready_concepts({"b": ["a"]}, set()) == set()
