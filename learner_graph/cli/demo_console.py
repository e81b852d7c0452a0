"""What `make run` adds so every console page has something: a finished experiment with results,
flags on two questions and an audit trail by more than one author. Idempotent, like the demo."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from learner_graph.content import audit
from learner_graph.content.concepts import update_concept
from learner_graph.content.models import ConceptUpdate
from learner_graph.db.graph import Graph
from learner_graph.experiments import service
from learner_graph.experiments.assignment import choose_arm
from learner_graph.experiments.models import Arm, ExperimentCreate
from learner_graph.recommendations import feedback

EXPERIMENT = "demo-target-p"
DAYS = 21  # the experiment's window, ending now


def demo_experiment() -> ExperimentCreate:
    return ExperimentCreate(
        key=EXPERIMENT,
        description=(
            "Demo: laid over the simulated learners' histories of the last three weeks. The arms served "
            "nothing different, so this is an A/A test in effect: expect no significant lift."
        ),
        hypothesis="Aiming at P(correct) = 0.7 instead of 0.5 keeps students practising longer",
        arms=[Arm(name="control", weight=0.5), Arm(name="easier", weight=0.5, overrides={"target_p": 0.7})],
        control="control",
        primary_metrics=["ability_gain", "attempts"],
        secondary_metrics=["accuracy", "practice_minutes"],
        guardrail_metrics=["dismissals"],
    )


async def seed_console(*, db: Graph, now: datetime) -> dict[str, Any]:
    """Add the experiment, flags and audit entries that are missing; returns what was added."""
    added: dict[str, Any] = {}
    if not await db.read("experiment_get", key=EXPERIMENT):
        added["experiment_exposed"] = await _experiment(db, now)
    if not await feedback.flags(db=db):
        added["flag_reports"] = await _flags(db, now)
    changes = [
        ("alice", "frac-add", "Add fractions with like and unlike denominators."),
        ("bob", "frac-add", "Add fractions with like and unlike denominators, and mixed numbers."),
    ]
    total, _ = await audit.list_changes(
        db=db, entity=None, entity_id=None, author="alice", since=None, until=None, limit=1, offset=0
    )
    if total == 0:
        for author, concept_id, description in changes:
            update = ConceptUpdate(description=description)
            await update_concept(db=db, concept_id=concept_id, update=update, author=author)
        added["audit"] = len(changes)
    return added


async def _experiment(db: Graph, now: datetime) -> int:
    start = now - timedelta(days=DAYS)
    experiment = await service.create_experiment(db=db, definition=demo_experiment(), now=start)
    await service.start_experiment(db=db, key=EXPERIMENT, now=start)
    ids = (await db.read("experiment_user_ids", until=now))[0]["ids"]
    rows = [{"user_id": uid, "arm": arm} for uid in ids if (arm := choose_arm(experiment, uid))]
    exposed = (
        await db.write("demo_expose_active", key=EXPERIMENT, rows=rows, start=start, until=now)
    )[0]["exposed"]
    await service.stop_experiment(db=db, key=EXPERIMENT, now=now)
    return int(exposed)


async def _flags(db: Graph, now: datetime) -> int:
    users = await db.read("users_page", app=None, after=None, text=None, limit=6)
    qids = [r["question_id"] for r in await db.read("demo_first_questions", limit=2)]
    reports = [
        {"user_id": u["user"]["id"], "question_id": qid, "at": now - timedelta(hours=i + 1)}
        for i, u in enumerate(users)
        for qid in qids[i % 2 : i % 2 + 1]
    ]
    return int((await db.write("demo_report_broken", reports=reports))[0]["reports"])
