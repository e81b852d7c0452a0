"""The study's model calibrated on items it served, as a deployment's would be.

A deployment retrains and recalibrates its model periodically on what it has seen, the items it
served included. The study's model is trained on simulated curriculum walkers; `calibrate` then
serves earlier cohorts of learners (not the study's: other ids) with the shipped mixer, and fits
the served calibration (`model.served.fit_offsets`: an offset per history band and a slope on the
question's unshown depth) on their next-best items and answers, one refit a cohort, each starting
from the last (docs/BENCHMARKS.md, "Next items at the target, round 5").
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from learner_graph.model import QuestionSide
from learner_graph.model.served import DepthPlan, fit_offsets
from learner_graph.simulation.course import CourseOutcome, CoursePlan, Probes
from learner_graph.simulation.inproc import Engine
from learner_graph.simulation.outcomes import make_policy, run_cohort
from seed.forgetting import ForgettingSimulator

LEARNERS = 40  # a cohort served before each refit
ROUNDS = 2  # refits: the second corrects what the first changed in what is served
SEED_OFFSET = 10_000  # the cohorts' learner ids: learner-<seed + SEED_OFFSET + round>-<index>
RETRAIN_SEED_OFFSET = 20_000  # the cohort whose attempts join the training (`served_attempts`)


def with_prerequisites(side: QuestionSide, document: dict[str, Any]) -> QuestionSide:
    """The side with the content's prerequisite graph over its concepts (what unshown depth reads)."""
    index = side.concept_index
    requires = {c["id"]: c.get("requires", []) for c in document["concepts"]}
    prerequisites = tuple(tuple(index[p] for p in requires.get(cid, []) if p in index)
                          for cid in side.concept_ids)
    return dataclasses.replace(side, prerequisites=prerequisites)


def served_rows(side: QuestionSide, assesses: dict[str, list[tuple[str, float]]],
                outcomes: list[CourseOutcome]) -> tuple[np.ndarray, ...]:
    """(predicted, correct, attempts before, unshown depth) of every next-best item answered: the
    depth from the concepts of the learner's answers before it, as the live fit counts them
    (`assesses`: each question's concepts and weights, the content's)."""
    rows = []
    index = side.concept_index
    plan = DepthPlan.of(side.prerequisites)  # once: each served answer reads a learner's depth from it
    for outcome in outcomes:
        shown = np.zeros(len(side.concept_ids), dtype=bool)
        for answer in outcome.answers:
            pairs = [(index[c], w) for c, w in assesses[answer.question_id] if c in index]
            concepts = np.array([k for k, _ in pairs], dtype=np.int64)
            weights = np.array([w for _, w in pairs])
            if answer.kind == "next" and len(pairs):
                depth = plan.depth(shown)[concepts]
                rows.append((answer.p_predicted, answer.correct, answer.history,
                             float(weights @ depth / weights.sum())))
            shown[concepts] = True
    return tuple(np.array(column) for column in zip(*rows, strict=True))


def served_attempts(engine: Engine, sim: ForgettingSimulator, probes: Probes, *, plan: CoursePlan, seed: int,
                    learners: int, policy: str = "mixer") -> list[dict[str, Any]]:
    """Every attempt of a cohort of `learners` (not the study's: other ids) served by `policy` over
    the course, as the graph would keep them: what a deployment's next training reads."""
    log: list[dict[str, Any]] = []
    run_cohort(dataclasses.replace(engine, log=log), sim, probes, make_policy(policy), plan=plan,
               learners=learners, seed=seed + RETRAIN_SEED_OFFSET)
    return log


def calibrate(engine: Engine, sim: ForgettingSimulator, probes: Probes, *, plan: CoursePlan, seed: int,
              document: dict[str, Any], learners: int = LEARNERS, rounds: int = ROUNDS,
              policy: str = "mixer") -> QuestionSide:
    """The engine's model with its served calibration fitted on `rounds` cohorts of `learners`
    served by `policy` (a calibration is for the settings whose items it was fitted on)."""
    assert engine.side is not None, "a model is needed to calibrate"
    side = with_prerequisites(engine.side, document)
    for k in range(rounds):
        outcomes = run_cohort(dataclasses.replace(engine, side=side), sim, probes, make_policy(policy),
                              plan=plan, learners=learners, seed=seed + SEED_OFFSET + k)
        predicted, correct, attempts, depth = served_rows(side, engine.assesses, outcomes)
        offsets, slope = fit_offsets(predicted, correct, attempts, depth, start=side.served,
                                     start_slope=side.served_slope)
        side = dataclasses.replace(side, served=offsets, served_slope=slope)
    return side
