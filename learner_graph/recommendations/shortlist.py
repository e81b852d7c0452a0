"""Cut a large candidate set down to the few hundred the mixer could possibly pick.

The mixer ranks in pure Python, which costs about 35 µs a candidate: fine for a section, half a
second for a subject of 14k questions. The shortlist keeps, with numpy over the catalog's
question table, every candidate that can reach the first `keep` places of any stream under the
mixer's own ordering (readiness, distance to the target, keyed tie-break), plus each concept's
best, so the picks stay the same.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from learner_graph.mixer.models import ConceptView
from learner_graph.mixer.order import KEY_SCALE, key_units
from learner_graph.mixer.settings import MixSettings
from learner_graph.recommendations.catalog import QuestionTable

SMALL = 150  # below this many candidates the mixer sees them all (a shortlist is about this long)
REVIEW_OPTIONS = 3  # questions kept per due concept


def keep_for(n: int) -> int:
    return max(40, 4 * n)


def concept_flags(
    table: QuestionTable, views: dict[str, ConceptView], now: datetime
) -> tuple[np.ndarray, np.ndarray]:
    """Per concept column of the table: ready to learn, and due for review."""
    ready = np.zeros(len(table.concept_ids), dtype=bool)
    due = np.zeros(len(table.concept_ids), dtype=bool)
    for cid, view in views.items():
        k = table.concept_position.get(cid)
        if k is not None:
            ready[k] = view.ready
            due[k] = view.due is not None and view.due <= now
    return ready, due


def shortlist(
    table: QuestionTable,
    rows: np.ndarray,
    p: np.ndarray,
    known: np.ndarray,
    tb: np.ndarray,
    views: dict[str, ConceptView],
    blocked: set[str],
    now: datetime,
    settings: MixSettings,
    n: int,
) -> np.ndarray:
    """Indexes into `rows` (sorted question rows) of the candidates worth ranking, in order.

    `tb` is each candidate's tie-break for this request's seed (`order.tiebreaks`).
    """
    if len(rows) <= SMALL:
        return np.arange(len(rows))
    keep = keep_for(n)
    open_ = ~np.isin(rows, table.rows(blocked))
    ready_c, due_c = concept_flags(table, views, now)
    # Only the set kept matters (the mixer ranks it again): each ordering's first `keep` open
    # candidates by partition, and each concept's best by a grouped minimum, not a full sort.
    at = np.flatnonzero(open_)  # positions in `rows` of the open candidates
    open_rows = rows[at]
    not_ready = (~table.any_concept(ready_c))[open_rows].astype(np.int64)
    tag_p = table.tag_p[open_rows]
    p_eff = np.where(known[at] | np.isnan(tag_p), p[at], tag_p)
    groups = table.main_concept[open_rows] + 1  # 0: questions without a concept
    # Each ordering as one int64 key (one key ranks several times faster than a lexsort of three):
    # tier and distance (rounded to 0.001, as the mixer does) on top, the tie-break's high 50 bits
    # below. Equal high bits of two tie-breaks (odds about 1e-7 a request) merely let either of the
    # two in at the edge of `keep`.
    low = (tb[at] >> np.uint64(14)).astype(np.int64)
    milli = key_units(np.abs(p_eff - settings.target_p))
    quick = KEY_SCALE - key_units(p[at])
    keys = [
        (not_ready << 61) | (milli << 50) | low,  # next-best ladder, ready concepts first
        (milli << 50) | low,  # the band regardless of readiness
        (quick << 50) | low,  # streak quick wins
    ]
    chosen: list[np.ndarray] = []
    for key in keys:
        chosen.append(at[_smallest(key, keep)])
        chosen.append(at[_group_minima(key, groups, len(table.concept_ids) + 1)])
    chosen.append(_review_options(table, rows, p, tb, open_, due_c, settings))
    return np.unique(np.concatenate(chosen))


def _smallest(key: np.ndarray, k: int) -> np.ndarray:
    """Positions of the `k` smallest keys, in no particular order (all of them when there are fewer)."""
    if len(key) <= k:
        return np.arange(len(key))
    return np.argpartition(key, k - 1)[:k]


def _group_minima(key: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Positions of each group's smallest key (`groups[i]` in [0, n_groups)); ties keep every one."""
    minima = np.full(n_groups, np.iinfo(np.int64).max)
    np.minimum.at(minima, groups, key)
    return np.flatnonzero(key == minima[groups])


def _review_options(
    table: QuestionTable, rows: np.ndarray, p: np.ndarray, tb: np.ndarray, open_: np.ndarray,
    due_c: np.ndarray, settings: MixSettings,
) -> np.ndarray:
    """Each due concept's `REVIEW_OPTIONS` open candidates nearest the review band's middle."""
    middle = (settings.review_low + settings.review_high) / 2
    # The (open candidate, due concept) pairs, in the table's pair order: the pairs of due concepts
    # first (few), then those whose question is an open candidate.
    due_pairs = np.flatnonzero(due_c[table.pair_concept])
    open_at = np.flatnonzero(open_)
    candidate_of_row = np.full(len(table.ids), -1, dtype=np.int64)
    candidate_of_row[rows[open_at]] = open_at
    candidate = candidate_of_row[table.pair_row[due_pairs]]
    concept = table.pair_concept[due_pairs]
    keep = candidate >= 0
    candidate, concept = candidate[keep], concept[keep]
    if not len(candidate):
        return candidate
    # Only each concept's nearest few can be among its first options: cut to them (ties kept), so
    # the sort by concept, then as the mixer ranks options, runs over a few pairs a concept, not
    # thousands (a three-key `lexsort` of a subject's pairs was half the shortlist's time).
    distance = np.abs(p[candidate] - middle)
    near = _nearest_in_group(distance, concept, REVIEW_OPTIONS)
    candidate, concept, distance = candidate[near], concept[near], distance[near]
    order = np.lexsort((tb[candidate], distance, concept))
    candidate, concept = candidate[order], concept[order]
    starts = np.flatnonzero(np.r_[True, concept[1:] != concept[:-1]])
    within = np.arange(len(concept)) - np.repeat(starts, np.diff(np.r_[starts, len(concept)]))
    return candidate[within < REVIEW_OPTIONS]


def _nearest_in_group(values: np.ndarray, groups: np.ndarray, k: int) -> np.ndarray:
    """Mask of the entries no greater than their group's `k`-th smallest value (every tie kept):
    whatever breaks ties, each group's first `k` by value are among them."""
    order = np.argsort(values)  # any order among equal values: only the values are read
    small = groups.astype(np.int16) if groups.max() < np.iinfo(np.int16).max else groups
    order = order[np.argsort(small[order], kind="stable")]  # by group, by value within it
    grouped = groups[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    kth = values[order][starts + np.minimum(sizes, k) - 1]
    mask = np.zeros(len(values), dtype=bool)
    mask[order[values[order] <= np.repeat(kth, sizes)]] = True
    return mask
