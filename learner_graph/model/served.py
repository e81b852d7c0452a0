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
periodically with the model, each fit starts from the offsets the served predictions already
carried: the new offset is the old plus what the answers still say (a fixed point once the served
items succeed as predicted). `apply` adds the band's offset to a learner's logits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Lower edges of the history bands (attempts before the item was served): the study's bands.
EDGES = (0, 10, 50, 100, 200)
PRIOR_SD = 1.0  # logits: a weakly informative prior on each band's offset
NEWTON_STEPS = 25

Offsets = tuple[tuple[int, float], ...]  # (lower edge, logit offset), edges ascending


def unshown_depth(prerequisites: Sequence[Sequence[int]], shown: np.ndarray) -> np.ndarray:
    """Per concept, the most levels of not-attempted prerequisites on any chain below it.

    `prerequisites[k]` are concept k's direct prerequisites (indexes; acyclic), `shown[k]` whether
    the learner has attempted concept k. A concept with no prerequisites, or whose prerequisites
    were all shown with all of theirs, has 0; for a learner who has shown nothing it is the
    concept's depth."""
    depth = np.zeros(len(prerequisites))
    done = np.zeros(len(prerequisites), dtype=bool)

    def settle(k: int) -> float:
        if not done[k]:
            depth[k] = max((settle(p) + (0.0 if shown[p] else 1.0) for p in prerequisites[k]), default=0.0)
            done[k] = True
        return float(depth[k])

    for k in range(len(prerequisites)):
        settle(k)
    return depth


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
