"""Model versions in Neo4j: register, activate, list, and load the active question side."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from learner_graph.db.graph import Graph
from learner_graph.errors import Conflict, NotFound
from learner_graph.model.side import QuestionSide


def save_file(side: QuestionSide, model_dir: Path) -> Path:
    """Write the question side as `<model_dir>/<id>.json` (the artefact outside the database)."""
    model_dir.mkdir(parents=True, exist_ok=True)
    path = model_dir / f"{side.model_id}.json"
    path.write_text(json.dumps(side.to_dict()), encoding="utf-8")
    return path


async def register(*, db: Graph, side: QuestionSide, metrics: dict[str, Any], scope: list[str],
                   path: Path | None = None) -> str:
    """Store a new, inactive version with its metrics and question side."""
    text = await asyncio.to_thread(json.dumps, side.to_dict())
    await db.write("model_register", id=side.model_id, trained_at=side.info.get("trained_at"), scope=scope,
                   dim=side.dim, metrics=json.dumps(metrics), side=text, path=str(path or ""))
    return side.model_id


async def activate(*, db: Graph, model_id: str) -> None:
    """Make `model_id` the active version (every API replica switches within about a second)."""
    if not await db.write("model_activate", id=model_id):
        raise NotFound(f"no model version {model_id!r}", [{"field": "model_id", "value": model_id}])


async def list_versions(*, db: Graph) -> list[dict[str, Any]]:
    """Every version, newest first, with its metrics decoded."""
    rows = await db.read("model_list")
    return [row | {"metrics": json.loads(row["metrics"] or "{}")} for row in rows]


async def active_id(*, db: Graph) -> str | None:
    rows = await db.read("model_active_id")
    return rows[0]["id"] if rows else None


async def load(*, db: Graph, model_id: str) -> QuestionSide:
    """The question side of a version, in one query."""
    rows = await db.read("model_side", id=model_id)
    if not rows or not rows[0]["side"]:
        raise NotFound(f"no model version {model_id!r}", [{"field": "model_id", "value": model_id}])
    data = await asyncio.to_thread(json.loads, rows[0]["side"])
    return await asyncio.to_thread(QuestionSide.from_dict, data)


async def load_active(*, db: Graph) -> QuestionSide | None:
    model_id = await active_id(db=db)
    return await load(db=db, model_id=model_id) if model_id else None


TRAINING_LEASE = timedelta(hours=2)  # a trainer that died holding the lease frees it after this


async def take_training_lease(*, db: Graph, holder: str | None = None) -> str:
    """Take the one-training-at-a-time lease in Neo4j (every process and the trainer share it) and
    return its holder name; raises Conflict naming the holder when another training is running."""
    holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    rows = await db.write("model_training_acquire", holder=holder, now=now, until=now + TRAINING_LEASE)
    if not rows[0]["free"]:
        until = rows[0]["until"].to_native().isoformat()
        raise Conflict(f"a training run is already in progress ({rows[0]['holder']}, lease until {until})")
    return holder


async def release_training_lease(*, db: Graph, holder: str) -> None:
    """Give the lease back (a no-op unless `holder` holds it)."""
    await db.write("model_training_release", holder=holder)


@asynccontextmanager
async def training_lease(*, db: Graph, holder: str | None = None) -> AsyncIterator[str]:
    """Hold the training lease for the block (`take_training_lease`, released on the way out)."""
    holder = await take_training_lease(db=db, holder=holder)
    try:
        yield holder
    finally:
        await release_training_lease(db=db, holder=holder)
