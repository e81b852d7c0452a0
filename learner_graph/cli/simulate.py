"""`learner-graph simulate`: simulated students through the real recommendation code, or an experiment."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any
from urllib.parse import urlparse

from learner_graph.config import Settings

POLICIES = ("mixer", "next", "random", "easiest")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "simulate", help="run simulated students through the recommendation engine against the graph"
    )
    parser.add_argument("--policy", nargs="+", choices=POLICIES, default=list(POLICIES),
                        help="policies to compare (default: all four, on the same students)")
    parser.add_argument("--experiment", choices=["target-p"],
                        help="instead: an A/B test of target P 0.5 against 0.9, plus A/A re-splits")
    parser.add_argument("--outcomes", action="store_true",
                        help="instead: learning outcomes of every policy on learners who forget "
                             "(in process), the mixer tuned, and the mixer-vs-next A/B through the "
                             "experiment service")
    parser.add_argument("--learners", type=int, default=120, help="learners per policy with --outcomes")
    parser.add_argument("--tune-learners", type=int, default=10,
                        help="learners per grid setting with --outcomes (0: no tuning, the shipped defaults)")
    parser.add_argument("--ab-learners", type=int, default=80,
                        help="learners of the A/B with --outcomes (0: no A/B, and no Neo4j needed)")
    parser.add_argument("--ab-settings", type=int, default=0, metavar="LEARNERS",
                        help="with --outcomes: also mixer against next in process under the A/B's settings "
                             "one at a time (its plan, its recorded pre-test, the route's metric)")
    parser.add_argument("--histories", type=int,
                        help="simulated histories the in-process model is trained on with --outcomes "
                             "(default: the study's `HISTORIES`)")
    parser.add_argument("--only", nargs="+", help="with --outcomes: run only these policies")
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--steps", type=int, default=8, help="recommendation requests per student")
    parser.add_argument("--n", type=int, default=5, help="items per recommendation")
    parser.add_argument("--units", nargs="+", default=["math"])
    parser.add_argument("--warmup", type=int, default=150,
                        help="simulated histories recorded (and a model trained) when no model is active")
    parser.add_argument("--aa", type=int, default=40, help="A/A repetitions with --experiment")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=4, help="students simulated at once")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(run=_simulate)


async def run(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """Prepare the graph, then compare the policies or run the experiment."""
    from learner_graph.simulation import experiment
    from learner_graph.simulation.compare import compare_policies, prepare
    from learner_graph.simulation.runner import Plan
    from learner_graph.simulation.world import open_world

    if getattr(args, "outcomes", False):
        return await run_outcomes(args, settings)
    plan = Plan(steps=args.steps, n=args.n, units=tuple(args.units))
    async with open_world(settings, seed=args.seed) as world:
        prepared = await prepare(world, warmup=args.warmup, model_dir=settings.model_dir, seed=args.seed)
        if args.experiment:
            figures, users = await experiment.target_p_experiment(
                world, students=args.students, plan=plan, seed=args.seed, concurrency=args.concurrency
            )
            figures["aa"] = experiment.aa_tests(users, repetitions=args.aa)
        else:
            figures = await compare_policies(world, policies=args.policy, students=args.students, plan=plan,
                                             seed=args.seed, concurrency=args.concurrency)
    return {"prepared": prepared} | figures


async def run_outcomes(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """The learning-outcomes study, then (with `--ab-learners`) the A/B through the experiment service."""
    from learner_graph.simulation.study import run_outcomes as study

    result = await asyncio.to_thread(study, learners=args.learners, tune_learners=args.tune_learners,
                                     seed=args.seed, histories=getattr(args, "histories", None),
                                     only=tuple(args.only) if getattr(args, "only", None) else None)
    if getattr(args, "ab_settings", 0):
        from learner_graph.simulation.study import run_ab_settings

        result["ab_settings"] = await asyncio.to_thread(
            run_ab_settings, learners=args.ab_settings, seed=args.seed,
            histories=getattr(args, "histories", None),
        )
    if args.ab_learners:
        from learner_graph.simulation.retention_ab import retention_experiment

        result["experiment"] = await retention_experiment(settings, learners=args.ab_learners, seed=args.seed,
                                                          aa=args.aa)
    return result


def unreachable_neo4j(args: argparse.Namespace, settings: Settings) -> str | None:
    """Why this run cannot start, when it needs the graph and Neo4j does not answer; None when it
    can. Everything but `--outcomes --ab-learners 0` runs through the graph: checked before a long
    in-process study rather than after it, when the driver's retries end in a traceback."""
    from learner_graph.db.embedded import answers

    outcomes = getattr(args, "outcomes", False)
    if outcomes and not args.ab_learners:
        return None
    address = urlparse(settings.neo4j_uri)
    host, port = address.hostname or "127.0.0.1", address.port or 7687
    if answers(host, port, timeout_s=3.0):
        return None
    need = "the A/B of --outcomes" if outcomes else "simulate"
    hint = " or pass --ab-learners 0 (the in-process study alone)" if outcomes else ""
    return (f"{need} runs through the graph: Neo4j does not answer at {host}:{port}; "
            f"start it (make run, or learner-graph neo4j start){hint}")


def _simulate(args: argparse.Namespace) -> int:
    from learner_graph.simulation.report import markdown

    settings = Settings()
    problem = unreachable_neo4j(args, settings)
    if problem:
        print(f"learner-graph simulate: {problem}", file=sys.stderr)
        return 2
    result = asyncio.run(run(args, settings))
    if args.json or args.experiment or args.outcomes:
        print(json.dumps(result, indent=2, default=str))
    else:
        print(markdown(result["policies"]))
        for name, row in result["paired"].items():
            print(f"{name}: Δ skill {row['mean_diff']:+.4f} (paired t p={row['p_value']:.3g}, "
                  f"mixer better for {row['a_wins_share']:.0%} of students)")
    return 0
