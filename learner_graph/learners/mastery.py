"""The mastery rules, once: when a concept is mastered, and which concepts are ready to learn.

The learner routes (`learners/service.py`) and the recommender (`recommendations/student.py`)
both decide through these functions, so the two can never disagree.

Ready to learn is the outer fringe of what a learner knows (knowledge-space theory, as in
ALEKS): not mastered, and every concept it requires, directly or through others, mastered. So a
concept is ready exactly when it is not mastered and its gaps (`/users/{id}/gaps`) are empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from graphlib import TopologicalSorter

MASTERED = 0.7  # a concept's level (evidence × retrievability) from which it counts as mastered


def mastered(levels: Mapping[str, float], predicted: Mapping[str, float] | None = None, *,
             reached: float = MASTERED) -> set[str]:
    """The concepts whose level is at least MASTERED, or whose questions the model expects right
    at least `reached` of the time.

    `predicted` is the model's mean P(correct) per concept, when the caller has one: a student
    practising at the target P (0.5) never builds a level of 0.7 from answers alone, so without
    the model's view the prerequisites of the next concepts would never count as known. The
    recommender passes its target P as `reached`: a learner who has reached the target on a
    concept moves on to the outer fringe (docs/BENCHMARKS.md, "Learning outcomes").
    """
    known = {cid for cid, level in levels.items() if level >= MASTERED}
    return known | {cid for cid, p in (predicted or {}).items() if p >= reached}


def ready_concepts(requires: Mapping[str, Iterable[str]], known: set[str],
                   order: Iterable[str] | None = None) -> set[str]:
    """Concepts not in `known` (mastered) whose transitive prerequisites all are; `requires`
    maps every concept to its direct prerequisites, `order` is `settle_order(requires)` when the
    caller keeps it."""
    clear = prerequisites_mastered(requires, known, order)
    return {concept for concept in requires if concept not in known and clear[concept]}


def settle_order(requires: Mapping[str, Iterable[str]]) -> list[str]:
    """Every concept, prerequisites first (the content API keeps REQUIRES acyclic; a cycle raises
    graphlib.CycleError). The same for the same graph: a caller may keep it (the recommender's
    catalog does, so a request does not sort the concept graph again)."""
    direct = {concept: list(parents) for concept, parents in requires.items()}
    return list(TopologicalSorter(direct).static_order())


def prerequisites_mastered(requires: Mapping[str, Iterable[str]], known: set[str],
                           order: Iterable[str] | None = None) -> dict[str, bool]:
    """Concept → whether every transitive prerequisite is mastered, settling prerequisites first
    (in `order`, else `settle_order(requires)`)."""
    clear: dict[str, bool] = {}
    for concept in settle_order(requires) if order is None else order:
        clear[concept] = all(p in known and clear[p] for p in requires.get(concept, ()))
    return clear
