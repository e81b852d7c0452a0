"""The `learner-graph` command: one sub-command group per module of this package."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from learner_graph.cli import boot


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["demo"]:  # `make run`: its Neo4j starts while the command groups import
        boot.demo_first(arguments[1:])
    # Imported here, not at the top, so that `demo_first` runs before them (~5 s of CPU).
    from learner_graph.cli import content, demo, experiments, imports, learners, model, ops, simulate

    parser = argparse.ArgumentParser(prog="learner-graph", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in (ops, demo, content, imports, learners, model, experiments, simulate):
        group.register(commands)
    args = parser.parse_args(arguments)
    result = args.run(args)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
