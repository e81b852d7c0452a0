"""In-process caches of the recommendation hot path, so a repeat request costs no Cypher round trip.

One `HotCache` per process, held by the `Runtime` (`runtime.experiments`).

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



class HotCache:
    """The running experiments and the exposures already recorded, for one process and one graph."""

    def __init__(self) -> None:
        self._running: tuple[float, list[Experiment]] | None = None
        self._exposed: OrderedDict[tuple[str, str], str] = OrderedDict()

    def running(self) -> list[Experiment] | None:
        cached = self._running
        return cached[1] if cached is not None and cached[0] > time.monotonic() else None

    def keep_running(self, experiments: list[Experiment]) -> None:
        self._running = (time.monotonic() + RUNNING_TTL_S, experiments)

    def exposed_arm(self, user_id: str, uid: str) -> str | None:
        arm = self._exposed.get((user_id, uid))
        if arm is not None:
            self._exposed.move_to_end((user_id, uid))
        return arm

    def remember_exposure(self, user_id: str, uid: str, arm: str) -> None:
        self._exposed[(user_id, uid)] = arm
        if len(self._exposed) > EXPOSED_MAX:
            self._exposed.popitem(last=False)

    def clear(self) -> None:
        """Drop this process's hot-path caches (other replicas catch up within seconds)."""
        self._running = None
        self._exposed.clear()


async def running_experiments(
    *, db: Graph, hot: HotCache | None = None, fresh: bool = False
) -> list[Experiment]:
    """Running experiments, cached in `hot` for RUNNING_TTL_S unless `fresh` (no `hot`: always read)."""
    cached = None if fresh or hot is None else hot.running()
    if cached is not None:
        return cached
    experiments = [from_row(r["experiment"]) for r in await db.read("experiments_running")]
    if hot is not None:
        hot.keep_running(experiments)
    return experiments
