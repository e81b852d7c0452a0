"""The audit trail and the content version: every content write goes through `audited`.

`audited` runs the caller's work in one write transaction that first locks the content Meta
node, so concurrent edits serialise (a cycle check cannot race another edge) and the version
increments exactly once per transaction that changed something. An error raised by the work
rolls everything back, audit record and version included.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar

from neo4j import AsyncManagedTransaction
from pydantic import BaseModel

from learner_graph.db.graph import Graph, fetch_all

T = TypeVar("T")
Entity = Literal["concept", "prerequisite", "unit", "containment", "question"]
Action = Literal["create", "update", "delete"]


@dataclass(frozen=True)
class Change:
    """One changed entity: `before`/`after` are its views (None when absent)."""

    entity: Entity
    entity_id: str
    action: Action
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def row(self) -> dict[str, Any]:
        encode = lambda view: None if view is None else json.dumps(view, sort_keys=True)  # noqa: E731
        return {
            "entity": self.entity,
            "entity_id": self.entity_id,
            "action": self.action,
            "before": encode(self.before),
            "after": encode(self.after),
        }


class ChangeRecord(BaseModel):
    id: str
    at: str
    author: str
    entity: str
    entity_id: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    version: int


Work = Callable[[AsyncManagedTransaction], Awaitable[tuple[T, list[Change]]]]


async def audited(db: Graph, *, author: str, work: Work[T]) -> tuple[T, int]:
    """Run `work` under the content lock; record its changes. Returns its result and the version."""

    async def run(tx: AsyncManagedTransaction) -> tuple[T, int]:
        locked = await fetch_all(tx, db.queries["content_lock"])
        result, changes = await work(tx)
        if not changes:
            return result, int(locked[0]["version"])
        rows = await fetch_all(
            tx, db.queries["content_record_changes"], author=author, changes=[c.row() for c in changes]
        )
        return result, int(rows[0]["version"])

    result, version = await db.in_write_transaction(run)
    await db.changed(content=True)
    return result, version


async def content_version(*, db: Graph) -> int:
    """The content version: +1 with every transaction that changed content; caches key on it."""
    rows = await db.read("content_version")
    return int(rows[0]["version"])


async def list_changes(
    *,
    db: Graph,
    entity: str | None = None,
    entity_id: str | None = None,
    author: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[ChangeRecord]]:
    """Audit records matching every given filter, newest version first, and their total count."""
    rows = await db.read(
        "content_changes",
        entity=entity,
        entity_id=entity_id,
        author=author,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        limit=limit,
        offset=offset,
    )
    records = [
        ChangeRecord(**{**item, "before": _decode(item["before"]), "after": _decode(item["after"])})
        for item in rows[0]["items"]
    ]
    return int(rows[0]["total"]), records


def _decode(raw: str | None) -> dict[str, Any] | None:
    return None if raw is None else json.loads(raw)
