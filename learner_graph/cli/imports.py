"""`learner-graph import KIND FILE`: bulk imports, one sub-command per domain's document."""

from __future__ import annotations

import argparse

from learner_graph.cli import content, learners


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("import", help="bulk-import a document (content, attempts)")
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    register_content(kinds)
    register_attempts(kinds)


def register_content(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`import content FILE`: a whole curriculum in the docs/GRAPH.md format."""
    content.add_import_command(kinds)


def register_attempts(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`import attempts FILE`: attempt histories from CSV (the learners domain)."""
    learners.add_import_command(kinds)
