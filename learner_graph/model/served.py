"""Calibration on served items: the model's predictions of the next-best items it served, against
how they were answered, by how many attempts the learner had made.

The model is trained on learners' histories, but predicts for the learners the engine serves, and
the two differ: a new learner is served from the population prior, which cannot know that deep
concepts are hard for someone who has shown none of their prerequisites (its training learners
met every concept at their own frontier); a learner the mixer has served for weeks answers review
items below the model's prediction and next-best items above it (docs/BENCHMARKS.md, "Next items
at the target", rounds 4 and 5). The deployment has the evidence: each served next-best item, its
predicted P and whether it was answered right (an attempt `FROM` its recommendation).

The served logit also gets `slope` × the question's *unshown depth*: how many levels of its
concepts' prerequisites the learner has not attempted (`unshown_depth`; for a new learner, the
concept's depth in the prerequisite graph). It is the one thing the population prior cannot know:
its training learners met each concept at their own frontier, so the model predicts a newcomer the
same P at every depth, while their true P falls with it (0.70 at depth 0, 0.32 at depth 12 on the
study's course). Its slope is fitted with the band offsets, on the same served items.

`fit_offsets` fits one logit offset per history band: logistic recalibration with the served
prediction's logit as an offset and the band's intercept as the only parameter (Cox 1958, "Two
further applications of a model for binary regression", Biometrika 45; the recalibration-in-the-
large of clinical prediction models, Steyerberg, *Clinical Prediction Models*, 2019, ch. 20),
under a N(0, 1) prior on each offset so that a band with few answers moves little. Refitted
on predictions as served, each fit starts from the offsets they already carried: the new offset is
the old plus what the answers still say (a fixed point once the served items succeed as predicted).
`live.served_term` adds the band's offset (and the slope's term) to a learner's logits.

The product's training (`evaluate.calibrate_served`) fits one band and no slope, on the served items
predicted afresh by the model it trains: with bands or the slope, new learners' lower predictions
also moved what counts as known, and their items overshot the target (docs/BENCHMARKS.md, round
13). The bands and the slope remain for the study's own calibration loop (`simulation.served`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Lower edges of the history bands (attempts before the item was served): the study's bands.
EDGES = (0, 10, 50, 100, 200)
PRIOR_SD = 1.0  # logits: a weakly informative prior on each band's offset
NEWTON_STEPS = 25

Offsets = tuple[tuple[int, float], ...]  # (lower edge, logit offset), edges ascending


@dataclass(frozen=True)
class DepthPlan:
    """A prerequisite graph's edges grouped by the level of the concept that requires (0: no
    prerequisites; each level one more than its highest prerequisite's), so that a learner's unshown
    depth is one vector step per level, not a walk over the concepts in Python (a request does it)."""

    size: int
    levels: tuple[tuple[np.ndarray, np.ndarray], ...]  # (concept, prerequisite) index pairs per level

    @classmethod
    def of(cls, prerequisites: Sequence[Sequence[int]]) -> DepthPlan:
        """Levels in Kahn's order; a concept on a cycle (the content refuses them) gets none: depth 0."""
        size = len(prerequisites)
        level = np.full(size, -1)
        waiting = [len(set(p)) for p in prerequisites]
        dependants: list[list[int]] = [[] for _ in range(size)]
        for k, below in enumerate(prerequisites):
            for p in set(below):
                dependants[p].append(k)
        frontier = [k for k in range(size) if not waiting[k]]
        level[frontier] = 0
        while frontier:
            settled = []
            for p in frontier:
                for k in dependants[p]:
                    waiting[k] -= 1
                    if not waiting[k]:
                        level[k] = 1 + max(level[q] for q in prerequisites[k])
                        settled.append(k)
            frontier = settled
        pairs = np.array([(k, p) for k, below in enumerate(prerequisites) if level[k] > 0 for p in below],
                         dtype=np.int64).reshape(-1, 2)
        by_level = level[pairs[:, 0]]
        return cls(size, tuple((pairs[by_level == v, 0], pairs[by_level == v, 1])
                               for v in range(1, int(level.max(initial=0)) + 1)))

    def depth(self, shown: np.ndarray) -> np.ndarray:
        """`unshown_depth` for the learner who has attempted the concepts where `shown` is true."""
        depth = np.zeros(self.size)
        step = np.where(shown, 0.0, 1.0)
        for concept, prerequisite in self.levels:
            np.maximum.at(depth, concept, depth[prerequisite] + step[prerequisite])
        return depth


def unshown_depth(prerequisites: Sequence[Sequence[int]], shown: np.ndarray) -> np.ndarray:
    """Per concept, the most levels of not-attempted prerequisites on any chain below it.

    `prerequisites[k]` are concept k's direct prerequisites (indexes; acyclic), `shown[k]` whether
    the learner has attempted concept k. A concept with no prerequisites, or whose prerequisites
    were all shown with all of theirs, has 0; for a learner who has shown nothing it is the
    concept's depth. (Build a `DepthPlan` once to ask it for many learners.)"""
    return DepthPlan.of(prerequisites).depth(shown)


def band(edges: Sequence[int], attempts: int) -> int:
    """The index of the band `attempts` falls in (edges ascending, the first 0)."""
    return int(np.searchsorted(np.asarray(edges), attempts, side="right")) - 1


def offset(offsets: Offsets, attempts: int) -> float:
    """The logit offset for a learner with `attempts` attempts (0 with no calibration)."""
    if not offsets:
        return 0.0
    return offsets[band([e for e, _ in offsets], attempts)][1]


def fit_offsets(predicted: np.ndarray, correct: np.ndarray, attempts: np.ndarray,
                depth: np.ndarray | None = None, *, start: Offsets = (), start_slope: float = 0.0,
                edges: Sequence[int] = EDGES, prior_sd: float = PRIOR_SD) -> tuple[Offsets, float]:
    """The offsets per history band (and the slope on unshown depth) that make the served items'
    predictions match their answers.

    `predicted` is each served item's P as served (with `start`'s offsets and `start_slope` already
    in it), `correct` its answer, `attempts` the learner's attempts before it, `depth` its unshown
    depth then (None: no depth term). Returns `start` plus the MAP shift of each band, and the
    slope: Newton's method on the logistic likelihood with the served logit as offset and a
    N(0, prior_sd²) prior on every shift. A band with no answers keeps its start (the offset `start`
    gives a learner at the band's lower edge).
    """
    p = np.clip(np.asarray(predicted, dtype=np.float64), 1e-6, 1 - 1e-6)
    y = np.asarray(correct, dtype=np.float64)
    z = np.log(p / (1 - p))
    which = np.searchsorted(np.asarray(edges), np.asarray(attempts), side="right") - 1
    design = (which[:, None] == np.arange(len(edges))[None, :]).astype(np.float64)
    if depth is not None:
        design = np.hstack([design, np.asarray(depth, dtype=np.float64)[:, None]])
    shift = np.zeros(design.shape[1])
    precision = np.eye(len(shift)) / prior_sd**2
    for _ in range(NEWTON_STEPS):
        q = 1.0 / (1.0 + np.exp(-(z + design @ shift)))
        gradient = design.T @ (y - q) - precision @ shift
        hessian = (design.T * (q * (1 - q))) @ design + precision
        shift = shift + np.linalg.solve(hessian, gradient)
    # each band starts from the offset in effect at its lower edge (`start`'s bands may differ)
    offsets = tuple((int(e), offset(start, int(e)) + float(shift[k])) for k, e in enumerate(edges))
    return offsets, start_slope + (float(shift[-1]) if depth is not None else 0.0)
