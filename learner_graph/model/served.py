"""Calibration on served items: the model's predictions of the next-best items it served, against
how they were answered, by how many attempts the learner had made.

The model is trained on learners' histories, but predicts for the learners the engine serves, and
the two differ: a new learner is served from the population prior, which cannot know that deep
concepts are hard for someone who has shown none of their prerequisites (its training learners
met every concept at their own frontier); a learner the mixer has served for weeks answers review
items below the model's prediction and next-best items above it (docs/BENCHMARKS.md, "Next items
at the target", rounds 4 and 5). The deployment has the evidence: each served next-best item, its
predicted P and whether it was answered right (an attempt `FROM` its recommendation).

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


def band(edges: Sequence[int], attempts: int) -> int:
    """The index of the band `attempts` falls in (edges ascending, the first 0)."""
    return int(np.searchsorted(np.asarray(edges), attempts, side="right")) - 1


def offset(offsets: Offsets, attempts: int) -> float:
    """The logit offset for a learner with `attempts` attempts (0 with no calibration)."""
    if not offsets:
        return 0.0
    return offsets[band([e for e, _ in offsets], attempts)][1]


def fit_offsets(predicted: np.ndarray, correct: np.ndarray, attempts: np.ndarray, *,
                start: Offsets = (), edges: Sequence[int] = EDGES, prior_sd: float = PRIOR_SD) -> Offsets:
    """Per history band, the logit offset that makes the served items' predictions match their answers.

    `predicted` is each served item's P as served (with `start`'s offsets already in it), `correct`
    its answer, `attempts` the learner's attempts before it. Returns `start` plus the MAP shift of
    each band (Newton's method on the one-parameter logistic likelihood with a N(0, prior_sd²)
    prior); a band with no answers keeps its start.
    """
    p = np.clip(np.asarray(predicted, dtype=np.float64), 1e-6, 1 - 1e-6)
    y = np.asarray(correct, dtype=np.float64)
    z = np.log(p / (1 - p))
    which = np.searchsorted(np.asarray(edges), np.asarray(attempts), side="right") - 1
    previous = dict(start)
    fitted = []
    for k, edge in enumerate(edges):
        zk, yk = z[which == k], y[which == k]
        shift = 0.0
        for _ in range(NEWTON_STEPS):
            q = 1.0 / (1.0 + np.exp(-(zk + shift)))
            gradient = float((yk - q).sum()) - shift / prior_sd**2
            curvature = float((q * (1 - q)).sum()) + 1.0 / prior_sd**2
            shift += gradient / curvature
        fitted.append((int(edge), previous.get(edge, 0.0) + shift))
    return tuple(fitted)

