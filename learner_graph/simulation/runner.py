"""One simulated student at a time: ask a policy, dismiss or answer, record through the real write paths.

Each step is one recommendation request of `n` items. The student dismisses an item whose true
P(correct) is extreme (through the feedback path when the engine served it) and answers the others;
the answers are recorded as one batch with `record_attempts` before the next request, so the next
recommendation sees them. Steps come in sessions on separate days, at a time of day drawn per student.
"""

from __future__ import annotations

import asyncio
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from learner_graph.learners.attempts import record_attempts
from learner_graph.learners.models import AttemptIn
from learner_graph.recommendations.feedback import record_feedback
from learner_graph.recommendations.models import FeedbackIn
from learner_graph.simulation.policies import Ask, Item, Pick, Policy
from learner_graph.simulation.world import World
from seed.simulator import Student

# The simulator's P(correct) lies in [guess, 1 - slip] = [0.05, 0.95]: the thresholds sit just inside.
TOO_EASY = 0.93  # a student dismisses a question they are this sure to get right ...
TOO_HARD = 0.08  # ... or this sure to get wrong


@dataclass(frozen=True)
class Plan:
    """The shape of every student's practice: steps, items per step, steps per session, the units."""

    steps: int = 8
    n: int = 5
    steps_per_session: int = 2
    units: tuple[str, ...] = ("math",)


@dataclass
class Outcome:
    """What happened to one student under one policy; `skill_*` are the simulator's ground truth."""

    user_id: str
    skill_start: float = 0.0
    skill_end: float = 0.0
    served: int = 0
    dismissed: int = 0
    answers: list[tuple[str, float, bool]] = field(default_factory=list)  # (kind, true P, correct)
    latencies_ms: list[float] = field(default_factory=list)
    arm: str | None = None

    @property
    def delta_skill(self) -> float:
        return self.skill_end - self.skill_start


def session_days(index: int, sessions: int, seed: int) -> list[datetime]:
    """Session start times: every 1-3 days, at a time of day that varies a little per session."""
    rng = random.Random(f"{seed}:sessions:{index}")
    day = rng.randrange(3)
    starts = []
    for _ in range(sessions):
        starts.append(timedelta(days=day, hours=rng.uniform(15.0, 20.0)))
        day += rng.randint(1, 3)
    return [datetime(2025, 3, 3, tzinfo=UTC) + start for start in starts]


async def run_student(
    world: World, policy: Policy, student: Student, *, user_id: str, index: int, plan: Plan, seed: int
) -> Outcome:
    """All steps of one student; the student's hidden state learns as they answer."""
    sessions = session_days(index, math.ceil(plan.steps / plan.steps_per_session), seed)
    rng = random.Random(f"{seed}:policy:{index}")
    outcome = Outcome(user_id, skill_start=world.sim.mean_skill(student, sessions[0]))
    recent: list[str] = []
    at = sessions[0]
    for step in range(plan.steps):
        start = sessions[step // plan.steps_per_session]
        at = start if step % plan.steps_per_session == 0 else at + timedelta(seconds=rng.uniform(5, 60))
        ask = Ask(user_id, list(plan.units), plan.n, at, recent[-30:])
        pick = await policy.pick(world, ask, rng)
        outcome.latencies_ms.append(pick.latency_ms)
        outcome.arm = outcome.arm or pick.arm
        at = await _work_through(world, student, pick, outcome, at, rng, step)
        recent.extend(item.question_id for item in pick.items)
    end = sessions[-1].replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    outcome.skill_end = world.sim.mean_skill(student, end)
    return outcome


async def _work_through(
    world: World, student: Student, pick: Pick, outcome: Outcome, at: datetime, rng: random.Random, step: int
) -> datetime:
    attempts: list[AttemptIn] = []
    for k, item in enumerate(pick.items):
        outcome.served += 1
        p_true = world.sim.p_correct(student, item.question_id, at)
        if p_true > TOO_EASY or p_true < TOO_HARD:
            outcome.dismissed += 1
            await _dismiss(world, pick, item, "too_easy" if p_true > TOO_EASY else "too_hard", at)
            continue
        correct = world.sim.answer(student, item.question_id, at)
        spent = 25000.0 * math.exp(rng.gauss(0.0, 0.4)) * (1.0 if correct else 1.3)
        attempts.append(
            AttemptIn(
                attempt_id=f"{outcome.user_id}-{step:03d}-{k:02d}", user_id=outcome.user_id,
                question_id=item.question_id, correct=correct, time_spent_ms=int(spent), at=at,
                recommendation_id=pick.recommendation_id,
            )
        )
        outcome.answers.append((item.kind, p_true, correct))
        at += timedelta(milliseconds=spent) + timedelta(seconds=rng.uniform(2.0, 20.0))
    if attempts:
        await record_attempts(db=world.db, attempts=attempts, now=at, scheduler=world.scheduler)
    return at


async def _dismiss(world: World, pick: Pick, item: Item, reason: str, at: datetime) -> None:
    if pick.recommendation_id is None:
        return  # a baseline's pick was never served by the API: nothing to send feedback about
    feedback = FeedbackIn(question_id=item.question_id, action="dismissed", reason=reason, at=at)  # type: ignore[arg-type]
    await record_feedback(db=world.db, recommendation_id=pick.recommendation_id, feedback=feedback, now=at)


async def run_population(
    world: World, policy: Policy, *, students: int, tag: str, plan: Plan, seed: int, concurrency: int = 4
) -> list[Outcome]:
    """`students` simulated students (the same hidden students for every policy), a few at a time."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> Outcome:
        async with gate:
            student = world.sim.new_student(f"eval-{seed}-{i:05d}")
            return await run_student(world, policy, student, user_id=f"{tag}-{i:05d}", index=i,
                                     plan=plan, seed=seed)

    return list(await asyncio.gather(*(one(i) for i in range(students))))

