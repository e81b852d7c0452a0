"""The one-pass next-best ranking and the mixer's slot counting against their plain forms.

`streams.next_best` keys each candidate once and assigns it to its ladder step and readiness
tier in one pass; `_spread` takes turns by index; `mix` counts what is left of a stream from the
questions used. The plain forms below (round 7's code, written for reading) must rank and pick
the same on random pools: ties in P, untagged and unknown questions, blocked and seen ones,
questions of several concepts or none, every rung of the ladder.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from learner_graph.mixer import streams
from learner_graph.mixer.mix import mix
from learner_graph.mixer.models import KINDS, Candidate, ConceptView, MixInput, StreakView
from learner_graph.mixer.order import TAG_P, key_round
from learner_graph.mixer.settings import MixSettings
from learner_graph.mixer.slots import allocate
from learner_graph.mixer.streams import _spread, next_best, order_of

NOW = datetime(2026, 1, 10, tzinfo=UTC)
CONCEPTS = ["a", "b", "c", "d", "e"]


def plain_spread(ranked: list[Candidate]) -> list[Candidate]:
    queues: dict[str, list[Candidate]] = {}
    for c in ranked:
        queues.setdefault(c.concepts[0] if c.concepts else "", []).append(c)
    spread: list[Candidate] = []
    while queues:
        for concept in list(queues):
            spread.append(queues[concept].pop(0))
            if not queues[concept]:
                del queues[concept]
    return spread


def plain_next_best(data: MixInput, settings: MixSettings) -> list[tuple[Candidate, str]]:
    pool = [c for c in data.candidates if c.question_id not in data.blocked]
    ready = {cid for cid, view in data.concepts.items() if view.ready}

    def distance(c: Candidate) -> float:
        p = c.p_correct if c.known_to_model or c.difficulty_tag is None else TAG_P[c.difficulty_tag]
        return abs(p - settings.target_p)

    def key(c: Candidate) -> tuple[int, float, int]:
        return (0 if any(cid in ready for cid in c.concepts) else 1, key_round(distance(c)),
                order_of(c, settings.seed))

    ladder = [
        ("band", lambda c: distance(c) <= settings.band),
        ("wide_band", lambda c: distance(c) <= 2 * settings.band),
        ("nearest", lambda c: c.known_to_model),
        ("difficulty_tag", lambda c: c.difficulty_tag is not None),
        ("any_unseen", lambda c: c.last_attempt is None),
    ]
    ranked: list[tuple[Candidate, str]] = []
    left = sorted(pool, key=key)
    for name, admits in ladder:
        step = [c for c in left if admits(c)]
        left = [c for c in left if not admits(c)]
        tiers = [[c for c in step if key(c)[0] == tier] for tier in (0, 1)]
        ranked.extend((c, name) for c in plain_spread(tiers[0]) + plain_spread(tiers[1]))
    return ranked


def world(rng: random.Random) -> MixInput:
    candidates = []
    for i in range(rng.randint(0, rng.choice([8, 20, 120]))):  # small pools: streams overlap, slots go spare
        concepts = tuple(rng.sample(CONCEPTS, rng.randint(0, 2)))
        candidates.append(Candidate(
            f"q{i:03d}", concepts,
            rng.choice([0.5, 0.55, 0.6, 0.62, 0.75, 0.8, 0.95, rng.random()]),  # ties on purpose
            rng.choice([None, 1, 2, 3, 4, 5]),
            rng.random() < 0.8,
            rng.choice([None, None, NOW - timedelta(days=rng.randint(0, 9))]),
            rng.choice([None, rng.randrange(2**64), rng.randrange(4)]),
        ))
    views = {
        cid: ConceptView(cid, cid.upper(), level=rng.random(), retrievability=rng.random(),
                         due=rng.choice([None, NOW - timedelta(days=1), NOW + timedelta(days=1)]),
                         last_review=NOW - timedelta(days=3), ready=rng.random() < 0.5)
        for cid in CONCEPTS
    }
    blocked = {c.question_id for c in candidates if rng.random() < 0.1}
    streak = StreakView(current=rng.randint(0, 3), daily_goal=10, today=rng.choice([0, 4, 10]))
    return MixInput(candidates, views, streak, NOW, rng.randint(0, 30), blocked)


@pytest.mark.parametrize("seed", range(60))
def test_next_best_ranks_as_the_plain_ladder(seed: int) -> None:
    rng = random.Random(seed)
    data = world(rng)
    settings = MixSettings(target_p=rng.choice([0.5, 0.6, 0.7]), band=rng.choice([0.05, 0.125]), seed=seed)
    got = [(c.question_id, rung) for c, rung in next_best(data, settings)]
    assert got == [(c.question_id, rung) for c, rung in plain_next_best(data, settings)]


@pytest.mark.parametrize("seed", range(30))
def test_spread_takes_turns_as_the_plain_queue(seed: int) -> None:
    rng = random.Random(seed)
    ranked = world(rng).candidates
    assert _spread(ranked) == plain_spread(ranked)


def plain_mix(data: MixInput, settings: MixSettings, n: int) -> list[tuple[str, str]]:
    """`mix`'s allocation with every stream's offers recounted each round (round 7's form)."""
    offers = {
        "next": [(c.question_id, rung) for c, rung in plain_next_best(data, settings)],
        "review": [(c.question_id, None) for c, _ in streams.review(data, settings)],
        "streak": [(c.question_id, None) for c in streams.streak_wins(data, settings)],
    }
    chosen: dict[str, list[tuple[str, str | None]]] = {k: [] for k in KINDS}
    used: set[str] = set()
    while True:
        available = {k: sum(1 for q, _ in offers[k] if q not in used) + len(chosen[k]) for k in KINDS}
        slots = allocate(n, settings.weights(), available)
        progressed = False
        for kind in sorted(KINDS, key=lambda k: (len(offers[k]), KINDS.index(k))):
            for q, rung in offers[kind]:
                if len(chosen[kind]) >= slots[kind]:
                    break
                if q in used:
                    continue
                chosen[kind].append((q, rung))
                used.add(q)
                progressed = True
        if sum(len(v) for v in chosen.values()) >= n or not progressed:
            break
    depth = max(len(v) for v in chosen.values())
    return [(chosen[k][i][0], k) for i in range(depth) for k in KINDS if i < len(chosen[k])]


def test_mix_picks_as_with_every_offer_recounted() -> None:
    """Over many small worlds: a stream's offers taken by another must leave its slots to others
    (a few worlds in a thousand reach that re-allocation)."""
    for seed in range(1000):
        rng = random.Random(seed)
        data = world(rng)
        settings = MixSettings(seed=seed, weight_next=rng.choice([0.2, 0.4, 0.8]))
        n = rng.choice([3, 5, 10, 30])
        picks = mix(data, settings, n)
        assert [(p.question_id, p.kind) for p in picks] == plain_mix(data, settings, n), seed
