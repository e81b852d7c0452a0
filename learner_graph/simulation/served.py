"""The study's model calibrated on items it served, as a deployment's would be.

A deployment retrains and recalibrates its model periodically on what it has seen, the items it
served included. The study's model is trained on simulated curriculum walkers; `calibrate` then
serves earlier cohorts of learners (not the study's: other ids) with the shipped mixer, and fits
the served calibration (`model.served.fit_offsets`) on their next-best items and answers, one
refit a cohort, each starting from the last (docs/BENCHMARKS.md, "Next items at the target,
round 5").
"""

from __future__ import annotations

import dataclasses

import numpy as np

from learner_graph.model import QuestionSide
from learner_graph.model.served import fit_offsets
from learner_graph.simulation.course import CoursePlan, Probes
from learner_graph.simulation.inproc import Engine
from learner_graph.simulation.outcomes import make_policy, run_cohort
from seed.forgetting import ForgettingSimulator

LEARNERS = 40  # a cohort served before each refit
ROUNDS = 2  # refits: the second corrects what the first changed in what is served
SEED_OFFSET = 10_000  # the cohorts' learner ids: learner-<seed + SEED_OFFSET + round>-<index>


def calibrate(engine: Engine, sim: ForgettingSimulator, probes: Probes, *, plan: CoursePlan, seed: int,
              learners: int = LEARNERS, rounds: int = ROUNDS) -> QuestionSide:
    """The engine's model with its served calibration fitted on `rounds` cohorts of `learners`."""
    side = engine.side
    assert side is not None, "a model is needed to calibrate"
    for k in range(rounds):
        served = dataclasses.replace(engine, side=side)
        outcomes = run_cohort(served, sim, probes, make_policy("mixer"), plan=plan, learners=learners,
                              seed=seed + SEED_OFFSET + k)
        rows = [(a.p_predicted, a.correct, a.history)
                for o in outcomes for a in o.answers if a.kind == "next"]
        predicted, correct, attempts = (np.array(column) for column in zip(*rows, strict=True))
        side = dataclasses.replace(side, served=fit_offsets(predicted, correct, attempts, start=side.served))
    return side
