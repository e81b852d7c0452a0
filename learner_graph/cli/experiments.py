"""`learner-graph experiments list|create|start|stop|report`: the experiments API for operators."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from learner_graph.config import Settings
from learner_graph.db.graph import Graph
from learner_graph.errors import DomainError
from learner_graph.experiments import service
from learner_graph.experiments.models import ExperimentCreate
from learner_graph.runtime import Runtime

T = TypeVar("T")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("experiments", help="define, start, stop and report experiments")
    parser.add_argument("action", choices=["list", "create", "start", "stop", "report"])
    parser.add_argument("target", nargs="?", help="KEY (start, stop, report) or a JSON FILE (create)")
    parser.add_argument("--csv", type=Path, help="report: also write the metric table here")
    parser.add_argument("--png", type=Path, help="report: also write the lift chart here")
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    if args.action != "list" and not args.target:
        print(f"experiments {args.action} needs a {'FILE' if args.action == 'create' else 'KEY'}")
        return 2
    try:
        return _on_graph(lambda db: ACTIONS[args.action](db, args))
    except DomainError as error:
        print(f"{error.code}: {error.message}")
        for detail in error.details:
            print(f"  {detail['field']}: {detail['message']}")
        return 1


def _on_graph(work: Callable[[Graph], Awaitable[T]]) -> T:
    settings = Settings()

    async def main() -> T:
        async with Runtime.open(settings) as runtime:
            return await work(runtime.graph)

    return asyncio.run(main())


async def _list(db: Graph, args: argparse.Namespace) -> int:
    for e in await service.list_experiments(db=db):
        arms = ", ".join(f"{a.name} {a.weight:g}" for a in e.arms)
        print(f"{e.key:<24} {e.status:<8} coverage {e.coverage:g}  arms: {arms}")
    return 0


async def _create(db: Graph, args: argparse.Namespace) -> int:
    try:
        definition = ExperimentCreate.model_validate_json(Path(args.target).read_text())
    except ValidationError as error:
        for problem in error.errors():
            print(f"  {'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}")
        return 1
    created = await service.create_experiment(db=db, definition=definition, now=datetime.now(UTC))
    print(f"created {created.key} (draft); start it with: learner-graph experiments start {created.key}")
    return 0


async def _start(db: Graph, args: argparse.Namespace) -> int:
    experiment = await service.start_experiment(db=db, key=args.target, now=datetime.now(UTC))
    print(f"{experiment.key} running since {experiment.start}")
    return 0


async def _stop(db: Graph, args: argparse.Namespace) -> int:
    experiment = await service.stop_experiment(db=db, key=args.target, now=datetime.now(UTC))
    print(f"{experiment.key} stopped at {experiment.end}")
    return 0


async def _report(db: Graph, args: argparse.Namespace) -> int:
    # Imported here: the results pull in scipy.stats (~0.5 s quiet, seconds under load), which
    # every other command (`import attempts`, `serve`, ...) would otherwise pay at start.
    from learner_graph.experiments.results import experiment_results, metrics_frame, results_csv

    results = await experiment_results(db=db, key=args.target, now=datetime.now(UTC))
    print(f"{results.key} ({results.status}), window until {results.window_end:%Y-%m-%d %H:%M} UTC")
    for arm in results.arms:
        print(
            f"  {arm.name:<16} weight {arm.weight:<5g} exposed {arm.exposed_users} learners "
            f"(served in the window; {arm.assigned_users} known learners hash to this arm)"
        )
    print(f"  sample ratio: chi2 {results.srm_chi2:.3g}, p {results.srm_p_value:.3g}")
    table = metrics_frame(results)
    columns = ["metric", "arm", "n", "mean", "abs_lift", "rel_lift", "ci_low", "ci_high", "p_adjusted"]
    print(table[columns].to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print("\n".join(results.summary))
    if args.csv:
        args.csv.write_text(results_csv(results))
    if args.png:
        from learner_graph.experiments.charts import lift_chart

        args.png.write_bytes(lift_chart(results))
    return 0


ACTIONS: dict[str, Callable[[Graph, argparse.Namespace], Awaitable[int]]] = {
    "list": _list,
    "create": _create,
    "start": _start,
    "stop": _stop,
    "report": _report,
}
