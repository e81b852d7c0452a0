"""CLI commands of the content domain: `learner-graph import content FILE`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from learner_graph.config import Settings
from learner_graph.content.importer import ImportResult, import_content
from learner_graph.errors import Invalid
from learner_graph.runtime import Runtime


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Content has no top-level group: its import lives under `import` (cli/imports.py)."""


def add_import_command(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = kinds.add_parser("content", help="import a curriculum document (JSON, docs/GRAPH.md)")
    parser.add_argument("file", type=Path)
    parser.add_argument("--author", default=f"cli:{getpass.getuser()}", help="name kept in the audit trail")
    parser.set_defaults(run=_import)


def _import(args: argparse.Namespace) -> int:
    document = json.loads(args.file.read_text(encoding="utf-8"))
    try:
        result = asyncio.run(run_import(Settings(), document, author=args.author))
    except Invalid as error:
        print(error.message, file=sys.stderr)
        for detail in error.details:
            print(f"  {detail['field']}: {detail['message']}", file=sys.stderr)
        return 2
    print(result.model_dump_json(indent=2))
    return 0


async def run_import(settings: Settings, document: Any, *, author: str) -> ImportResult:
    """Import `document` through the service on a runtime of this command's own."""
    async with Runtime.open(settings) as runtime:
        return await import_content(db=runtime.graph, document=document, author=author)
