"""In-process caches of the recommendation hot path, so a repeat request costs no Cypher round trip.

- The running experiments, for RUNNING_TTL_S: a start or stop reaches every replica within seconds.
- Exposures this process has already recorded, keyed by the experiment's `uid` (a fresh random id
  per created experiment, so a wiped and re-created graph never matches a stale entry). Bounded LRU.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from learner_graph.db.graph import Graph
from learner_graph.experiments.models import Experiment
from learner_graph.experiments.store import from_row

RUNNING_TTL_S = 3.0
EXPOSED_MAX = 200_000

Slot = tuple[int, str]


class HotCache:
    def __init__(self) -> None:
        self._running: dict[Slot, tuple[float, list[Experiment]]] = {}
        self._exposed: OrderedDict[tuple[Slot, str, str], str] = OrderedDict()

    def running(self, slot: Slot) -> list[Experiment] | None:
        cached = self._running.get(slot)
        return cached[1] if cached is not None and cached[0] > time.monotonic() else None

    def keep_running(self, slot: Slot, experiments: list[Experiment]) -> None:
        self._running[slot] = (time.monotonic() + RUNNING_TTL_S, experiments)

    def exposed_arm(self, slot: Slot, user_id: str, uid: str) -> str | None:
        arm = self._exposed.get((slot, user_id, uid))
        if arm is not None:
            self._exposed.move_to_end((slot, user_id, uid))
        return arm

    def remember_exposure(self, slot: Slot, user_id: str, uid: str, arm: str) -> None:
        self._exposed[(slot, user_id, uid)] = arm
        if len(self._exposed) > EXPOSED_MAX:
            self._exposed.popitem(last=False)

    def clear(self) -> None:
        self._running.clear()
        self._exposed.clear()


HOT = HotCache()


def slot(db: Graph) -> Slot:
    """One cache slot per driver and database (tests run several against one process)."""
    return (id(db.driver), db.database)


async def running_experiments(*, db: Graph, fresh: bool = False) -> list[Experiment]:
    """Running experiments, cached in process for RUNNING_TTL_S unless `fresh`."""
    cached = None if fresh else HOT.running(slot(db))
    if cached is not None:
        return cached
    experiments = [from_row(r["experiment"]) for r in await db.read("experiments_running")]
    HOT.keep_running(slot(db), experiments)
    return experiments


def forget_running() -> None:
    """Drop this process's hot-path caches (other replicas catch up within seconds)."""
    HOT.clear()
