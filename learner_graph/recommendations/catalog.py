"""The content a recommendation reads, held in process and keyed by the content version.

Question metadata, the concept graph and the unit graph are loaded once per content version;
units are resolved to their questions in process from that unit graph (no Cypher per request)
and kept in a small LRU. A content edit bumps the version, so the next request sees the edit
(read-your-writes for content teams).

Per request the questions are handled as rows of `QuestionTable` (numpy arrays in question-id
order): a subject of 20k questions costs array operations, not 20k Python steps.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from learner_graph.cache import Cache
from learner_graph.content.traversals import UNIT_DEPTH, resolve_units
from learner_graph.db.graph import Graph
from learner_graph.learners.mastery import settle_order
from learner_graph.mixer.order import TAG_P, UNTAGGED_P, question_hash

UNIT_CACHE_SIZE = 256
RELOAD_AT_MOST_EVERY_S = 1.0  # unknown ids reload the catalog, but not on every request


@dataclass(frozen=True)
class QuestionMeta:
    concept_ids: tuple[str, ...]
    difficulty_tag: int | None
    text: str


@dataclass(frozen=True)
class ConceptMeta:
    name: str
    requires: tuple[str, ...]


@dataclass(frozen=True)
class QuestionTable:
    """Every question as a row: tags, tie-break digests and the question -> concept pairs."""

    ids: list[str]  # sorted; a row is an index into it
    position: dict[str, int]
    concept_ids: list[str]  # sorted; a concept column is an index into it
    concept_position: dict[str, int]
    tag_p: np.ndarray  # P(correct) the difficulty tag stands for; NaN when untagged
    hashes: np.ndarray  # uint64 digest of each id (`order.question_hash`)
    main_concept: np.ndarray  # column of each question's first concept, -1 without one
    pair_row: np.ndarray  # (question row, concept column) of every ASSESSES pair
    pair_concept: np.ndarray

    @classmethod
    def build(cls, questions: dict[str, QuestionMeta], concepts: dict[str, ConceptMeta]) -> QuestionTable:
        ids = sorted(questions)
        concept_ids = sorted(set(concepts) | {c for m in questions.values() for c in m.concept_ids})
        concept_position = {c: k for k, c in enumerate(concept_ids)}
        metas = [questions[q] for q in ids]
        pairs = [(i, concept_position[c]) for i, m in enumerate(metas) for c in m.concept_ids]
        pair_array = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        return cls(
            ids=ids,
            position={q: i for i, q in enumerate(ids)},
            concept_ids=concept_ids,
            concept_position=concept_position,
            tag_p=np.array([np.nan if m.difficulty_tag is None else TAG_P.get(m.difficulty_tag, UNTAGGED_P)
                            for m in metas]),
            hashes=np.array([question_hash(q) for q in ids], dtype=np.uint64),
            main_concept=np.array(
                [concept_position[m.concept_ids[0]] if m.concept_ids else -1 for m in metas], dtype=np.int64
            ),
            pair_row=pair_array[:, 0].copy(),
            pair_concept=pair_array[:, 1].copy(),
        )

    def rows(self, question_ids: list[str] | set[str]) -> np.ndarray:
        """Sorted rows of the ids this table has (others are left out)."""
        get = self.position.get
        return np.unique(np.array([r for r in map(get, question_ids) if r is not None], dtype=np.int64))

    def concept_rows(self, concept_id: str) -> np.ndarray:
        """Sorted rows of the questions assessing the concept (empty for an unknown one)."""
        k = self.concept_position.get(concept_id)
        return np.unique(self.pair_row[self.pair_concept == k]) if k is not None else np.array([], np.int64)

    def any_concept(self, column_flags: np.ndarray) -> np.ndarray:
        """Per question row: does any of its concepts have its flag set?"""
        hits = column_flags[self.pair_concept]
        return np.bincount(self.pair_row[hits], minlength=len(self.ids)) > 0


@dataclass
class Catalog:
    version: str  # '<epoch>:<content version>': a rebuilt graph never reuses a cached catalog
    questions: dict[str, QuestionMeta]
    concepts: dict[str, ConceptMeta]
    units: dict[str, tuple[str, ...]]  # unit id -> its filter scope (the units whose attempts count)
    # unit id -> (the units, the questions) it directly contains; None: not loaded (resolve in Cypher)
    contains: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] | None = None
    loaded_at: float = field(default_factory=time.monotonic)
    table: QuestionTable = field(init=False)

    def __post_init__(self) -> None:
        self.table = QuestionTable.build(self.questions, self.concepts)

    @cached_property
    def requires(self) -> dict[str, tuple[str, ...]]:
        """Concept id -> its direct prerequisites (what readiness reads)."""
        return {cid: meta.requires for cid, meta in self.concepts.items()}

    @cached_property
    def concept_order(self) -> list[str]:
        """`mastery.settle_order` of the concept graph, sorted once per catalog, not per request."""
        return settle_order(self.requires)

    def unit_rows(self, unit_ids: list[str], max_depth: int = UNIT_DEPTH) -> np.ndarray:
        """Sorted rows of the questions within `max_depth` CONTAINS hops of the units: what
        `content.traversals.resolve_units` answers, breadth first over the loaded unit graph."""
        assert self.contains is not None
        seen = set(unit_ids)
        frontier = sorted(seen)
        found: set[str] = set()
        for _ in range(max_depth):
            if not frontier:
                break
            following: list[str] = []
            for unit in frontier:
                units, questions = self.contains.get(unit, ((), ()))
                found.update(questions)
                following.extend(u for u in units if u not in seen)
                seen.update(units)
            frontier = following
        return self.table.rows(found)


class CatalogCache:
    """One per process (in the `Runtime`): the catalog of the current content version."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self._catalog: Catalog | None = None
        self._units: OrderedDict[tuple[str, tuple[str, ...]], np.ndarray] = OrderedDict()
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
        catalog = self._catalog
        if catalog is not None and catalog.version == version:
            rows = await self.resolve_rows(db, catalog, unit_ids)
            return [catalog.table.ids[r] for r in rows.tolist()]
        return await self._resolve_ids(db, version, sorted(set(unit_ids)))

    async def _resolve_ids(self, db: Graph, version: str, unit_ids: list[str]) -> list[str]:
        redis_key = f"units:v{version}:d{UNIT_DEPTH}:" + ",".join(unit_ids)
        cached = await self.cache.get(redis_key)
        if cached is None:
            cached = await resolve_units(db=db, unit_ids=unit_ids, max_depth=UNIT_DEPTH)
            await self.cache.set(redis_key, cached, ttl_s=24 * 3600)
        return list(cached)

    async def resolve_rows(self, db: Graph, catalog: Catalog, unit_ids: list[str]) -> np.ndarray:
        """`resolve` as sorted rows of the catalog's question table (read-only: shared by requests)."""
        key = (catalog.version, tuple(sorted(set(unit_ids))))
        if key in self._units:
            self._units.move_to_end(key)
            return self._units[key]
        if catalog.contains is not None:
            rows = catalog.unit_rows(list(key[1]))
        else:
            rows = catalog.table.rows(await self._resolve_ids(db, catalog.version, list(key[1])))
        rows.flags.writeable = False
        self._units[key] = rows
        if len(self._units) > UNIT_CACHE_SIZE:
            self._units.popitem(last=False)
        return rows


async def _load(db: Graph, version: str) -> Catalog:
    questions = {
        r["id"]: QuestionMeta(tuple(r["concept_ids"]), r["difficulty_tag"], r["text"] or "")
        for r in await db.read("rec_question_meta")
    }
    concepts = {
        r["id"]: ConceptMeta(r["name"] or r["id"], tuple(r["requires"]))
        for r in await db.read("rec_concepts")
    }
    rows = await db.read("rec_units")
    units = {r["id"]: tuple(r["filter_scope"] or [r["id"]]) for r in rows}
    contains = {r["id"]: (tuple(r["units"]), tuple(r["questions"])) for r in rows}
    return Catalog(version=version, questions=questions, concepts=concepts, units=units, contains=contains)
