"""CLI commands of the learners domain (filled in by its issue)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """No commands yet."""
