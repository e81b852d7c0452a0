"""Content, learners, experiments and models the browser tests put in the graph first."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from neo4j import Driver

FORMAT = "learner-graph/content@1"


def curriculum() -> dict[str, Any]:
    """Three chained concepts (a <- b <- c) in one subject, two questions each, a unit tree."""
    concepts = [
        {"id": "a", "name": "Counting", "subject": "math", "requires": []},
        {"id": "b", "name": "Adding", "subject": "math", "requires": ["a"]},
        {"id": "c", "name": "Multiplying", "subject": "math", "requires": ["b"]},
        {"id": "v", "name": "Velocity", "subject": "physics", "requires": ["c"]},
    ]
    questions = [
        {
            "id": f"q-{c['id']}-{i}",
            "text": f"A question on {c['name'].lower()} #{i}?",
            "difficulty_tag": i + 1,
            "concepts": [{"id": c["id"], "weight": 1.0}],
            "answer": {"kind": "numeric", "value": str(i)},
        }
        for c in concepts
        for i in range(2)
    ]
    units = [
        {"id": "math", "name": "Mathematics", "kind": "subject", "units": ["math.ops"], "questions": []},
        {
            "id": "math.ops",
            "name": "Operations",
            "kind": "chapter",
            "units": [],
            "questions": [q["id"] for q in questions if not q["id"].startswith("q-v")],
        },
    ]
    return {"format": FORMAT, "concepts": concepts, "units": units, "questions": questions}


def layered_curriculum(n: int, *, seed: int = 3) -> dict[str, Any]:
    """`n` concepts in layers of 40 across four subjects, each requiring 1-3 of the layer above."""
    rng = random.Random(seed)
    concepts = []
    for i in range(n):
        layer = i // 40
        above = [f"c-{j:04d}" for j in range((layer - 1) * 40, layer * 40)] if layer else []
        requires = sorted(rng.sample(above, rng.randint(1, 3))) if above else []
        subject = ("math", "physics", "chemistry", "biology")[i % 4]
        concepts.append(
            {"id": f"c-{i:04d}", "name": f"Concept {i}", "subject": subject, "requires": requires}
        )
    return {"format": FORMAT, "concepts": concepts, "units": [], "questions": []}


def expose(db: Driver, key: str, arms: dict[str, int], *, days: int = 10, seed: int = 1) -> None:
    """Users exposed to `key` (`arms`: how many per arm) with a few attempts each after exposure."""
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=days)
    rows = []
    for arm, count in arms.items():
        for i in range(count):
            first = start + timedelta(hours=rng.randint(0, 24 * (days - 2)))
            skill = 0.55 if arm == "control" else 0.7
            attempts = [
                {
                    "id": f"{key}-{arm}-{i}-{k}",
                    "question_id": f"q-{'abc'[k % 3]}-{k % 2}",
                    "at": first + timedelta(hours=k * 7),
                    "correct": rng.random() < skill,
                    "time_ms": rng.randint(20_000, 90_000),
                }
                for k in range(rng.randint(3, 9))
            ]
            rows.append({"user": f"{key}-{arm}-{i}", "arm": arm, "first": first, "attempts": attempts})
    with db.session() as session:
        session.run(
            """
            MATCH (e:Experiment {key: $key})
            UNWIND $rows AS row
            CREATE (u:User {id: row.user, timezone: 'UTC', created_at: row.first - duration({days: 30})})
            CREATE (u)-[:EXPOSED {arm: row.arm, first_at: row.first}]->(e)
            WITH u, row
            UNWIND row.attempts AS at
            MATCH (q:Question {id: at.question_id})
            CREATE (u)-[:ATTEMPTED]->(a:Attempt {id: at.id, user_id: u.id, question_id: q.id, at: at.at,
                                                  correct: at.correct, time_ms: at.time_ms})-[:OF]->(q)
            """,
            key=key,
            rows=rows,
        ).consume()


def model_versions(db: Driver) -> None:
    """Two registered versions with calibration tables; the first one active."""

    def calibration(bend: float) -> list[dict[str, Any]]:
        return [
            {
                "lo": b / 10,
                "hi": (b + 1) / 10,
                "n": 50 + 10 * b,
                "predicted": b / 10 + 0.05,
                "observed": min(1.0, max(0.0, b / 10 + 0.05 + bend * (b - 4.5) / 10)),
            }
            for b in range(10)
        ]

    versions = [
        {
            "id": "m-2026-01",
            "active": True,
            "at": "2026-01-01T00:00:00Z",
            "metrics": {
                "auc": 0.781,
                "log_loss": 0.52,
                "brier": 0.17,
                "accuracy": 0.74,
                "ece": 0.012,
                "calibration": calibration(0.05),
            },
        },
        {
            "id": "m-2026-02",
            "active": False,
            "at": "2026-02-01T00:00:00Z",
            "metrics": {
                "auc": 0.802,
                "log_loss": 0.49,
                "brier": 0.16,
                "accuracy": 0.76,
                "ece": 0.008,
                "calibration": calibration(-0.02),
                "served_calibration": {"items": 1840, "learners": 61, "predicted": 0.5412, "observed": 0.4988,
                                       "offset": -0.1733},
            },
        },
    ]
    with db.session() as session:
        session.run(
            "UNWIND $rows AS row CREATE (:ModelVersion {id: row.id, active: row.active, trained_at: "
            "datetime(row.at), scope: [], dim: 8, metrics: row.metrics, side: ''})",
            rows=[v | {"metrics": json.dumps(v["metrics"])} for v in versions],
        ).consume()


def broken_reports(db: Driver, question_id: str, users: int) -> None:
    with db.session() as session:
        session.run(
            "MATCH (q:Question {id: $qid}) UNWIND range(1, $users) AS i "
            "MERGE (u:User {id: 'reporter-' + i}) MERGE (u)-[b:REPORTED_BROKEN]->(q) SET b.at = datetime()",
            qid=question_id,
            users=users,
        ).consume()
