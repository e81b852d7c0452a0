"""Cut a large candidate set down to the few hundred the mixer could possibly pick.

The mixer ranks in pure Python, which costs about 35 µs a candidate: fine for a section, half a
second for a subject of 14k questions. The shortlist keeps, with numpy, every candidate that can
reach the first `keep` places of any stream under the mixer's own ordering (readiness, distance
to the target, keyed tie-break), plus each concept's best, so the picks stay the same.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from learner_graph.mixer.models import ConceptView, MixSettings
from learner_graph.mixer.streams import TAG_P, tiebreak

SMALL = 600  # below this many candidates the mixer sees them all


def keep_for(n: int) -> int:
    return max(200, 20 * n)


def tiebreaks(seed: int, question_ids: list[str], cache: dict[tuple[int, str], int]) -> np.ndarray:
    """The mixer's tie-break of each question, computed once per (seed, question) per process."""
    values = []
    for q in question_ids:
        key = (seed, q)
        value = cache.get(key)
        if value is None:
            value = cache[key] = tiebreak(seed, q)
        values.append(value)
    return np.array(values, dtype=np.uint64)


def shortlist(
    question_ids: list[str],
    p: np.ndarray,
    known: np.ndarray,
    tags: list[int | None],
    concepts: list[tuple[str, ...]],
    views: dict[str, ConceptView],
    blocked: set[str],
    now: datetime,
    settings: MixSettings,
    n: int,
    cache: dict[tuple[int, str], int],
) -> np.ndarray:
    """Indexes of the candidates worth ranking, in their original order."""
    if len(question_ids) <= SMALL:
        return np.arange(len(question_ids))
    keep = keep_for(n)
    open_ = np.array([q not in blocked for q in question_ids])
    ready = {cid for cid, v in views.items() if v.ready}
    due = {cid for cid, v in views.items() if v.due is not None and v.due <= now}
    not_ready = np.array([0 if any(c in ready for c in cs) else 1 for cs in concepts])
    in_due = np.array([any(c in due for c in cs) for cs in concepts])
    tag_p = np.array([TAG_P.get(t or 3, 0.55) for t in tags])
    p_eff = np.where(known | np.array([t is None for t in tags]), p, tag_p)
    distance = np.round(np.abs(p_eff - settings.target_p), 3)
    tb = tiebreaks(settings.seed, question_ids, cache)
    middle = (settings.review_low + settings.review_high) / 2
    chosen: set[int] = set()
    orders = [
        np.lexsort((tb, distance, not_ready)),  # next-best ladder, ready concepts first
        np.lexsort((tb, distance)),  # the band regardless of readiness
        np.lexsort((tb, -np.round(p, 3))),  # streak quick wins
    ]
    for order in orders:
        order = order[open_[order]]
        chosen.update(order[:keep].tolist())
        main = np.array([cs[0] if cs else "" for cs in concepts], dtype=object)[order]
        _, first = np.unique(main.astype(str), return_index=True)
        chosen.update(order[first].tolist())  # each concept's best, for the spread across concepts
    review = np.lexsort((tb, np.abs(p - middle)))
    review = review[open_[review] & in_due[review]]
    per_concept: dict[str, int] = {}
    for i in review.tolist():  # each due concept's three questions nearest the review band's middle
        for c in concepts[i]:
            if c in due and per_concept.get(c, 0) < 3:
                per_concept[c] = per_concept.get(c, 0) + 1
                chosen.add(i)
    return np.array(sorted(chosen), dtype=np.int64)
