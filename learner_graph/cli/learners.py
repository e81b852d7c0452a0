"""`learner-graph import attempts FILE`: attempt histories from CSV, batched and resumable."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sys
from pathlib import Path

from learner_graph.config import PROJECT_ROOT, Settings
from learner_graph.learners.history_import import ImportReport, import_history
from learner_graph.runtime import Runtime


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The learners domain's commands live under `import` (see `add_import_command`)."""


def add_import_command(kinds: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = kinds.add_parser("attempts", help="attempt histories from CSV (ASSISTments 2009 format)")
    parser.add_argument("file", type=Path)
    parser.add_argument("--prefix", default="", help="prefix for user, question and concept ids, e.g. a09-")
    parser.add_argument("--name", default=None, help="name of the dataset's root unit (default: file name)")
    parser.add_argument("--batch-size", type=int, default=2000)
    parser.set_defaults(run=_import)


def progress_file(path: Path, prefix: str) -> Path:
    digest = hashlib.sha1(f"{path.resolve()}|{prefix}".encode()).hexdigest()[:16]
    return PROJECT_ROOT / ".lg" / "import-progress" / f"{digest}.json"


async def run_import(
    settings: Settings, path: Path, *, prefix: str, name: str, batch_size: int
) -> ImportReport:
    def show(done: int, total: int) -> None:
        print(f"\r  {done:,}/{total:,} attempts", end="", file=sys.stderr, flush=True)

    async with Runtime.open(settings) as runtime:
        return await import_history(
            db=runtime.graph,
            path=path,
            prefix=prefix,
            name=name,
            progress_file=progress_file(path, prefix),
            batch_size=batch_size,
            on_batch=show,
        )


def _import(args: argparse.Namespace) -> int:
    name = args.name or args.file.name.split(".")[0]
    report = asyncio.run(
        run_import(Settings(), args.file, prefix=args.prefix, name=name, batch_size=args.batch_size)
    )
    rate = report.created / report.seconds if report.seconds else 0.0
    print(
        f"\nimported {report.rows:,} rows: {report.created:,} new attempts, {report.duplicates:,} already "
        f"there, {report.skipped_batches} batches skipped (resumed); {report.seconds:.1f}s, {rate:,.0f}/s; "
        f"{sum(report.retries.values())} transactions retried {report.retries or ''}"
    )
    return 0
