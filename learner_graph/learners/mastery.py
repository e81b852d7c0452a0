"""The mastery rules, once: when a concept is mastered, and which concepts are ready to learn.

The learner routes (`learners/service.py`) and the recommender (`recommendations/student.py`)
both decide through these functions, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

MASTERED = 0.7  # a concept's level (evidence × retrievability) from which it counts as mastered


def mastered(levels: Mapping[str, float]) -> set[str]:
    """The concepts whose level is at least MASTERED."""
    return {cid for cid, level in levels.items() if level >= MASTERED}


def is_ready(concept_id: str, requires: Iterable[str], known: set[str]) -> bool:
    """Ready to learn: not mastered itself, and every prerequisite in `requires` mastered."""
    return concept_id not in known and all(p in known for p in requires)
