"""`compare_policies`: the same simulated students under each policy, against one prepared graph."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from learner_graph.model import registry
from learner_graph.model.service import train_version
from learner_graph.model.train import TrainConfig
from learner_graph.simulation import report
from learner_graph.simulation.policies import make_policy
from learner_graph.simulation.runner import Outcome, Plan, run_population, session_days
from learner_graph.simulation.world import World, ensure_content, warm_up


async def prepare(world: World, *, warmup: int, model_dir: Path, seed: int) -> dict[str, Any]:
    """Load the demo curriculum if absent; with no active model, record `warmup` histories and train one."""
    done: dict[str, Any] = {"imported": await ensure_content(world), "warmup_attempts": 0, "model": None}
    active = await registry.active_id(db=world.db)
    if active is None and warmup > 0:
        origin = session_days(0, 1, seed)[0].replace(hour=0)
        done["warmup_attempts"] = await warm_up(world, students=warmup, before=origin, seed=seed)
        trained = await train_version(db=world.db, model_dir=model_dir, force=True,
                                      config=TrainConfig(dim=8, epochs=30, seed=seed, progress=False))
        active = trained["model_id"]
    done["model"] = active
    return done


async def compare_policies(
    world: World, *, policies: list[str], students: int, plan: Plan, seed: int, concurrency: int = 4
) -> dict[str, Any]:
    """Per-policy summaries, and the mixer's paired Δ-skill advantage over every other policy run."""
    token = uuid.uuid4().hex[:6]
    runs: dict[str, list[Outcome]] = {}
    for name in policies:
        runs[name] = await run_population(
            world, make_policy(name), students=students, tag=f"sim-{name}-{token}", plan=plan, seed=seed,
            concurrency=concurrency,
        )
    summary = {name: report.summarise(outcomes) for name, outcomes in runs.items()}
    versus = {
        f"mixer-vs-{name}": report.paired(runs["mixer"], outcomes)
        for name, outcomes in runs.items()
        if name != "mixer" and "mixer" in runs
    }
    return {"policies": summary, "paired": versus, "plan": vars(plan) | {"units": list(plan.units)},
            "students": students, "seed": seed}
