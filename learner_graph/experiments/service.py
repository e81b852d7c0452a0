"""Service functions of experiments: define, start, stop, and assign users on the hot path."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction

from learner_graph.api_keys import DEFAULT_APP
from learner_graph.db.graph import Graph, fetch_all
from learner_graph.errors import Conflict, Invalid, NotFound
from learner_graph.experiments.assignment import choose_arm
from learner_graph.experiments.hot import HotCache
from learner_graph.experiments.hot import running_experiments as running_experiments  # re-exported
from learner_graph.experiments.models import Assignment, Experiment, ExperimentCreate
from learner_graph.experiments.rules import definition_problems, namespace_overlaps
from learner_graph.experiments.store import from_row, to_params
from learner_graph.timeutil import as_utc


async def create_experiment(*, db: Graph, definition: ExperimentCreate, now: datetime) -> Experiment:
    """Store a draft after checking every rule; 422 lists all problems, 409 a taken key."""
    problems = definition_problems(definition)
    if problems:
        raise Invalid("invalid experiment definition", problems)

    async def work(tx: AsyncManagedTransaction) -> list[dict[str, object]]:
        await _refuse_overlaps(tx, db, definition)
        return await fetch_all(tx, db.queries["experiment_create"], now=now, **to_params(definition))

    created = await db.in_write_transaction(work)
    if not created:
        raise Conflict(f"experiment {definition.key!r} already exists")
    return from_row(created[0]["experiment"])  # type: ignore[arg-type]


async def update_draft(*, db: Graph, key: str, definition: ExperimentCreate) -> Experiment:
    """Replace a draft's whole definition (same rules as create); 409 once it has started."""
    if definition.key != key:
        raise Invalid("invalid experiment definition", [{"field": "key", "message": f"must be {key!r}"}])
    problems = definition_problems(definition)
    if problems:
        raise Invalid("invalid experiment definition", problems)

    async def work(tx: AsyncManagedTransaction) -> list[dict[str, object]]:
        await _refuse_overlaps(tx, db, definition)
        return await fetch_all(tx, db.queries["experiment_update_draft"], **to_params(definition))

    rows = await db.in_write_transaction(work)
    if not rows:
        raise NotFound(f"no experiment {key!r}")
    if rows[0]["was"] != "draft":
        raise Conflict(f"experiment {key!r} is {rows[0]['was']}: only a draft can be edited")
    return from_row(rows[0]["experiment"])  # type: ignore[arg-type]


async def _refuse_overlaps(tx: AsyncManagedTransaction, db: Graph, definition: ExperimentCreate) -> None:
    if definition.namespace is None:
        return
    rows = await fetch_all(
        tx, db.queries["experiments_in_namespace"], namespace=definition.namespace.name, key=definition.key
    )
    overlaps = namespace_overlaps(definition.namespace, [from_row(r["experiment"]) for r in rows])
    if overlaps:
        raise Invalid("invalid experiment definition", overlaps)


async def exposures_daily(*, db: Graph, key: str) -> list[dict[str, Any]]:
    """First exposures per arm and UTC day (the results page's exposures-over-time chart)."""
    await get_experiment(db=db, key=key)
    return await db.read("experiment_exposures_daily", key=key)


async def list_experiments(*, db: Graph) -> list[Experiment]:
    return [from_row(r["experiment"]) for r in await db.read("experiment_list")]


async def get_experiment(*, db: Graph, key: str) -> Experiment:
    rows = await db.read("experiment_get", key=key)
    if not rows:
        raise NotFound(f"no experiment {key!r}")
    return from_row(rows[0]["experiment"])


async def start_experiment(*, db: Graph, key: str, now: datetime, hot: HotCache | None = None) -> Experiment:
    """draft -> running; anything else is a 409. `hot` (this process's cache) forgets the running list."""
    return await _transition(db, "experiment_start", key=key, now=now, expected="draft", hot=hot)


async def stop_experiment(*, db: Graph, key: str, now: datetime, hot: HotCache | None = None) -> Experiment:
    """running -> stopped; the end of the results window becomes now."""
    return await _transition(db, "experiment_stop", key=key, now=now, expected="running", hot=hot)


async def set_coverage(*, db: Graph, key: str, coverage: float) -> Experiment:
    """Ramp coverage up (nobody assigned moves) or down (users past the new edge leave)."""
    rows = await db.write("experiment_set_coverage", key=key, coverage=coverage)
    if not rows:
        raise NotFound(f"no experiment {key!r}")
    return from_row(rows[0]["experiment"])


async def _transition(
    db: Graph, query: str, *, key: str, now: datetime, expected: str, hot: HotCache | None
) -> Experiment:
    rows = await db.write(query, key=key, now=now)
    if not rows:
        raise NotFound(f"no experiment {key!r}")
    if rows[0]["was"] != expected:
        raise Conflict(f"experiment {key!r} is {rows[0]['was']}, not {expected}")
    if hot is not None:
        hot.clear()
    return from_row(rows[0]["experiment"])


def in_scope(experiment: Experiment, units: list[str], now: datetime, app: str = DEFAULT_APP) -> bool:
    """Within its start/end, for the learner's app, and, when limited to units, asked about one."""
    if experiment.start is not None and now < experiment.start:
        return False
    if experiment.end is not None and now >= experiment.end:
        return False
    if experiment.apps is not None and app not in experiment.apps:
        return False
    return experiment.units is None or bool(set(experiment.units) & set(units))


async def assign_and_expose(
    *,
    db: Graph,
    user_id: str,
    units: list[str],
    now: datetime,
    hot: HotCache | None = None,
    fresh: bool = False,
    app: str = DEFAULT_APP,
) -> list[Assignment]:
    """Assign the user in every running experiment in scope and record first exposures.

    With `hot` (the process's cache), at most one Cypher round trip: none when nothing applies or
    this process already recorded the exposures, plus a read every few seconds to refresh the
    running list; without it, every call reads the running list. A user already
    exposed keeps the arm recorded at first exposure, so a later change of weights never
    switches anyone mid-experiment.
    """
    now = as_utc(now)
    by_key: dict[str, Experiment] = {}
    known, rows = [], []
    for experiment in await running_experiments(db=db, hot=hot, fresh=fresh):
        arm = choose_arm(experiment, user_id) if in_scope(experiment, units, now, app) else None
        if arm is None:
            continue
        by_key[experiment.key] = experiment
        stored = None if fresh or hot is None else hot.exposed_arm(user_id, experiment.uid)
        if stored is not None:
            known.append({"key": experiment.key, "arm": stored})
        else:
            rows.append({"key": experiment.key, "arm": arm})
    recorded = await db.write("experiment_expose", user_id=user_id, rows=rows, now=now) if rows else []
    if hot is not None:
        for row in recorded:
            hot.remember_exposure(user_id, by_key[row["key"]].uid, row["arm"])
    return [_assignment(by_key[row["key"]], row["arm"]) for row in sorted(known + recorded, key=_by_key)]


def _assignment(experiment: Experiment, arm_name: str) -> Assignment:
    arm = experiment.arm(arm_name)
    overrides = dict(arm.overrides) if arm is not None else {}
    return Assignment(experiment.key, arm_name, overrides)


def _by_key(row: dict[str, object]) -> str:
    return str(row["key"])
