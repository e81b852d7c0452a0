"""Learners who forget between sessions: ACT-R declarative memory with the spacing effect.

The memory model follows Pavlik & Anderson (2005), "Practice and forgetting effects on vocabulary
memory: an activation-based model of the spacing effect", Cognitive Science 29(4), 559-586.
Every practice j of a concept leaves a trace that decays as a power of its age; the concept's
activation at time t is

    m(t) = ln Σ_j (t - t_j) ^ (-d_j),     d_j = c · exp(m(t_j)) + a,

where m(t_j) is the activation just before practice j (the first practice decays at d = a). A
practice made while the concept is still highly active decays fast, one made after some
forgetting decays slowly: that is the spacing effect, and why massed practice is forgotten
sooner than the same practice spread over days. Recall follows the logistic of activation,

    R(t) = σ((m(t) - τ) / s).

a = 0.177 and c = 0.217 are the paper's fitted decay parameters. Ages are in minutes here, at
least one (the paper fits word pairs in seconds and scales the time between sessions; an age
unit below the shortest age would make faster decay *raise* activation); τ = -1.4 and s = 0.27
put the recall of one practice at about 0.9 an hour later, 0.6 a day later and 0.3 a week
later, and several practices spread over days keep it above 0.8 for weeks. The model is
deliberately not FSRS, so the product's FSRS scheduler is not graded against its own assumptions.

`ForgettingSimulator` plugs this into `seed.simulator.Simulator`: what practice taught about a
concept (`learned`, on the logit scale, never lost) is accessible in the proportion
`floor + (1 - floor) · R(t)` on top of the student's starting skill, so an unpractised concept
falls back towards where the student began, and a review brings it back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from seed.simulator import SimParams, Simulator, Student

MINUTE_S = 60.0


@dataclass(frozen=True)
class ActrParams:
    """The memory model's knobs (see the module docstring for where they come from)."""

    a: float = 0.177  # decay of a trace laid down with no prior activation
    c: float = 0.217  # how much current activation speeds a new trace's decay (the spacing effect)
    tau: float = -1.4  # recall threshold: R = 0.5 at this activation
    s: float = 0.27  # recall noise
    min_age: float = 1.0  # minutes: a trace is at least a minute old (its activation stays finite)
    floor: float = 0.25  # share of what was learned that stays accessible however long ago


def activation(traces: list[tuple[float, float]], at: float, params: ActrParams) -> float:
    """m(t) = ln Σ (t - t_j)^(-d_j) over traces (time in minutes, decay); -inf without traces."""
    total = sum(max(at - t, params.min_age) ** -d for t, d in traces if t <= at)
    return math.log(total) if total > 0 else -math.inf


def recall(traces: list[tuple[float, float]], at: float, params: ActrParams) -> float:
    """R(t) = σ((m(t) - τ) / s); 0 for a concept never practised."""
    m = activation(traces, at, params)
    if m == -math.inf:
        return 0.0
    return 1.0 / (1.0 + math.exp((params.tau - m) / params.s))


def add_trace(traces: list[tuple[float, float]], at: float, params: ActrParams) -> None:
    """A practice at `at`: its decay rate is set by the activation just before it."""
    m = activation(traces, at, params)
    decay = params.a if m == -math.inf else params.c * math.exp(m) + params.a
    traces.append((at, decay))


class ForgettingSimulator(Simulator):
    """`Simulator` with ACT-R forgetting instead of the exponential decay of learned skill."""

    def __init__(self, document: dict[str, Any], *, seed: int, params: SimParams | None = None,
                 memory: ActrParams | None = None) -> None:
        super().__init__(document, seed=seed, params=params)
        self.memory = memory or ActrParams()

    def retention(self, student: Student, concept: int, ts: float) -> float:
        """The accessible share of what was learned: floor + (1 - floor) · R(t)."""
        traces = student.traces.get(concept)
        if not traces:
            return 1.0
        r = recall(traces, ts / MINUTE_S, self.memory)
        return self.memory.floor + (1.0 - self.memory.floor) * r

    def _skill(self, student: Student, concept: int, ts: float) -> float:
        learned = student.learned.get(concept, 0.0)
        return student.base[concept] + learned * self.retention(student, concept, ts)

    def _practise(self, student: Student, concept: int, weight: float, correct: bool, ts: float) -> None:
        """Learn as `Simulator` does (gain from the accessible skill), then lay down a trace."""
        before = self._skill(student, concept, ts)
        super()._practise(student, concept, weight, correct, ts)
        gain = student.skill[concept] - before
        student.learned[concept] = student.learned.get(concept, 0.0) + gain
        add_trace(student.traces.setdefault(concept, []), ts / MINUTE_S, self.memory)
        student.skill[concept] = self._skill(student, concept, ts)
