"""Blend the three streams into n picks, each explained."""

from __future__ import annotations

from learner_graph.mixer import explain, streams
from learner_graph.mixer.models import KINDS, Kind, MixInput, MixSettings, Pick
from learner_graph.mixer.slots import allocate


def mix(data: MixInput, settings: MixSettings, n: int) -> list[Pick]:
    """n picks (fewer when candidates run out), no question twice, deterministic for a seed.

    Slots go to streams by largest remainder of their weights; a stream that runs short gives its
    slots to the others. Picks are interleaved next, review, streak so a session varies.
    """
    offers: dict[Kind, list[Pick]] = {
        "next": [
            Pick(
                c.question_id, "next", c.p_correct, c.concepts, explain.explain_next(c, data, settings, f), f
            )
            for c, f in streams.next_best(data, settings)
        ],
        "review": [
            Pick(
                c.question_id, "review", c.p_correct, c.concepts, explain.explain_review(c, v, data, settings)
            )
            for c, v in streams.review(data, settings)
        ],
        "streak": [
            Pick(c.question_id, "streak", c.p_correct, c.concepts, explain.explain_streak(c, data, settings))
            for c in streams.streak_wins(data, settings)
        ],
    }
    chosen: dict[Kind, list[Pick]] = {k: [] for k in KINDS}
    used: set[str] = set()
    # Allocate, fill, and re-allocate while overlaps between streams leave slots empty.
    while True:
        available = {
            k: len([p for p in offers[k] if p.question_id not in used]) + len(chosen[k]) for k in KINDS
        }
        slots = allocate(n, settings.weights(), available)
        progressed = False
        for kind in KINDS:
            for pick in offers[kind]:
                if len(chosen[kind]) >= slots[kind]:
                    break
                if pick.question_id in used:
                    continue
                chosen[kind].append(pick)
                used.add(pick.question_id)
                progressed = True
        if sum(len(v) for v in chosen.values()) >= n or not progressed:
            break
    return _interleave(chosen)


def _interleave(chosen: dict[Kind, list[Pick]]) -> list[Pick]:
    order: list[Pick] = []
    depth = max((len(v) for v in chosen.values()), default=0)
    for i in range(depth):
        order.extend(chosen[k][i] for k in KINDS if i < len(chosen[k]))
    return order
