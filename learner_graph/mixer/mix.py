"""Blend the three streams into n picks, each explained."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from learner_graph.mixer import explain, streams
from learner_graph.mixer.models import KINDS, Candidate, ConceptView, Kind, MixInput, Pick
from learner_graph.mixer.settings import MixSettings
from learner_graph.mixer.slots import allocate


def mix(data: MixInput, settings: MixSettings, n: int) -> list[Pick]:
    """n picks (fewer when candidates run out), no question twice, deterministic for a seed.

    Slots go to streams by largest remainder of their weights; a stream that runs short gives its
    slots to the others. Picks are interleaved next, review, streak so a session varies.
    """
    # Offers are (question id, what explains it); only the n chosen picks are built and explained
    # (explaining every candidate cost seconds on a subject of 14k questions).
    next_best, review = streams.next_best(data, settings), streams.review(data, settings)
    streak = streams.streak_wins(data, settings)
    offers: dict[Kind, list[tuple[Candidate, Any]]] = {
        "next": next_best,
        "review": review,
        "streak": [(c, None) for c in streak],
    }
    chosen: dict[Kind, list[Pick]] = {k: [] for k in KINDS}
    used: set[str] = set()
    # How often each question is offered by each stream: what is left of a stream is its offers
    # less those of the few questions used, counted without walking every offer again.
    offered = {k: Counter(c.question_id for c, _ in offers[k]) for k in KINDS}
    # Allocate, fill, and re-allocate while overlaps between streams leave slots empty.
    while True:
        available = {
            k: len(offers[k]) - sum(offered[k][q] for q in used) + len(chosen[k]) for k in KINDS
        }
        slots = allocate(n, settings.weights(), available)
        progressed = False
        # Scarce streams fill first: a due review must not lose its one question to next-best,
        # which has plenty of others.
        for kind in sorted(KINDS, key=lambda k: (len(offers[k]), KINDS.index(k))):
            for candidate, extra in offers[kind]:
                if len(chosen[kind]) >= slots[kind]:
                    break
                if candidate.question_id in used:
                    continue
                chosen[kind].append(_PICKERS[kind](candidate, extra, data, settings))
                used.add(candidate.question_id)
                progressed = True
        if sum(len(v) for v in chosen.values()) >= n or not progressed:
            break
    return _interleave(chosen)


def _next_pick(c: Candidate, fallback: str, data: MixInput, settings: MixSettings) -> Pick:
    explanation = explain.explain_next(c, data, settings, fallback)
    return Pick(c.question_id, "next", c.p_correct, c.concepts, explanation, fallback)


def _review_pick(c: Candidate, view: ConceptView, data: MixInput, settings: MixSettings) -> Pick:
    explanation = explain.explain_review(c, view, data, settings)
    return Pick(c.question_id, "review", c.p_correct, c.concepts, explanation)


def _streak_pick(c: Candidate, _: None, data: MixInput, settings: MixSettings) -> Pick:
    return Pick(c.question_id, "streak", c.p_correct, c.concepts, explain.explain_streak(c, data, settings))


_PICKERS: dict[Kind, Callable[[Candidate, Any, MixInput, MixSettings], Pick]] = {
    "next": _next_pick,
    "review": _review_pick,
    "streak": _streak_pick,
}


def _interleave(chosen: dict[Kind, list[Pick]]) -> list[Pick]:
    order: list[Pick] = []
    depth = max((len(v) for v in chosen.values()), default=0)
    for i in range(depth):
        order.extend(chosen[k][i] for k in KINDS if i < len(chosen[k]))
    return order
