"""CLI commands of the model domain: `train` (once or as the trainer service) and `eval`."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import time
from pathlib import Path
from typing import Any

from learner_graph.config import Settings
from learner_graph.db.graph import Graph
from learner_graph.model.data import ASSIST2009
from learner_graph.runtime import Runtime

log = logging.getLogger(__name__)
_PERIOD = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def period(text: str) -> float:
    """`6h`, `30m`, `1d`, `45s` as seconds."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"bad period {text!r} (e.g. 6h, 30m, 1d)")
    return float(match.group(1)) * _SECONDS[match.group(2)]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    train = commands.add_parser("train", help="train a model version from the graph's attempts")
    train.add_argument("--scope", nargs="+", metavar="UNIT", help="train on the questions of these units")
    train.add_argument("--force", action="store_true", help="activate even if worse than the active one")
    train.add_argument("--every", type=period, metavar="PERIOD", help="keep training every PERIOD (e.g. 6h)")
    _model_options(train)
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("eval", help="score the model with the live protocol, beside baselines")
    source = evaluate.add_mutually_exclusive_group(required=True)
    source.add_argument("--attempts", type=Path, nargs="?", const=ASSIST2009, metavar="FILE",
                        help=f"attempts CSV (default {ASSIST2009})")
    source.add_argument("--graph", action="store_true", help="the attempts in Neo4j")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument("--png", type=Path, help="write the reliability diagram here")
    _model_options(evaluate)
    evaluate.set_defaults(run=_eval)


def _model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dim", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _config(args: argparse.Namespace) -> Any:
    from learner_graph.model.train import TrainConfig

    return TrainConfig(dim=args.dim, epochs=args.epochs, seed=args.seed, progress=not args.quiet)


async def _with_graph(work: Any) -> Any:
    settings = Settings()
    async with Runtime.open(settings) as runtime:
        return await work(runtime.graph, settings)


def _train(args: argparse.Namespace) -> int:
    from learner_graph.model.service import train_version

    async def once(db: Graph, settings: Settings) -> Any:
        return await train_version(db=db, model_dir=settings.model_dir, units=args.scope, force=args.force,
                                   config=_config(args))

    if not args.every:
        _print_result(asyncio.run(_with_graph(once)))
        return 0
    while True:  # the trainer service: a failed run (Neo4j down, too little data) waits for the next
        try:
            _print_result(asyncio.run(_with_graph(once)))
        except Exception:
            log.exception("training run failed; next run in %.0f s", args.every)
        time.sleep(args.every)


def _print_result(result: dict[str, Any]) -> None:
    summary = {k: v for k, v in result.items() if k != "metrics"}
    metrics = result["metrics"]
    served = metrics.get("served_calibration")
    print(json.dumps(summary | {"auc": metrics["auc"], "log_loss": metrics["log_loss"],
                                "served_offset": served["offset"] if served else None}), flush=True)


def _eval(args: argparse.Namespace) -> int:
    from learner_graph.model.data import export_graph, load_csv
    from learner_graph.model.evaluate import evaluate, format_table
    from learner_graph.model.metrics import reliability_png
    from learner_graph.model.service import holdout
    from learner_graph.model.train import train

    async def from_graph(db: Graph, settings: Settings) -> Any:
        return await export_graph(db)

    attempts = asyncio.run(_with_graph(from_graph)) if args.graph else load_csv(args.attempts)
    if set(attempts.split.tolist()) >= {"train", "test"}:
        train_log = attempts.select(attempts.split == "train")
        test_log = attempts.select(attempts.split == "test")
    else:
        train_log, test_log = holdout(attempts, seed=args.seed)
    report = evaluate(train(train_log, _config(args)), train_log, test_log)
    if args.png:
        reliability_png(args.png, {"model": report} | report["baselines"])
    print(json.dumps(report) if args.json else format_table(report))
    return 0
