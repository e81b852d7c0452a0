"""Orderings of the prerequisite DAG that the simulator and the default study path share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache


def depths(requires: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """Length of the longest prerequisite chain below each concept (roots are 0)."""

    @cache
    def depth(concept: str) -> int:
        return 1 + max((depth(p) for p in requires[concept]), default=-1)

    return {concept: depth(concept) for concept in requires}


def topological_order(requires: Mapping[str, Sequence[str]]) -> list[str]:
    """Prerequisites before the concepts that need them; ties keep the document's order.

    Sorting by depth is a valid topological order (a prerequisite is always strictly shallower),
    and it interleaves subjects the way a school year does: basics of everything first.

    Raises:
        ValueError: when `requires` names an unknown concept or has a cycle.
    """
    unknown = sorted({p for ps in requires.values() for p in ps} - set(requires))
    if unknown:
        raise ValueError(f"unknown prerequisites: {unknown}")
    try:
        depth = depths(requires)
    except RecursionError as exc:
        raise ValueError("the prerequisite graph has a cycle") from exc
    position = {concept: i for i, concept in enumerate(requires)}
    return sorted(requires, key=lambda c: (depth[c], position[c]))
