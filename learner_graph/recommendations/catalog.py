"""The content a recommendation reads, held in process and keyed by the content version.

Question metadata and the concept graph are loaded once per content version; resolved units
are kept in a small in-process LRU and shared across replicas through Redis. A content edit
bumps the version, so the next request sees the edit (read-your-writes for content teams).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from learner_graph.cache import Cache
from learner_graph.content.traversals import resolve_units
from learner_graph.db.graph import Graph

UNIT_CACHE_SIZE = 256
RELOAD_AT_MOST_EVERY_S = 1.0  # unknown ids reload the catalog, but not on every request
MAX_DEPTH = 10


@dataclass(frozen=True)
class QuestionMeta:
    concept_ids: tuple[str, ...]
    difficulty_tag: int | None
    text: str


@dataclass(frozen=True)
class ConceptMeta:
    name: str
    requires: tuple[str, ...]


@dataclass
class Catalog:
    version: str  # '<epoch>:<content version>': a rebuilt graph never reuses a cached catalog
    questions: dict[str, QuestionMeta]
    concepts: dict[str, ConceptMeta]
    units: dict[str, tuple[str, ...]]  # unit id -> its filter scope (the units whose attempts count)
    by_concept: dict[str, list[str]] = field(default_factory=dict)
    loaded_at: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        for qid, meta in sorted(self.questions.items()):
            for cid in meta.concept_ids:
                self.by_concept.setdefault(cid, []).append(qid)


class CatalogCache:
    """One per process (in `app.state`): the catalog of the current content version."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._catalog: Catalog | None = None
        self._units: OrderedDict[tuple[str, tuple[str, ...]], list[str]] = OrderedDict()
        self._lock = asyncio.Lock()

    async def get(self, db: Graph, version: str, *, knows: list[str] | None = None) -> Catalog:
        """The catalog of `version`, loaded once per version.

        It is also reloaded, at most once a second, when it lacks an id in `knows`: content written
        around the content API (straight Cypher) does not bump the version.
        """
        catalog = self._catalog
        if catalog is not None and catalog.version == version:
            fresh = time.monotonic() - catalog.loaded_at < RELOAD_AT_MOST_EVERY_S
            if fresh or all(
                k in catalog.units or k in catalog.concepts or k in catalog.questions for k in knows or []
            ):
                return catalog
        async with self._lock:
            if self._catalog is catalog:  # nobody reloaded it while this request waited
                self._catalog = await _load(db, version)
                self._units.clear()
        assert self._catalog is not None
        return self._catalog

    async def resolve(self, db: Graph, version: str, unit_ids: list[str]) -> list[str]:
        """Question ids under the units: process LRU, then Redis, then one Cypher traversal."""
        key = (version, tuple(sorted(set(unit_ids))))
        if key in self._units:
            self._units.move_to_end(key)
            return self._units[key]
        redis_key = f"units:v{version}:d{MAX_DEPTH}:" + ",".join(key[1])
        cached = await self.cache.get(redis_key)
        if cached is None:
            cached = await resolve_units(db=db, unit_ids=list(key[1]), max_depth=MAX_DEPTH)
            await self.cache.set(redis_key, cached, ttl_s=24 * 3600)
        self._units[key] = list(cached)
        if len(self._units) > UNIT_CACHE_SIZE:
            self._units.popitem(last=False)
        return self._units[key]


async def _load(db: Graph, version: str) -> Catalog:
    questions = {
        r["id"]: QuestionMeta(tuple(r["concept_ids"]), r["difficulty_tag"], r["text"] or "")
        for r in await db.read("rec_question_meta")
    }
    concepts = {
        r["id"]: ConceptMeta(r["name"] or r["id"], tuple(r["requires"]))
        for r in await db.read("rec_concepts")
    }
    units = {r["id"]: tuple(r["filter_scope"] or [r["id"]]) for r in await db.read("rec_units")}
    return Catalog(version=version, questions=questions, concepts=concepts, units=units)
