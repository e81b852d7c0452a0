"""Sharing n slots between streams by largest remainder."""

from __future__ import annotations

import math

from learner_graph.mixer.models import KINDS, Kind


def allocate(n: int, weights: dict[Kind, float], available: dict[Kind, int]) -> dict[Kind, int]:
    """Slots per stream: proportional to weight (largest remainder), never more than a stream has.

    A stream with too few candidates gives what it cannot use to the others, again by weight;
    ties go to the stream listed first in KINDS.
    """
    slots: dict[Kind, int] = dict.fromkeys(KINDS, 0)
    remaining = min(n, sum(available.values()))
    while remaining > 0:
        open_kinds = [k for k in KINDS if available.get(k, 0) > slots[k] and weights.get(k, 0) > 0]
        if not open_kinds:
            open_kinds = [k for k in KINDS if available.get(k, 0) > slots[k]]
        total = sum(weights.get(k, 0) for k in open_kinds) or float(len(open_kinds))
        quotas = {k: remaining * (weights.get(k, 0) or (total / len(open_kinds))) / total for k in open_kinds}
        share = {k: math.floor(q) for k, q in quotas.items()}
        left = remaining - sum(share.values())
        by_remainder = sorted(open_kinds, key=lambda k: (-(quotas[k] - share[k]), KINDS.index(k)))
        for k in by_remainder[:left]:
            share[k] += 1
        granted = 0
        for k in open_kinds:
            take = min(share[k], available[k] - slots[k])
            slots[k] += take
            granted += take
        remaining -= granted
        if granted == 0:
            break
    return slots
