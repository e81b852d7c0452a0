"""CUPED in experiment results: pre-exposure attempts read from the graph, the adjusted comparison."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from neo4j import Driver
from scipy import stats as sps

from learner_graph.config import Settings
from learner_graph.db.queries import Queries
from learner_graph.experiments import service
from learner_graph.experiments.results import PRE_PERIOD_DAYS, experiment_results, user_metrics
from tests.experiments_fixtures import definition, on_graph

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
T0 = NOW + timedelta(hours=1)  # everyone's first exposure
END = NOW + timedelta(days=5)
H = timedelta(hours=1)
# user -> (arm, answers before exposure, answers after); before: an hour apart ending an hour before T0
USERS = {
    "c1": ("control", [True, False, False, False], [True, False, False]),
    "c2": ("control", [True, True, False, False], [True, False]),
    "c3": ("control", [True, True, True, False], [True, True, False]),
    "e1": ("easier", [True, False, False, False], [True, True, False, False]),
    "e2": ("easier", [True, True, False, False], [True, True, True, False]),
    "e3": ("easier", [True, True, True, True], [True, True, True, True, True]),
    "e4": ("easier", [], [True, False]),  # its only earlier answer is older than the pre-period
}
OLD = T0 - timedelta(days=PRE_PERIOD_DAYS, hours=1)


def _attempts(user: str, before: list[bool], after: list[bool]) -> list[dict[str, object]]:
    earlier = [(T0 - (len(before) - i) * H, ok) for i, ok in enumerate(before)]
    if user == "e4":
        earlier = [(OLD, True)]
    later = [(T0 + i * H, ok) for i, ok in enumerate(after)]
    return [{"id": f"{user}-{i}", "at": at, "correct": ok} for i, (at, ok) in enumerate(earlier + later)]


def _load(db: Driver, settings: Settings) -> None:
    rows = [{"user": u, "arm": arm, "attempts": _attempts(u, before, after)}
            for u, (arm, before, after) in USERS.items()]
    db.execute_query(
        """
        MERGE (k:Concept {id: 'k'}) MERGE (q:Question {id: 'q1'})-[:ASSESSES {weight: 1.0}]->(k)
        WITH q
        MATCH (e:Experiment {key: 'target-p'})
        UNWIND $rows AS row
        CREATE (u:User {id: row.user, timezone: 'UTC', created_at: $created})
        CREATE (u)-[:EXPOSED {arm: row.arm, first_at: $t0}]->(e)
        FOREACH (a IN row.attempts |
          CREATE (u)-[:ATTEMPTED]->(:Attempt {id: a.id, user_id: row.user, question_id: 'q1',
                                              correct: a.correct, at: a.at, time_ms: 30000})-[:OF]->(q))
        """,
        rows=rows, t0=T0, created=NOW - timedelta(days=60), database_=settings.neo4j_database,
    )


@pytest.fixture
def loaded(db: Driver, settings: Settings, queries: Queries) -> None:
    async def setup(graph: object) -> None:
        await service.create_experiment(db=graph, definition=definition(), now=NOW)  # type: ignore[arg-type]
        await service.start_experiment(db=graph, key="target-p", now=NOW)  # type: ignore[arg-type]

    on_graph(settings, queries, setup)
    _load(db, settings)


def test_pre_period_covariates_per_user(loaded: None, settings: Settings, queries: Queries) -> None:
    users = on_graph(settings, queries, lambda g: user_metrics(db=g, key="target-p", until=END))
    by_user = users.set_index("user_id")
    assert by_user.loc["c1", "pre_attempts"] == 4 and by_user.loc["c1", "pre_accuracy"] == pytest.approx(0.25)
    assert by_user.loc["e3", "pre_accuracy"] == pytest.approx(1.0)
    assert by_user.loc["c2", "pre_practice_minutes"] == pytest.approx(2.0)  # 4 × 30 s
    assert by_user.loc["c2", "pre_active_days"] == 1
    assert by_user.loc["e4", "pre_attempts"] == 0 and np.isnan(by_user.loc["e4", "pre_accuracy"])  # too old
    assert by_user.loc["c1", "accuracy"] == pytest.approx(1 / 3)  # the window is unchanged by the pre-period


def test_cuped_accuracy_in_results_equals_an_independent_computation(
    loaded: None, settings: Settings, queries: Queries
) -> None:
    results = on_graph(settings, queries, lambda g: experiment_results(db=g, key="target-p", now=END))
    rows = {(r.metric, r.arm): r for r in results.metrics}
    x = {u: sum(before) / len(before) for u, (_, before, _) in USERS.items() if before}
    y = {u: sum(after) / len(after) for u, (_, _, after) in USERS.items()}
    users = sorted(x)
    xs, ys = np.array([x[u] for u in users]), np.array([y[u] for u in users])
    theta = np.cov(xs, ys)[0, 1] / xs.var(ddof=1)
    adjusted = {u: y[u] - theta * (x[u] - xs.mean()) if u in x else y[u] for u in USERS}
    control = [adjusted[u] for u in USERS if USERS[u][0] == "control"]
    easier = [adjusted[u] for u in USERS if USERS[u][0] == "easier"]
    row = rows[("accuracy", "easier")]
    assert row.cuped_covariate == "pre_accuracy"
    assert row.cuped_abs_lift == pytest.approx(np.mean(easier) - np.mean(control))
    assert row.cuped_p_value == pytest.approx(sps.ttest_ind(easier, control, equal_var=False).pvalue)
    assert rows[("accuracy", "control")].cuped_mean == pytest.approx(np.mean(control))
    assert row.abs_lift == pytest.approx(np.mean([y[u] for u in USERS if USERS[u][0] == "easier"])
                                         - np.mean([y[u] for u in USERS if USERS[u][0] == "control"]))
    assert row.cuped_variance_reduction is not None and row.cuped_variance_reduction > 0
    # accuracy is the secondary metric and the only one tested (attempts, primary, has its own CUPED)
    assert row.cuped_p_adjusted is not None and row.cuped_p_adjusted >= row.cuped_p_value
    assert rows[("dismissals", "easier")].cuped_covariate is None  # no pre-period counterpart
    assert rows[("ability_gain", "easier")].cuped_p_value is None
