"""The `learner-graph` command: one sub-command group per module of this package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from learner_graph.cli import content, demo, experiments, imports, learners, model, ops, simulate

GROUPS = [ops, demo, content, imports, learners, model, experiments, simulate]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="learner-graph", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group.register(commands)
    args = parser.parse_args(argv)
    result = args.run(args)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
