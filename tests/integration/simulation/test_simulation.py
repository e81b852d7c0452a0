"""Simulated students through the real engine, write paths and experiment service (small runs)."""

from __future__ import annotations

import asyncio
from typing import Any

from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.simulation import experiment
from learner_graph.simulation.compare import compare_policies, prepare
from learner_graph.simulation.runner import Plan
from learner_graph.simulation.world import World, open_world
from seed.curriculum import build_curriculum

PLAN = Plan(steps=2, n=3, steps_per_session=1, units=("math.fractions",))


def small_curriculum(per_section: int = 4) -> dict[str, Any]:
    """The demo curriculum with a few questions per section (fast to import)."""
    document = build_curriculum()
    kept: set[str] = set()
    for unit in document["units"]:
        unit["questions"] = unit["questions"][:per_section]
        kept.update(unit["questions"])
    document["questions"] = [q for q in document["questions"] if q["id"] in kept]
    return document


def in_world(settings: Settings, work: Any) -> Any:
    async def main() -> Any:
        async with open_world(settings, seed=3, document=small_curriculum()) as world:
            await prepare(world, warmup=0, model_dir=settings.model_dir, seed=3)
            return await work(world)

    return asyncio.run(main())


def count(db: Driver, query: str) -> int:
    return int(db.execute_query(query).records[0][0])


def test_every_policy_runs_and_records_through_the_real_paths(db: Driver, settings: Settings) -> None:
    async def work(world: World) -> dict[str, Any]:
        return await compare_policies(
            world, policies=["mixer", "next", "random", "easiest"], students=3, plan=PLAN, seed=3
        )

    result = in_world(settings, work)
    policies = result["policies"]
    assert set(policies) == {"mixer", "next", "random", "easiest"}
    for row in policies.values():
        assert row["recommendations"] == 3 * PLAN.steps
        assert row["attempts"] + round(row["dismissals_per_100"] * row["served"] / 100) == row["served"]
    attempts = sum(row["attempts"] for row in policies.values())
    assert count(db, "MATCH (:User)-[:ATTEMPTED]->(a:Attempt) RETURN count(a)") == attempts
    # only the engine's picks are stored recommendations; their attempts point back at them
    assert count(db, "MATCH (r:Recommendation) RETURN count(r)") == 2 * 3 * PLAN.steps
    engine_attempts = policies["mixer"]["attempts"] + policies["next"]["attempts"]
    assert count(db, "MATCH (:Attempt)-[:FROM]->(:Recommendation) RETURN count(*)") == engine_attempts
    assert set(result["paired"]) == {"mixer-vs-next", "mixer-vs-random", "mixer-vs-easiest"}


def test_a_target_p_experiment_assigns_exposes_and_reports_both_arms(db: Driver, settings: Settings) -> None:
    async def work(world: World) -> Any:
        return await experiment.target_p_experiment(world, students=30, plan=PLAN, seed=3)

    figures, users = in_world(settings, work)
    arms = figures["arms"]
    assert set(arms) == {"control", "treatment"}
    assert all(arm["exposed_users"] > 0 for arm in arms.values())
    assert sum(arm["exposed_users"] for arm in arms.values()) == 30
    assert {"ability_gain", "mastery_gained", "accuracy"} <= set(figures["detected"])
    assert figures["detected"]["ability_gain"]["n"] > 0 and figures["oracle"]["n"] > 0
    assert len(users) == 30 and users[experiment.TRUTH].notna().all()
    # users with three or more attempts have an ability gain, by estimated and by true difficulties
    assert users["ability_gain"].notna().equals(users[experiment.ORACLE].notna())
    assert users.loc[users["attempts"] >= 3, "ability_gain"].notna().all()
    aa = experiment.aa_tests(users, repetitions=5)
    assert set(aa) == {experiment.TRUTH, "ability_gain", "mastery_gained", "accuracy"}
    assert all(0.0 <= row["ks_p_value_vs_uniform"] <= 1.0 for row in aa.values())
