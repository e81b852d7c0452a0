"""`delayed_retention` in experiment results: accuracy on concepts left unpractised for a week or more."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from neo4j import Driver

from learner_graph.config import Settings
from learner_graph.db.queries import Queries
from learner_graph.experiments import service
from learner_graph.experiments.results import delayed_retention, experiment_results
from tests.experiments_fixtures import definition, on_graph

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
T0 = NOW + timedelta(hours=1)  # everyone's first exposure
END = NOW + timedelta(days=30)
D = timedelta(days=1)
# user -> (arm, attempts as (offset from T0, question, correct)); q1 and q2 assess k, q3 assesses m.
USERS = {
    # q1 a day later: no; q2 eight days after q1 (same concept): counts, right; an hour later, the
    # same day back: counts too, wrong; the next day: no (the day back is over).
    "u1": ("control", [(0 * D, "q1", True), (1 * D, "q1", False), (9 * D, "q2", True),
                       (9 * D + timedelta(hours=1), "q2", False), (10 * D, "q1", False)]),
    # the whole morning back on m counts (three answers), m's answer 8 days on from those does too
    "u5": ("control", [(0 * D, "q3", False), (8 * D, "q3", True), (8 * D + timedelta(minutes=30), "q3", True),
                       (8 * D + timedelta(hours=2), "q3", False), (16 * D, "q3", True)]),
    # m practised before the exposure still counts as the previous practice: 8 days later, wrong;
    # k: 6 days (no), then 7 days later exactly (counts), right.
    "u2": ("easier", [(-2 * D, "q3", True), (6 * D, "q3", False), (0 * D, "q1", True), (6 * D, "q2", False),
                      (13 * D, "q1", True)]),
    # never away from a concept for a week: no value
    "u3": ("easier", [(0 * D, "q1", True), (5 * D, "q2", True), (10 * D, "q1", False)]),
    # a first practice is not a retention test, however late
    "u4": ("control", [(20 * D, "q3", False)]),
}


def _load(db: Driver, settings: Settings) -> None:
    rows = [
        {"user": user, "arm": arm,
         "attempts": [{"id": f"{user}-{i}", "at": T0 + off, "question": q, "correct": ok}
                      for i, (off, q, ok) in enumerate(attempts)]}
        for user, (arm, attempts) in USERS.items()
    ]
    db.execute_query(
        """
        MERGE (k:Concept {id: 'k'}) MERGE (m:Concept {id: 'm'})
        MERGE (:Question {id: 'q1'})-[:ASSESSES {weight: 1.0}]->(k)
        MERGE (:Question {id: 'q2'})-[:ASSESSES {weight: 1.0}]->(k)
        MERGE (:Question {id: 'q3'})-[:ASSESSES {weight: 1.0}]->(m)
        WITH 1 AS one
        MATCH (e:Experiment {key: 'target-p'})
        UNWIND $rows AS row
        CREATE (u:User {id: row.user, timezone: 'UTC', created_at: $created})
        CREATE (u)-[:EXPOSED {arm: row.arm, first_at: $t0}]->(e)
        FOREACH (a IN row.attempts |
          MERGE (q:Question {id: a.question})
          CREATE (u)-[:ATTEMPTED]->(:Attempt {id: a.id, user_id: row.user, question_id: a.question,
                                              correct: a.correct, at: a.at, time_ms: 30000})-[:OF]->(q))
        """,
        rows=rows, t0=T0, created=NOW - timedelta(days=30), database_=settings.neo4j_database,
    )


def test_delayed_retention_per_user_and_in_results(db: Driver, settings: Settings, queries: Queries) -> None:
    async def setup(graph: object) -> None:
        await service.create_experiment(db=graph, definition=definition(), now=NOW)  # type: ignore[arg-type]
        await service.start_experiment(db=graph, key="target-p", now=NOW)  # type: ignore[arg-type]

    on_graph(settings, queries, setup)
    _load(db, settings)
    per_user = on_graph(settings, queries, lambda g: delayed_retention(db=g, key="target-p", until=END))
    assert per_user == {"u1": pytest.approx(0.5), "u2": pytest.approx(0.5), "u5": pytest.approx(0.75)}
    results = on_graph(settings, queries, lambda g: experiment_results(db=g, key="target-p", now=END))
    rows = {(r.metric, r.arm): r for r in results.metrics}
    control = rows[("delayed_retention", "control")]
    assert (control.n, control.mean) == (2, pytest.approx(0.625))
    assert rows[("delayed_retention", "easier")].mean == pytest.approx(0.5)
    assert rows[("delayed_retention", "easier")].abs_lift == pytest.approx(-0.125)
