"""Steps 6 and 7 of a recommendation, pure: P(correct) of every candidate, then what the mixer ranks.

`score` runs the live fit on the student's in-scope history (tag difficulty when there is no
model); `mix_input` shortlists the scored candidates and builds the concept views, the streak and
the blocked set. Both are called by `pipeline.recommend` (and `score` by `pipeline.predictions`,
both by the in-process simulation); neither touches storage.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import numpy as np

from learner_graph.learners.memory import make_scheduler
from learner_graph.mixer.models import Candidate, MixInput
from learner_graph.mixer.order import UNTAGGED_P, tiebreaks
from learner_graph.mixer.settings import MixSettings
from learner_graph.model import History, QuestionSide, predict, predict_rows
from learner_graph.model.live import ItemRows
from learner_graph.recommendations.catalog import Catalog
from learner_graph.recommendations.models import RecommendationRequest
from learner_graph.recommendations.shortlist import shortlist
from learner_graph.recommendations.student import Student

ITEM_SETS = 32  # candidate sets whose side rows are kept per model (a subject's: about 1.5 MB)


@dataclass(frozen=True)
class Scored:
    """The candidates' P(correct), row for row, and what the scoring knew."""

    rows: np.ndarray  # question rows of the catalog's table
    p: np.ndarray
    known: np.ndarray  # bool per question: the model has a trained vector for it
    model_version: str | None
    attempts_in_scope: int


def score(
    *,
    side: QuestionSide | None,
    learner: Student,
    scope_rows: np.ndarray | None,
    rows: np.ndarray,
    catalog: Catalog,
    now: datetime | None = None,
) -> Scored:
    """P(correct) of every candidate row from the live fit (tag difficulty when there is no model),
    as of `now` (the model's forgetting term counts back from it; None: the last attempt's time)."""
    history = learner.history_rows(in_rows(catalog, scope_rows))
    if side is None:
        tag_p = catalog.table.tag_p[rows]
        p = np.where(np.isnan(tag_p), UNTAGGED_P, tag_p)
        return Scored(rows, p, np.zeros(len(rows), dtype=bool), None, len(history))
    at, items = side_items(side, catalog, rows)
    if items is not None:
        p = predict_rows(side, History.from_rows(history, now=now), at, items)
        return Scored(rows, p, np.ones(len(rows), dtype=bool), side.model_id, len(history))
    # Questions newer than the loaded model: cold-started from their metadata, per request.
    ids = [catalog.table.ids[r] for r in rows.tolist()]
    meta = {
        q: {
            "text": catalog.questions[q].text,
            "concept_ids": list(catalog.questions[q].concept_ids),
            "difficulty_tag": catalog.questions[q].difficulty_tag,
        }
        for q, i in zip(ids, at.tolist(), strict=True)
        if i < 0
    }
    p = predict(side, History.from_rows(history, now=now), ids, question_meta=meta)
    return Scored(rows, p, at >= 0, side.model_id, len(history))


def in_rows(catalog: Catalog, rows: np.ndarray | None) -> Callable[[str], bool] | None:
    """A membership test of question ids against sorted rows (None: every question)."""
    if rows is None:
        return None
    mask = np.zeros(len(catalog.table.ids), dtype=bool)
    mask[rows] = True
    position = catalog.table.position

    def test(question_id: str) -> bool:
        row = position.get(question_id)
        return row is not None and bool(mask[row])

    return test


def side_items(side: QuestionSide, catalog: Catalog, rows: np.ndarray) -> tuple[np.ndarray, ItemRows | None]:
    """The candidates' indexes in the side, and the side's rows for them when it knows them all.

    Kept per candidate set for read-only `rows` (the catalog's resolved units, shared by requests),
    so a request scores its student with one small matrix-vector product over its candidates."""
    index = side_rows(side, catalog)  # first: a new catalog version drops the sets kept for the old
    kept: OrderedDict[int, tuple[weakref.ref[np.ndarray], np.ndarray, ItemRows | None]]
    kept = side.cache.setdefault(f"items:{catalog.version}", OrderedDict())
    entry = kept.get(id(rows))
    if entry is not None and entry[0]() is rows:  # the same array, not a new one at a reused address
        kept.move_to_end(id(rows))
        return entry[1], entry[2]
    at = index[rows]
    items = ItemRows.of(side, at) if len(at) == 0 or at.min() >= 0 else None
    if not rows.flags.writeable:
        kept[id(rows)] = (weakref.ref(rows), at, items)
        if len(kept) > ITEM_SETS:
            kept.popitem(last=False)
    return at, items


def side_rows(side: QuestionSide, catalog: Catalog) -> np.ndarray:
    """Each catalog row's index in the model's question side (-1 when the side lacks it), cached."""
    key = f"catalog-rows:{catalog.version}"
    rows = side.cache.get(key)
    if rows is None:
        for old in [k for k in side.cache if k.startswith(("catalog-rows:", "items:"))]:
            del side.cache[old]
        get = side.index.get
        rows = side.cache[key] = np.array([get(q, -1) for q in catalog.table.ids], dtype=np.int64)
    return cast(np.ndarray, rows)


def mix_input(
    *,
    scored: Scored,
    learner: Student,
    catalog: Catalog,
    request: RecommendationRequest,
    now: datetime,
    settings: MixSettings,
) -> MixInput:
    """What the mixer ranks: the shortlisted candidates, the concept states, the streak, what is blocked."""
    scheduler = make_scheduler(settings.review_retention)
    last = learner.last_attempts()
    views = learner.concept_views(catalog, now, scheduler, concept_p(catalog, scored),
                                  reached=settings.known_p)
    blocked = learner.rejected | set(request.context.exclude) | learner.recent(now, settings.recent_hours)
    table = catalog.table
    tb = tiebreaks(settings.seed, table.hashes[scored.rows])  # once, for the shortlist and the mixer
    keep = shortlist(table, scored.rows, scored.p, scored.known, tb, views, blocked, now, settings, request.n)
    ids, questions, last_at = table.ids, catalog.questions, last.get
    shortlisted = []
    for row, p, known, order in zip(
        scored.rows[keep].tolist(), scored.p[keep].tolist(), scored.known[keep].tolist(), tb[keep].tolist(),
        strict=True,
    ):
        question_id = ids[row]
        meta = questions[question_id]
        # Positional, in `Candidate`'s field order: question_id, concepts, p_correct, difficulty_tag,
        # known_to_model, last_attempt, tiebreak (a few hundred a request).
        shortlisted.append(Candidate(
            question_id, meta.concept_ids, p, meta.difficulty_tag, known, last_at(question_id), order
        ))
    return MixInput(
        candidates=shortlisted,
        concepts=views,
        streak=learner.streak(now, settings.daily_goal_scale),
        now=now,
        attempts_in_scope=scored.attempts_in_scope,
        blocked=blocked,
    )


def concept_p(catalog: Catalog, scored: Scored) -> dict[str, float]:
    """The mean predicted P(correct) over each concept's scored questions (what readiness reads)."""
    table = catalog.table
    at = np.full(len(table.ids), np.nan)
    at[scored.rows] = scored.p
    p = at[table.pair_row]
    keep = ~np.isnan(p)
    columns = table.pair_concept[keep]
    total = np.bincount(columns, weights=p[keep], minlength=len(table.concept_ids))
    count = np.bincount(columns, minlength=len(table.concept_ids))
    return {table.concept_ids[k]: float(total[k] / count[k]) for k in np.flatnonzero(count).tolist()}

