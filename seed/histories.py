"""Attempt histories of simulated students: practice sessions on random days, in time order.

The default policy walks the sections in prerequisite order; a recommendation policy under test
can replace it (see `Policy`). `simulate_students` also hands back each student's hidden state,
the ground truth a test compares a policy or a model against.
"""

from __future__ import annotations

import csv
import gzip
import math
import random
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from seed.simulator import DAY_S, Simulator, Student
from seed.study_path import CurriculumWalk


class Policy(Protocol):
    """Chooses the next question for a student, and hears how the attempt went."""

    def choose(self, student: Student, at: datetime, rng: random.Random) -> str: ...

    def observe(self, student: Student, question_id: str, correct: bool) -> None: ...


def simulate_histories(
    document: dict[str, Any],
    *,
    n_students: int,
    attempts_per_student: tuple[int, int] = (20, 120),
    start: datetime,
    days: int = 60,
    seed: int = 7,
    policy: Policy | None = None,
) -> Iterator[dict[str, Any]]:
    """Attempts of `n_students` simulated students, each student's in time order; same seed, same rows."""
    for _, rows in simulate_students(
        document,
        n_students=n_students,
        attempts_per_student=attempts_per_student,
        start=start,
        days=days,
        seed=seed,
        policy=policy,
    ):
        yield from rows


def simulate_students(
    document: dict[str, Any],
    *,
    n_students: int,
    attempts_per_student: tuple[int, int] = (20, 120),
    start: datetime,
    days: int = 60,
    seed: int = 7,
    policy: Policy | None = None,
    simulator: Simulator | None = None,
) -> Iterator[tuple[Student, list[dict[str, Any]]]]:
    """Each simulated student with their attempts; the student's state is as of their last attempt."""
    sim = simulator or Simulator(document, seed=seed)
    chooser = policy or CurriculumWalk(document, sim)
    origin = start.astimezone(UTC).timestamp()
    for i in range(n_students):
        student = sim.new_student(f"sim-{seed}-{i:06d}")
        rng = random.Random(f"{seed}:history:{student.user_id}")
        n_attempts = rng.randint(*attempts_per_student)
        rows: list[dict[str, Any]] = []
        last = -math.inf
        for begin, size in _sessions(rng, n_attempts, origin, days):
            ts = max(begin, last + 600.0)
            for _ in range(size):
                rows.append(_attempt(sim, chooser, student, rng, ts, len(rows)))
                last = ts
                # the next question starts after this one's working time and a short pause
                ts += rows[-1]["time_spent_ms"] / 1000.0 + rng.uniform(2.0, 20.0)
        yield student, rows


def _attempt(
    sim: Simulator, chooser: Policy, student: Student, rng: random.Random, ts: float, k: int
) -> dict[str, Any]:
    """One attempt at time `ts`: the policy chooses, the student answers and learns, the policy hears."""
    at = datetime.fromtimestamp(ts, tz=UTC)
    question_id = chooser.choose(student, at, rng)
    correct = sim.answer(student, question_id, at)
    chooser.observe(student, question_id, correct)
    # Harder questions take longer, and wrong answers longer still (students who struggle linger).
    difficulty = sim.questions[question_id].difficulty
    spent = 25000.0 * math.exp(0.25 * difficulty + rng.gauss(0.0, 0.5)) * (1.0 if correct else 1.3)
    return {
        "attempt_id": f"{student.user_id}-{k:05d}",
        "user_id": student.user_id,
        "question_id": question_id,
        "correct": correct,
        "at": at,
        "time_spent_ms": int(spent),
    }


def _sessions(rng: random.Random, n_attempts: int, origin: float, days: int) -> list[tuple[float, int]]:
    """(start time, size) of practice sessions of 5-25 attempts on random days, in time order."""
    sizes: list[int] = []
    while sum(sizes) < n_attempts:
        sizes.append(min(rng.randint(5, 25), n_attempts - sum(sizes)))
    starts = sorted(origin + rng.randrange(days) * DAY_S + rng.uniform(7.0, 21.0) * 3600.0 for _ in sizes)
    return list(zip(starts, sizes, strict=True))


CSV_COLUMNS = ["user_id", "seq_idx", "item_id", "skill_ids", "correct", "split", "timestamp", "time_spent_ms"]


def write_attempts_csv(
    rows: Iterable[dict[str, Any]],
    path: str | Path,
    *,
    document: dict[str, Any],
    seed: int = 7,
    test_share: float = 0.2,
) -> int:
    """Write attempts as the ASSISTments 2009 CSV plus timestamp and time_spent_ms; returns the row count.

    seq_idx numbers each student's rows in the order given. A student is in the train or test split
    as a whole, by a seeded draw on their id, so the split is stable across runs and file sizes.
    `.gz` paths are compressed.
    """
    skills = {q["id"]: "~".join(c["id"] for c in q["concepts"]) for q in document["questions"]}
    seq: dict[str, int] = {}
    splits: dict[str, str] = {}
    target = Path(path)
    opener = gzip.open if target.suffix == ".gz" else open
    with opener(target, "wt", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            user = row["user_id"]
            if user not in splits:
                draw = random.Random(f"{seed}:split:{user}").random()
                splits[user] = "test" if draw < test_share else "train"
            seq[user] = seq.get(user, -1) + 1
            stamp = row["at"].astimezone(UTC).isoformat().replace("+00:00", "Z")
            question = row["question_id"]
            writer.writerow(
                [
                    user,
                    seq[user],
                    question,
                    skills[question],
                    int(row["correct"]),
                    splits[user],
                    stamp,
                    row["time_spent_ms"],
                ]
            )
    return sum(seq.values()) + len(seq)
