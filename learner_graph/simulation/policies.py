"""The policies a simulated student can follow: the real engine (mixer, next) and two baselines."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from learner_graph.recommendations import pipeline
from learner_graph.recommendations.models import Overrides, RecommendationRequest
from learner_graph.simulation.world import World

POLICIES = ("mixer", "next", "random", "easiest")
RECENT = 30  # the baselines skip the questions among a student's last RECENT attempts


@dataclass(frozen=True)
class Item:
    question_id: str
    kind: str
    p_predicted: float


@dataclass
class Pick:
    """What one request served: the recommendation id (engine policies only), items, latency."""

    recommendation_id: str | None
    items: list[Item]
    latency_ms: float
    arm: str | None = None


@dataclass
class Ask:
    user_id: str
    units: list[str]
    n: int
    now: datetime
    recent: list[str] = field(default_factory=list)


class Policy(Protocol):
    async def pick(self, world: World, ask: Ask, rng: random.Random) -> Pick: ...


@dataclass
class EnginePolicy:
    """`pipeline.recommend`, as the route runs it; `overrides` as an admin request would send them."""

    overrides: Overrides | None = None
    experiments: bool = False

    async def pick(self, world: World, ask: Ask, rng: random.Random) -> Pick:
        started = time.perf_counter()
        out = await pipeline.recommend(
            db=world.db,
            catalogs=world.catalogs,
            models=world.models,
            pinned=world.runtime.pinned,
            experiments=world.runtime.experiments if self.experiments else None,
            request=RecommendationRequest(
                user_id=ask.user_id, units=ask.units, n=ask.n, seed=rng.randrange(2**31),
                overrides=self.overrides,
            ),
            now=ask.now,
        )
        items = [Item(i.question_id, i.kind, i.p_correct) for i in out.items]
        return Pick(out.id, items, (time.perf_counter() - started) * 1000.0, out.arm)


class RandomPolicy:
    """Questions drawn uniformly from the units (skipping recent ones)."""

    async def pick(self, world: World, ask: Ask, rng: random.Random) -> Pick:
        started = time.perf_counter()
        version = (await world.db.read("rec_content_version"))[0]["version"]
        pool = sorted(set(await world.catalogs.resolve(world.db, version, ask.units)) - set(ask.recent))
        chosen = rng.sample(pool, min(ask.n, len(pool)))
        return Pick(None, [Item(q, "random", float("nan")) for q in chosen], _ms(started))


class EasiestPolicy:
    """The questions the engine's own predictions call most likely right (skipping recent ones)."""

    async def pick(self, world: World, ask: Ask, rng: random.Random) -> Pick:
        started = time.perf_counter()
        out = await pipeline.predictions(
            db=world.db, catalogs=world.catalogs, models=world.models,
            user_id=ask.user_id, units=ask.units, questions=[],
        )
        recent = set(ask.recent)
        ranked = sorted(
            (p for p in out.predictions if p["question_id"] not in recent),
            key=lambda p: (-p["p_correct"], p["question_id"]),
        )
        items = [Item(p["question_id"], "easiest", p["p_correct"]) for p in ranked[: ask.n]]
        return Pick(None, items, _ms(started))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0


def make_policy(name: str, *, experiments: bool = False) -> Policy:
    """`mixer` (default weights), `next` (weights 1/0/0), `random`, `easiest`."""
    if name == "mixer":
        return EnginePolicy(experiments=experiments)
    if name == "next":
        return EnginePolicy(Overrides(weight_next=1.0, weight_review=0.0, weight_streak=0.0), experiments)
    if name == "random":
        return RandomPolicy()
    if name == "easiest":
        return EasiestPolicy()
    raise ValueError(f"unknown policy {name!r}; choose from {', '.join(POLICIES)}")
