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
    not_ready = (~table.any_concept(ready_c))[rows].astype(np.int64)
    tag_p = table.tag_p[rows]
    p_eff = np.where(known | np.isnan(tag_p), p, tag_p)
    main_concept = table.main_concept[rows]
    # Each ordering as one int64 key (argsort of one key is several times faster than lexsort of
    # three): tier and distance (rounded to 0.001, as the mixer does) on top, the tie-break's high
    # 50 bits below. Equal high bits of two tie-breaks (odds about 1e-7 a request) merely order
    # those two arbitrarily at the edge of `keep`.
    low = (tb >> np.uint64(14)).astype(np.int64)
    milli = key_units(np.abs(p_eff - settings.target_p))
    quick = KEY_SCALE - key_units(p)
    chosen: list[np.ndarray] = []
    keys = [
        (not_ready << 61) | (milli << 50) | low,  # next-best ladder, ready concepts first
        (milli << 50) | low,  # the band regardless of readiness
        (quick << 50) | low,  # streak quick wins
    ]
    for key in keys:
        order = np.argsort(key)
        order = order[open_[order]]
        chosen.append(order[:keep])
        chosen.append(_firsts(order, main_concept + 1, len(table.concept_ids) + 1))  # each concept's best
    chosen.append(_review_options(table, rows, p, tb, open_, due_c, settings))
    return np.unique(np.concatenate(chosen))


def _firsts(order: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """The first entry of `order` in each group (`groups[i]` in [0, n_groups)), in O(n)."""
    ranked = groups[order]
    first = np.full(n_groups, len(ranked))
    np.minimum.at(first, ranked, np.arange(len(ranked)))
    return order[first[first < len(ranked)]]


def _review_options(
    table: QuestionTable, rows: np.ndarray, p: np.ndarray, tb: np.ndarray, open_: np.ndarray,
    due_c: np.ndarray, settings: MixSettings,
) -> np.ndarray:
    """Each due concept's `REVIEW_OPTIONS` open candidates nearest the review band's middle."""
    middle = (settings.review_low + settings.review_high) / 2
    selected = np.flatnonzero(open_ & table.any_concept(due_c)[rows])
    if not len(selected):
        return selected
    ranked = selected[np.lexsort((tb[selected], np.abs(p[selected] - middle)))]
    rank = np.empty(len(rows), dtype=np.int64)
    rank[ranked] = np.arange(len(ranked))
    candidate_of_row = np.full(len(table.ids), -1, dtype=np.int64)
    candidate_of_row[rows[selected]] = selected
    candidate = candidate_of_row[table.pair_row]
    concept = table.pair_concept
    keep = candidate >= 0
    keep[keep] = due_c[concept[keep]]
    candidate, concept = candidate[keep], concept[keep]
    order = np.lexsort((rank[candidate], concept))
    candidate, concept = candidate[order], concept[order]
    starts = np.flatnonzero(np.r_[True, concept[1:] != concept[:-1]])
    within = np.arange(len(concept)) - np.repeat(starts, np.diff(np.r_[starts, len(concept)]))
    return candidate[within < REVIEW_OPTIONS]
