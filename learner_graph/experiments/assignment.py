"""Deterministic assignment, bit-for-bit compatible with GrowthBook's SDKs.

No storage is needed to assign: the arm is a pure function of the experiment definition and the
user id, so every replica agrees and a restart changes nothing. Checked against GrowthBook's
language-agnostic `cases.json` (tests/fixtures/growthbook_cases.json).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from learner_graph.experiments.models import Experiment, Namespace

_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193
_WEIGHT_TOLERANCE = 0.01  # GrowthBook falls back to equal weights outside [0.99, 1.01]


def fnv1a32(text: str) -> int:
    """FNV-1a, 32 bits, over code points like GrowthBook's Python SDK (its JS SDK agrees on the BMP)."""
    value = _FNV_OFFSET
    for char in text:
        value ^= ord(char)
        value = (value * _FNV_PRIME) & 0xFFFFFFFF
    return value


def hash_v1(seed: str, value: str) -> float:
    """GrowthBook `hash(seed, value, 1)`: 1,000 buckets; still used for namespaces."""
    return (fnv1a32(value + seed) % 1000) / 1000


def hash_v2(seed: str, value: str) -> float:
    """GrowthBook `hash(seed, value, 2)`: the double hash that decorrelates similar seeds."""
    return (fnv1a32(str(fnv1a32(seed + value))) % 10000) / 10000


def equal_weights(n_arms: int) -> list[float]:
    return [1.0 / n_arms] * n_arms if n_arms > 0 else []


def bucket_ranges(n_arms: int, coverage: float, weights: Sequence[float] | None) -> list[tuple[float, float]]:
    """Arm i owns [start_i, start_i + coverage * w_i) where start_i is the sum of earlier weights.

    Because each range starts where the full-coverage range would, raising coverage only widens
    ranges: nobody already in an arm moves (GrowthBook's `getBucketRanges`).
    """
    coverage = min(max(coverage, 0.0), 1.0)
    chosen = list(weights) if weights is not None else []
    if len(chosen) != n_arms or abs(sum(chosen) - 1) > _WEIGHT_TOLERANCE:
        chosen = equal_weights(n_arms)
    ranges, cumulative = [], 0.0
    for weight in chosen:
        start = cumulative
        cumulative += weight
        ranges.append((start, start + coverage * weight))
    return ranges


def choose_variation(n: float, ranges: Sequence[tuple[float, float]]) -> int:
    """Index of the range holding `n`, or -1 when `n` falls in no range (outside coverage)."""
    for index, (start, end) in enumerate(ranges):
        if start <= n < end:
            return index
    return -1


def in_namespace(user_id: str, namespace: Namespace | tuple[str, float, float]) -> bool:
    """Whether the user falls in the namespace's range; disjoint ranges make experiments exclusive."""
    if isinstance(namespace, tuple):
        name, start, end = namespace
    else:
        name, (start, end) = namespace.name, namespace.range
    n = hash_v1("__" + name, user_id)
    return start <= n < end


def choose_arm(experiment: Experiment, user_id: str) -> str | None:
    """The arm name the user gets, or None when outside the namespace or the coverage."""
    if not user_id:
        return None
    if experiment.namespace is not None and not in_namespace(user_id, experiment.namespace):
        return None
    ranges = bucket_ranges(len(experiment.arms), experiment.coverage, [a.weight for a in experiment.arms])
    index = choose_variation(hash_v2(experiment.seed, user_id), ranges)
    return experiment.arms[index].name if index >= 0 else None
