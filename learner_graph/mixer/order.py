"""How candidates are ordered, once: tie-breaks, the P a difficulty tag stands for, key rounding.

The mixer's streams (`streams.py`) rank candidates one by one in Python; the shortlist
(`recommendations/shortlist.py`) ranks whole arrays with numpy and must agree with them. Both
take every part of the order from here: the scalar and the array form of each rule sit side by
side, and `tests/unit/mixer/test_order.py` checks that each pair gives the same values.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

# P(correct) a difficulty tag stands for when the model knows nothing of a question.
TAG_P = {1: 0.85, 2: 0.7, 3: 0.55, 4: 0.4, 5: 0.25}
UNTAGGED_P = TAG_P[3]

# Distances and probabilities in ordering keys are rounded to 0.001, so that near-equal values
# fall to the tie-break rather than to floating-point noise.
KEY_DECIMALS = 3
KEY_SCALE = 10**KEY_DECIMALS

MASK64 = (1 << 64) - 1
_MIX1, _MIX2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB  # SplitMix64's finaliser constants


def key_round(x: float) -> float:
    """A distance or probability as it enters an ordering key."""
    return round(x, KEY_DECIMALS)


def key_units(x: np.ndarray) -> np.ndarray:
    """`key_round` for arrays, as integers of 1/KEY_SCALE (what the shortlist packs into its keys)."""
    return np.rint(x * KEY_SCALE).astype(np.int64)


def mix64(x: int) -> int:
    """SplitMix64's finaliser: a bijection of 64-bit integers that scatters neighbouring inputs."""
    x = ((x ^ (x >> 30)) * _MIX1) & MASK64
    x = ((x ^ (x >> 27)) * _MIX2) & MASK64
    return x ^ (x >> 31)


@lru_cache(maxsize=1 << 18)
def question_hash(question_id: str) -> int:
    """A question's 64-bit digest, computed once per process (the catalog keeps them as an array)."""
    return int.from_bytes(hashlib.blake2b(question_id.encode(), digest_size=8).digest(), "big")


def tiebreak(seed: int, question_id: str) -> int:
    """A stable pseudo-random order: same seed and inputs, same answer, on every replica."""
    return mix64(question_hash(question_id) ^ mix64(seed & MASK64))


def tiebreaks(seed: int, hashes: np.ndarray) -> np.ndarray:
    """`tiebreak` of every question digest at once (uint64 arithmetic wraps like `& MASK64`)."""
    x = hashes.astype(np.uint64) ^ np.uint64(mix64(seed & MASK64))
    x = (x ^ (x >> np.uint64(30))) * np.uint64(_MIX1)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(_MIX2)
    return x ^ (x >> np.uint64(31))
