"""Experiment lifecycle, namespace exclusivity at definition time, and exposure on the hot path."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.db.graph import Graph
from learner_graph.db.queries import Queries
from learner_graph.errors import Conflict, Invalid, NotFound
from learner_graph.experiments import service
from learner_graph.experiments.assignment import choose_arm
from learner_graph.experiments.hot import HotCache
from learner_graph.experiments.models import Experiment, Namespace
from tests.experiments_fixtures import definition, on_graph

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
USERS = [f"s{i}" for i in range(40)]


def test_lifecycle_draft_running_stopped(db: Driver, settings: Settings, queries: Queries) -> None:
    async def work(graph: Graph) -> None:
        created = await service.create_experiment(db=graph, definition=definition(), now=NOW)
        assert (created.status, created.seed) == ("draft", "target-p")
        with pytest.raises(Conflict):
            await service.create_experiment(db=graph, definition=definition(), now=NOW)
        running = await service.start_experiment(db=graph, key="target-p", now=NOW)
        assert running.status == "running" and running.start == NOW
        with pytest.raises(Conflict):
            await service.start_experiment(db=graph, key="target-p", now=NOW)
        stopped = await service.stop_experiment(db=graph, key="target-p", now=NOW + timedelta(days=3))
        assert stopped.status == "stopped" and stopped.end == NOW + timedelta(days=3)
        assert [e.key for e in await service.list_experiments(db=graph)] == ["target-p"]
        with pytest.raises(NotFound):
            await service.get_experiment(db=graph, key="missing")

    on_graph(settings, queries, work)


def test_overlapping_namespace_is_refused_until_the_other_stops(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    async def work(graph: Graph) -> None:
        first = definition("a", namespace=Namespace(name="mixer", range=(0.0, 0.6)))
        await service.create_experiment(db=graph, definition=first, now=NOW)
        second = definition("b", namespace=Namespace(name="mixer", range=(0.5, 1.0)))
        with pytest.raises(Invalid) as refused:
            await service.create_experiment(db=graph, definition=second, now=NOW)
        assert [d["field"] for d in refused.value.details] == ["namespace.range"]
        await service.start_experiment(db=graph, key="a", now=NOW)
        await service.stop_experiment(db=graph, key="a", now=NOW)
        assert (await service.create_experiment(db=graph, definition=second, now=NOW)).key == "b"

    on_graph(settings, queries, work)


def _exposures(db: Driver, settings: Settings) -> list[tuple[str, str, str]]:
    records, _, _ = db.execute_query(
        "MATCH (u:User)-[x:EXPOSED]->(e:Experiment) RETURN u.id AS u, e.key AS e, x.arm AS arm, "
        "x.first_at AS first_at ORDER BY u, e",
        database_=settings.neo4j_database,
    )
    return [(r["u"], r["e"], r["arm"], r["first_at"].to_native()) for r in records]


def test_exposure_is_recorded_once_with_the_first_time(
    db: Driver, settings: Settings, queries: Queries
) -> None:
    async def work(graph: Graph) -> list[list[service.Assignment]]:
        hot = HotCache()
        await service.create_experiment(db=graph, definition=definition(), now=NOW)
        await service.start_experiment(db=graph, key="target-p", now=NOW, hot=hot)
        calls = [
            service.assign_and_expose(
                db=graph, user_id="s1", units=["u"], now=NOW + timedelta(minutes=i), hot=hot
            )
            for i in range(8)
        ]
        first = await asyncio.gather(*calls)
        later = await service.assign_and_expose(
            db=graph, user_id="s1", units=["u"], now=NOW + timedelta(days=1), hot=hot
        )
        return [*first, later]

    results = on_graph(settings, queries, work)
    arm = results[0][0].arm
    assert all(
        r == [service.Assignment("target-p", arm, {"target_p": 0.7} if arm == "easier" else {})]
        for r in results
    )
    exposures = _exposures(db, settings)
    assert len(exposures) == 1
    user, key, stored_arm, first_at = exposures[0]
    assert (user, key, stored_arm) == ("s1", "target-p", arm)
    assert NOW <= first_at < NOW + timedelta(minutes=8)


def test_assignment_is_sticky_across_a_restart(db: Driver, settings: Settings, queries: Queries) -> None:
    async def before(graph: Graph) -> dict[str, str]:
        await service.create_experiment(db=graph, definition=definition(), now=NOW)
        await service.start_experiment(db=graph, key="target-p", now=NOW)
        return {
            u: (await service.assign_and_expose(db=graph, user_id=u, units=[], now=NOW))[0].arm for u in USERS
        }

    async def after(graph: Graph) -> dict[str, str]:
        return {
            u: (await service.assign_and_expose(db=graph, user_id=u, units=[], now=NOW))[0].arm for u in USERS
        }

    first = on_graph(settings, queries, before)
    second = on_graph(settings, queries, after)  # a new driver and an empty cache: a restarted replica
    assert first == second
    assert set(first.values()) == {"control", "easier"}
    experiment = definition()
    expected = {u: choose_arm(Experiment(**experiment.model_dump() | {"seed": "target-p"}), u) for u in USERS}
    assert first == expected


def test_scope_units_window_and_stop(db: Driver, settings: Settings, queries: Queries) -> None:
    async def work(graph: Graph) -> list[int]:
        hot = HotCache()  # stop must clear it, or the stopped experiment would still assign
        limited = definition("limited", units=["fractions"])
        await service.create_experiment(db=graph, definition=limited, now=NOW)
        later = definition("later", start=NOW + timedelta(days=2))
        await service.create_experiment(db=graph, definition=later, now=NOW)
        for key in ("limited", "later"):
            await service.start_experiment(db=graph, key=key, now=NOW, hot=hot)
        counts = []
        for units in (["geometry"], ["fractions", "geometry"]):
            assigned = await service.assign_and_expose(db=graph, user_id="s2", units=units, now=NOW, hot=hot)
            counts.append(len(assigned))
        await service.stop_experiment(db=graph, key="limited", now=NOW, hot=hot)
        assigned = await service.assign_and_expose(
            db=graph, user_id="s3", units=["fractions"], now=NOW, hot=hot
        )
        counts.append(len(assigned))
        assigned = await service.assign_and_expose(
            db=graph, user_id="s3", units=["fractions"], now=NOW + timedelta(days=3), fresh=True, hot=hot
        )
        counts.append(len(assigned))
        return counts

    assert on_graph(settings, queries, work) == [0, 1, 0, 1]


def test_repeat_exposure_is_answered_in_process(db: Driver, settings: Settings, queries: Queries) -> None:
    def drop_exposures() -> None:
        db.execute_query("MATCH ()-[x:EXPOSED]->() DELETE x", database_=settings.neo4j_database)

    async def work(graph: Graph) -> list[int]:
        hot = HotCache()  # the process's cache (the runtime's `experiments`)
        await service.create_experiment(db=graph, definition=definition(), now=NOW)
        await service.start_experiment(db=graph, key="target-p", now=NOW, hot=hot)
        counts = []
        first = await service.assign_and_expose(db=graph, user_id="s5", units=[], now=NOW, hot=hot)
        counts.append(len(_exposures(db, settings)))
        drop_exposures()  # this process remembers: a repeat does not go to the graph at all
        again = await service.assign_and_expose(db=graph, user_id="s5", units=[], now=NOW, hot=hot)
        counts.append(len(_exposures(db, settings)))
        assert again == first
        await service.assign_and_expose(db=graph, user_id="s5", units=[], now=NOW, hot=hot, fresh=True)
        counts.append(len(_exposures(db, settings)))
        return counts

    assert on_graph(settings, queries, work) == [1, 0, 1]
