"""Ready to learn: the outer fringe of what a learner knows (knowledge-space theory, as in ALEKS).

A concept is ready when it is not mastered and every concept it requires, directly or through
others, is mastered. So a concept is ready exactly when it is not mastered and its gaps
(`/users/{id}/gaps`) are empty: both routes and the recommendation engine use this one rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from graphlib import TopologicalSorter


def ready_concepts(requires: Mapping[str, Iterable[str]], mastered: set[str]) -> set[str]:
    """Concepts not in `mastered` whose transitive prerequisites all are (`requires`: direct ones)."""
    clear = prerequisites_mastered(requires, mastered)
    return {concept for concept in requires if concept not in mastered and clear[concept]}


def prerequisites_mastered(requires: Mapping[str, Iterable[str]], mastered: set[str]) -> dict[str, bool]:
    """Concept → whether every transitive prerequisite is mastered, settling prerequisites first
    (the content API keeps REQUIRES acyclic; a cycle raises graphlib.CycleError)."""
    direct = {concept: list(parents) for concept, parents in requires.items()}
    clear: dict[str, bool] = {}
    for concept in TopologicalSorter(direct).static_order():
        clear[concept] = all(p in mastered and clear[p] for p in direct.get(concept, ()))
    return clear
